import { useEffect, useState } from "react";
import { gql } from "../api";

// Purposes the policies single out, offered beside those the catalog's models name.
const POLICY_PURPOSES = ["advertising", "marketing"];

export function usePurposes(): string[] {
  const [purposes, setPurposes] = useState<string[]>(POLICY_PURPOSES);
  useEffect(() => {
    gql<{ purposes: string[] }>("{ purposes }")
      .then((data) => setPurposes([...new Set([...data.purposes, ...POLICY_PURPOSES])].sort()))
      .catch(() => undefined);
  }, []);
  return purposes;
}

export function PurposeSelect(props: {
  purposes: string[];
  value: string;
  onChange: (value: string) => void;
  id: string;
}) {
  return (
    <div className="purpose">
      <label htmlFor={props.id}>I want to use it for</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">any purpose (no policy check)</option>
        {props.purposes.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </div>
  );
}
