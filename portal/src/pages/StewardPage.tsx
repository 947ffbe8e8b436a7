// The steward view: the compliance report (re-check every model version and live deployment
// under the active policies), what became non-compliant since a chosen moment, and what-if.
import { useEffect, useMemo, useState } from "react";
import { gql } from "../api";
import { roleAtLeast, type Viewer } from "../auth";
import { NodeLink } from "../components/Badges";
import { Empty, ErrorState } from "../components/States";
import { WhatIf } from "../components/WhatIf";
import { humanize } from "../urn";

type Entry = {
  subject: string; action: string; purpose: string; allow: boolean; deny: string[];
  previouslyAllowed: boolean | null; newlyNonCompliant: boolean; decisionUrn: string;
};

const FIELDS = "subject action purpose allow deny previouslyAllowed newlyNonCompliant decisionUrn";

/** complianceReport records decisions: a mutation on newer servers, a query on older ones. */
async function runReport(): Promise<Entry[]> {
  const schema = await gql<{ __schema: { mutationType: { fields: { name: string }[] } | null } }>(
    "{ __schema { mutationType { fields { name } } } }",
  );
  const asMutation = schema.__schema.mutationType?.fields.some((f) => f.name === "complianceReport");
  const data = await gql<{ complianceReport: Entry[] | { entries: Entry[] } }>(
    `${asMutation ? "mutation" : "query"} { complianceReport { ${FIELDS} } }`,
  );
  const report = data.complianceReport;
  return Array.isArray(report) ? report : report.entries;
}

/** For each subject, was its last decision recorded before `since` (same action and purpose) an allow? */
async function allowedAt(entries: Entry[], since: string): Promise<Map<string, boolean | null>> {
  const answer = new Map<string, boolean | null>();
  for (let start = 0; start < entries.length; start += 20) {
    const chunk = entries.slice(start, start + 20);
    const variables: Record<string, unknown> = {};
    // decisions are not lineage: each model version and deployment lists its own
    const decided = "decisions { createdAt allow action decisionPurpose: purpose }";
    const fields = chunk.map((e, i) => {
      variables[`s${i}`] = e.subject;
      return `s${i}: node(urn: $s${i}) { ... on ModelVersion { ${decided} } ... on Deployment { ${decided} } }`;
    });
    const declared = chunk.map((_, i) => `$s${i}: ID!`).join(", ");
    type Decided = { createdAt: string; allow: boolean; action: string; decisionPurpose: string };
    const data = await gql<Record<string, { decisions?: Decided[] } | null>>(
      `query Before(${declared}) { ${fields.join("\n")} }`,
      variables,
    );
    chunk.forEach((e, i) => {
      const decisions = (data[`s${i}`]?.decisions ?? [])
        .filter((d) => d.action === e.action && d.decisionPurpose === e.purpose && d.createdAt <= since)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      answer.set(`${e.subject}|${e.action}`, decisions.length ? decisions[decisions.length - 1].allow : null);
    });
  }
  return answer;
}

export function StewardPage({ viewer }: { viewer: Viewer }) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [since, setSince] = useState("");
  const [before, setBefore] = useState<Map<string, boolean | null> | null>(null);

  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      setEntries(await runReport());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  useEffect(() => {
    if (!entries || !since) {
      setBefore(null);
      return;
    }
    let cancelled = false;
    allowedAt(entries, new Date(since).toISOString())
      .then((map) => !cancelled && setBefore(map))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [entries, since]);

  const newly = useMemo(() => {
    if (!entries) return [];
    if (!before) return entries.filter((e) => e.newlyNonCompliant);
    return entries.filter((e) => !e.allow && before.get(`${e.subject}|${e.action}`) === true);
  }, [entries, before]);

  if (!roleAtLeast(viewer, "steward"))
    return (
      <section>
        <h1>Steward view</h1>
        <p className="state state-error" role="alert">
          The steward view needs the steward role; you are signed in as {viewer.role}.
        </p>
      </section>
    );

  return (
    <article className="page steward">
      <h1>Steward view</h1>
      <section aria-labelledby="report-title">
        <h2 id="report-title">Compliance report</h2>
        <p>
          Re-checks every model version (may it train for its purpose?) and every live deployment under the active
          policies and the catalog as it is now. Each check is recorded as a policy decision.
        </p>
        <button type="button" onClick={() => void run()} disabled={running} data-testid="run-report">
          {running ? "Checking…" : entries ? "Check again" : "Run the compliance check"}
        </button>
        {error && <ErrorState message={error} />}
        {entries && entries.length === 0 && <Empty>Nothing to check: no model versions or live deployments.</Empty>}
        {entries && entries.length > 0 && (
          <>
            <div className="since">
              <label htmlFor="since">Newly non-compliant since</label>{" "}
              <input id="since" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />{" "}
              <span className="muted">{since ? "" : "(empty: since each subject's previous decision)"}</span>
            </div>
            <h3>Newly non-compliant</h3>
            {newly.length === 0 ? (
              <Empty>Nothing became non-compliant{since ? " since then" : ""}.</Empty>
            ) : (
              <ul data-testid="newly">
                {newly.map((e) => (
                  <li key={`${e.subject}|${e.action}`}>
                    <NodeLink urn={e.subject} /> ({e.action} for {e.purpose}): {humanize(e.deny.join("; "))}
                  </li>
                ))}
              </ul>
            )}
            <h3>Every subject</h3>
            <div className="table-scroll">
              <table data-testid="report">
                <thead>
                  <tr><th scope="col">Subject</th><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Reasons</th><th scope="col">Decision</th></tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={`${e.subject}|${e.action}`} className={e.allow ? "ok" : "no"}>
                      <td><NodeLink urn={e.subject} /></td>
                      <td>{e.action} for {e.purpose}</td>
                      <td>{e.allow ? "compliant" : "non-compliant"}{e.newlyNonCompliant ? " (newly)" : ""}</td>
                      <td>{humanize(e.deny.join("; ")) || "—"}</td>
                      <td><NodeLink urn={e.decisionUrn} label="decision" /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      <WhatIf />
    </article>
  );
}
