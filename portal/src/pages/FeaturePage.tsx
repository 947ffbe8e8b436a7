import { useCallback, useMemo } from "react";
import { useParams } from "react-router-dom";
import { KindBadge, NodeLink, QualityBadge, StatusBadge, type Trace } from "../components/Badges";
import { IMPACT_FIELDS, ImpactList, type ImpactAnswer } from "../components/Impact";
import { LineageView, type Root } from "../components/LineageView";
import { usePurposes } from "../components/PurposeSelect";
import { ErrorState, Loading } from "../components/States";
import { TraceList } from "../components/Traces";
import { usePurposeAnswers, UsabilityTable } from "../components/Usability";
import { urnLabel } from "../urn";
import { useQuery } from "../useQuery";

const FEATURE = `query Feature($urn: ID!) {
  node(urn: $urn) {
    urn kind createdAt
    ... on Feature {
      name group description dtype entity status statusReason
      owners { id }
      versions { urn version createdAt transformation dtype declassifying
        sourceColumns { urn name type datasetVersion { urn qualityResults { urn createdAt success rowCount } } }
        trainingSets { urn name version }
      }
    }
  }
  classifications(urn: $urn) { __typename ... on Classifications { classifications { tag source inherited path } } }
  ${IMPACT_FIELDS}
}`;

type Quality = { urn: string; createdAt: string; success: boolean; rowCount: number | null };
type Version = {
  urn: string; version: string; createdAt: string; transformation: string; dtype: string | null; declassifying: boolean;
  sourceColumns: { urn: string; name: string; type: string; datasetVersion: { urn: string; qualityResults: Quality[] } | null }[];
  trainingSets: { urn: string; name: string; version: string }[];
};
type FeatureNode = {
  urn: string; kind: string; name: string; group: string; description: string | null; dtype: string | null;
  entity: string | null; status: string; statusReason: string | null; owners: { id: string }[]; versions: Version[];
};
type Answer = {
  node: FeatureNode | null;
  classifications: { __typename: string; classifications?: Trace[] };
  impact: ImpactAnswer;
};

const isPii = (tag: string) => tag === "pii" || tag.startsWith("pii.");

