// The steward view: the compliance report (re-check every model version and live deployment
// under the active policies), what became non-compliant since a chosen moment, and what-if.
import { useMemo, useState } from "react";
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

/** The server's compliance report: it records the decisions and says what is newly non-compliant
 * against its baseline (the report in force at `baselineAt`, by default the previous report).
 * The one rule of "newly non-compliant" is the server's; the page never recomputes it. */
async function runReport(baselineAt: string | null): Promise<Entry[]> {
  const data = await gql<{ complianceReport: Entry[] }>(
    `mutation Report($baselineAt: DateTime) { complianceReport(baselineAt: $baselineAt) { ${FIELDS} } }`,
    { baselineAt },
  );
  return data.complianceReport;
}

export function StewardPage({ viewer }: { viewer: Viewer }) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [since, setSince] = useState("");
  const [measuredSince, setMeasuredSince] = useState("");

  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      setEntries(await runReport(since ? new Date(since).toISOString() : null));
      setMeasuredSince(since);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };

  const newly = useMemo(() => (entries ?? []).filter((e) => e.newlyNonCompliant), [entries]);

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
        <div className="since">
          <label htmlFor="since">Newly non-compliant since</label>{" "}
          <input id="since" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />{" "}
          <span className="muted">
            {since ? (since === measuredSince || !entries ? "" : "(check again to measure against this moment)") : "(empty: since the previous report)"}
          </span>
        </div>
        <button type="button" onClick={() => void run()} disabled={running} data-testid="run-report">
          {running ? "Checking…" : entries ? "Check again" : "Run the compliance check"}
        </button>
        {error && <ErrorState message={error} />}
        {entries && entries.length === 0 && <Empty>Nothing to check: no model versions or live deployments.</Empty>}
        {entries && entries.length > 0 && (
          <>
            <h3>Newly non-compliant</h3>
            {newly.length === 0 ? (
              <Empty>Nothing became non-compliant{measuredSince ? " since then" : ""}.</Empty>
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
