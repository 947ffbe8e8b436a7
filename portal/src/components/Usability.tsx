// May this feature be used for each purpose? Look-only policy answers, with the reasons.
import { useEffect, useState } from "react";
import { gql } from "../api";
import { humanize } from "../urn";

export type PurposeAnswer = { purpose: string; allow: boolean; deny: string[] };

export function usePurposeAnswers(feature: string, purposes: string[], action = "train"): PurposeAnswer[] | null {
  const [answers, setAnswers] = useState<PurposeAnswer[] | null>(null);
  const key = purposes.join("\u0000");
  useEffect(() => {
    const list = key ? key.split("\u0000") : [];
    if (list.length === 0) return;
    const variables: Record<string, unknown> = { features: [feature], action };
    const fields = list.map((p, i) => {
      variables[`p${i}`] = p;
      return `p${i}: featureUsability(purpose: $p${i}, features: $features, action: $action) {
        ... on FeatureUsabilityList { features { allow deny } } }`;
    });
    const declared = list.map((_, i) => `$p${i}: String!`).join(", ");
    const query = `query Purposes($features: [ID!]!, $action: String!, ${declared}) { ${fields.join("\n")} }`;
    const controller = new AbortController();
    gql<Record<string, { features?: { allow: boolean; deny: string[] }[] }>>(query, variables, controller.signal)
      .then((data) =>
        setAnswers(
          list.map((purpose, i) => {
            const found = data[`p${i}`]?.features?.[0];
            return { purpose, allow: found?.allow ?? false, deny: found?.deny ?? ["no answer"] };
          }),
        ),
      )
      .catch(() => setAnswers(null));
    return () => controller.abort();
  }, [feature, key, action]);
  return answers;
}

export function UsabilityTable({ answers }: { answers: PurposeAnswer[] | null }) {
  if (!answers) return <p className="muted">Checking the policies…</p>;
  return (
    <table className="usability" data-testid="usability">
      <caption className="visually-hidden">May it be used to train a model for each purpose</caption>
      <thead>
        <tr>
          <th scope="col">Purpose</th>
          <th scope="col">Training use</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {answers.map((a) => (
          <tr key={a.purpose} data-purpose={a.purpose} className={a.allow ? "ok" : "no"}>
            <th scope="row">{a.purpose}</th>
            <td>{a.allow ? "allowed" : "not allowed"}</td>
            <td>{a.allow ? "no policy forbids it" : humanize(a.deny.join("; "))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