export function FeaturePage() {
  const urn = useParams().urn ?? "";
  const state = useQuery<Answer>(FEATURE, { urn });
  const purposes = usePurposes();
  const answers = usePurposeAnswers(urn, purposes);
  const versions = state.status === "done" ? state.data.node?.versions ?? [] : [];
  const rootsAt = useCallback(
    (asOf: string | null): Root[] => {
      const at = asOf ? Date.parse(asOf) : Infinity;
      const live = versions.filter((v) => Date.parse(v.createdAt) <= at);
      const version = (live.length ? live : versions).at(-1);
      return [
        ...(version ? [{ urn: version.urn, direction: "UPSTREAM" as const }] : []),
        { urn, direction: "DOWNSTREAM" as const },
      ];
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [urn, versions.map((v) => v.urn).join()],
  );
  const quality = useMemo(() => {
    const seen = new Map<string, Quality & { dataset: string }>();
    for (const v of versions)
      for (const c of v.sourceColumns)
        for (const q of c.datasetVersion?.qualityResults ?? []) seen.set(q.urn, { ...q, dataset: c.datasetVersion!.urn });
    return [...seen.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }, [versions]);

  if (state.status === "error") return <ErrorState message={state.message} />;
  if (state.status === "loading" && !state.data) return <Loading what="the feature" />;
  const data = state.data!;
  const feature = data.node;
  if (!feature || feature.kind !== "FEATURE")
    return (
      <section>
        <h1>No such feature</h1>
        <p>The catalog has no feature {urn}.</p>
      </section>
    );
  const traces = data.classifications.classifications ?? [];
  const pii = traces.filter((t) => isPii(t.tag));
  const deployments = data.impact.deployments ?? [];
  // in production: the server's one rule (Deployment.inProduction), never a rule of our own
  const production = deployments.filter((d) => d.node?.inProduction);
  const latest = feature.versions.at(-1);
  const denied = (answers ?? []).filter((a) => !a.allow);

  return (
    <article className="page feature-page">
      <p className="crumbs">
        <KindBadge kind="feature" /> <span className="muted">{feature.group}</span>
      </p>
      <h1>{feature.name}</h1>
      <p className="lede">{feature.description ?? "No description yet."}</p>

      <section className="glance" aria-labelledby="glance-title" data-testid="at-a-glance">
        <h2 id="glance-title">At a glance</h2>
        <ul>
          <li data-testid="glance-pii">
            {pii.length === 0 ? (
              "Carries no personal data (no pii classification, set or inherited)."
            ) : (
              <>
                <strong>Carries personal data (PII):</strong>{" "}
                {[...new Set(pii.map((t) => t.tag))].join(", ")}
                {", "}
                {pii.some((t) => t.inherited) ? "inherited from " : "set on "}
                {[...new Map(pii.map((t) => [t.source, t])).values()].map((t, i) => (
                  <span key={t.source}>
                    {i > 0 && ", "}
                    <NodeLink urn={t.source} />
                  </span>
                ))}
              </>
            )}
          </li>
          <li data-testid="glance-production">
            {production.length === 0 ? (
              "Not used by any active production deployment."
            ) : (
              <>
                <strong>Used in production by</strong>{" "}
                {production.map((d, i) => (
                  <span key={d.urn}>
                    {i > 0 && ", "}
                    <NodeLink urn={d.urn} /> ({d.node?.purpose ?? "no purpose"})
                  </span>
                ))}
              </>
            )}
          </li>
          <li data-testid="glance-denied">
            {answers === null
              ? "Checking the policies…"
              : denied.length === 0
                ? "Allowed for every purpose listed below."
                : <><strong>Not allowed for</strong> {denied.map((a) => a.purpose).join(", ")} (see why below).</>}
          </li>
        </ul>
      </section>

      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={feature.status} /> {feature.statusReason}
        </dd>
        <dt>Owners</dt>
        <dd>{feature.owners.map((o) => o.id).join(", ") || "none"}</dd>
        <dt>Type</dt>
        <dd>{feature.dtype ?? "unknown"}</dd>
        <dt>Entity</dt>
        <dd>{feature.entity ?? "—"}</dd>
        <dt>Transformation</dt>
        <dd>
          <code>{latest?.transformation ?? "—"}</code> {latest?.declassifying && <span className="badge">declassifying</span>}
        </dd>
        <dt>Source columns</dt>
        <dd>
          {(latest?.sourceColumns ?? []).map((c, i) => (
            <span key={c.urn}>
              {i > 0 && ", "}
              <NodeLink urn={c.urn} /> <span className="muted">{c.type}</span>
            </span>
          ))}
        </dd>
      </dl>

      <section aria-labelledby="use-title">
        <h2 id="use-title">May I use it?</h2>
        <UsabilityTable answers={answers} />
      </section>

      <section aria-labelledby="cls-title">
        <h2 id="cls-title">Classifications</h2>
        <TraceList traces={traces} />
      </section>

      <section aria-labelledby="used-title">
        <h2 id="used-title">Where it is used</h2>
        <ImpactList impact={data.impact} withFeatures={false} />
        <h3>Training sets</h3>
        <ul>
          {[...new Map(feature.versions.flatMap((v) => v.trainingSets).map((t) => [t.urn, t])).values()].map((t) => (
            <li key={t.urn}>
              <NodeLink urn={t.urn} label={`${t.name} @${t.version.slice(0, 8)}`} />
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <table>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Recorded</th><th scope="col">Transformation</th><th scope="col">Sources</th></tr>
          </thead>
          <tbody>
            {feature.versions.map((v) => (
              <tr key={v.urn}>
                <td><NodeLink urn={v.urn} label={v.version.slice(0, 12)} /></td>
                <td>{v.createdAt.slice(0, 10)}</td>
                <td><code>{v.transformation}</code></td>
                <td>{v.sourceColumns.map((c) => urnLabel(c.urn)).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="quality-title">
        <h2 id="quality-title">Quality history of its source data</h2>
        {quality.length === 0 ? (
          <p className="muted">
            <QualityBadge quality="unknown" /> No checks recorded on its source data.
          </p>
        ) : (
          <table>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Data</th><th scope="col">Result</th><th scope="col">Rows</th></tr>
            </thead>
            <tbody>
              {quality.map((q) => (
                <tr key={q.urn}>
                  <td>{q.createdAt.slice(0, 16).replace("T", " ")}</td>
                  <td><NodeLink urn={q.dataset} /></td>
                  <td><QualityBadge quality={q.success ? "passing" : "failing"} /></td>
                  <td>{q.rowCount ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <LineageView focus={urn} rootsAt={rootsAt} defaultDepth={4} />
    </article>
  );
}
