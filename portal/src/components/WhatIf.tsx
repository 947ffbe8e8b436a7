// What-if: "tag this column pii" — what would the active policies then deny? Asks the server's
// look-only whatIf query (nothing is recorded or changed); older servers without it say so.
import { useEffect, useState, type FormEvent } from "react";
import { gql } from "../api";
import { humanize } from "../urn";
import { NodeLink } from "./Badges";
import { Empty, ErrorState } from "./States";

type Field = { name: string; args: { name: string }[] };
type Entry = { subject: string; action: string; purpose: string; allowedNow: boolean; allowedThen: boolean; newReasons: string[] };

export function WhatIf() {
  const [field, setField] = useState<Field | null | undefined>(undefined);
  const [urn, setUrn] = useState("");
  const [tag, setTag] = useState("pii");
  const [result, setResult] = useState<Entry[] | null>(null);
  const [affected, setAffected] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    gql<{ __type: { fields: Field[] } | null }>(`{ __type(name: "Query") { fields { name args { name } } } }`)
      .then((data) => setField(data.__type?.fields.find((f) => f.name === "whatIf") ?? null))
      .catch(() => setField(null));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const data = await gql<{ whatIf: { __typename: string; message?: string; affectedFeatures?: string[]; entries?: Entry[] } }>(
        `query WhatIf($urn: ID!, $tag: String!) { whatIf(classify: { urn: $urn, tag: $tag }) {
          __typename
          ... on WhatIfResult { affectedFeatures entries { subject action purpose allowedNow allowedThen newReasons } }
          ... on NotFoundError { message }
          ... on InvalidInputError { message }
          ... on ForbiddenError { message }
        } }`,
        { urn: urn.trim(), tag: tag.trim() },
      );
      if (data.whatIf.entries) {
        setResult(data.whatIf.entries);
        setAffected(data.whatIf.affectedFeatures ?? []);
      } else {
        setResult(null);
        setError(data.whatIf.message ?? "no answer");
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="whatif-title">
      <h2 id="whatif-title">What if…</h2>
      {field === undefined && <p className="muted">Looking for the server's what-if support…</p>}
      {field === null && (
        <p className="muted" data-testid="whatif-missing">
          This server has no what-if query yet: a what-if needs the server to evaluate the policies on a
          hypothetical classification without recording it.
        </p>
      )}
      {field && (
        <form onSubmit={submit} className="whatif">
          <label htmlFor="whatif-urn">Tag this column, dataset or feature (URN)</label>
          <input id="whatif-urn" value={urn} onChange={(e) => setUrn(e.target.value)} required placeholder="urn:provgraph:column:…" />
          <label htmlFor="whatif-tag">with</label>
          <input id="whatif-tag" value={tag} onChange={(e) => setTag(e.target.value)} required />
          <button type="submit">What would be denied?</button>
        </form>
      )}
      {error && <ErrorState message={error} />}
      {result && (
        <p data-testid="whatif-affected">
          The tag would reach {affected.length} feature version{affected.length === 1 ? "" : "s"}
          {affected.length > 0 && ": "}
          {affected.map((f, i) => (
            <span key={f}>
              {i > 0 && ", "}
              <NodeLink urn={f} />
            </span>
          ))}
          .
        </p>
      )}
      {result && result.length === 0 && <Empty>No model version or live deployment would gain a denial.</Empty>}
      {result && result.length > 0 && (
        <ul data-testid="whatif-result">
          {result.map((r) => (
            <li key={`${r.subject}|${r.action}|${r.purpose}`}>
              <NodeLink urn={r.subject} /> ({r.action} for {r.purpose};{" "}
              {r.allowedNow ? (r.allowedThen ? "still allowed" : "allowed now, denied then") : "already denied, for more reasons then"}):{" "}
              {humanize(r.newReasons.join("; "))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
