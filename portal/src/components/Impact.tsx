// What depends on a node (the server's impact answer): live deployments and model versions,
// plus feature versions and training sets for nodes upstream of features. One list, shown on
// the feature, dataset and column pages alike.
import { NodeLink } from "./Badges";
import { ErrorState, Loading } from "./States";
import { urnLabel } from "../urn";
import { useQuery } from "../useQuery";

export const IMPACT_FIELDS = `impact(urn: $urn) {
    __typename
    ... on Impact {
      featureVersions { urn }
      trainingSets { urn }
      modelVersions { urn node { ... on ModelVersion { version label stage purpose } } }
      deployments { urn node { ... on Deployment { name environment status purpose inProduction } } }
    }
  }`;

const IMPACT = `query Impact($urn: ID!) { ${IMPACT_FIELDS} }`;

export type ImpactAnswer = {
  __typename: string;
  featureVersions?: { urn: string }[];
  trainingSets?: { urn: string }[];
  modelVersions?: { urn: string; node: { version: string; label: string | null; stage: string | null; purpose: string | null } | null }[];
  deployments?: { urn: string; node: { name: string; environment: string; status: string; purpose: string | null; inProduction: boolean } | null }[];
};

function Refs({ items, testId }: { items: { urn: string }[]; testId: string }) {
  if (items.length === 0) return <p className="muted">None.</p>;
  return (
    <ul data-testid={testId}>
      {items.map((r) => <li key={r.urn}><NodeLink urn={r.urn} /></li>)}
    </ul>
  );
}

/** The impact lists; `withFeatures` adds the feature versions and training sets downstream. */
export function ImpactList({ impact, withFeatures }: { impact: ImpactAnswer; withFeatures: boolean }) {
  if (impact.__typename !== "Impact") return <p className="muted">The catalog could not say what depends on it.</p>;
  const deployments = impact.deployments ?? [];
  const models = impact.modelVersions ?? [];
  return (
    <div data-testid="impact">
      <h3>Live deployments</h3>
      {deployments.length === 0 ? <p className="muted">None.</p> : (
        <ul data-testid="deployments">
          {deployments.map((d) => (
            <li key={d.urn}>
              <NodeLink urn={d.urn} /> — {d.node?.environment}, {d.node?.status}, purpose {d.node?.purpose ?? "unset"}
            </li>
          ))}
        </ul>
      )}
      <h3>Model versions</h3>
      {models.length === 0 ? <p className="muted">None.</p> : (
        <ul data-testid="impact-model-versions">
          {models.map((m) => (
            <li key={m.urn}>
              <NodeLink urn={m.urn} label={`${urnLabel(m.urn)}${m.node?.label ? ` (${m.node.label})` : ""}`} /> — stage{" "}
              {m.node?.stage ?? "unknown"}
            </li>
          ))}
        </ul>
      )}
      {withFeatures && (
        <>
          <h3>Feature versions</h3>
          <Refs items={impact.featureVersions ?? []} testId="impact-feature-versions" />
          <h3>Training sets</h3>
          <Refs items={impact.trainingSets ?? []} testId="impact-training-sets" />
        </>
      )}
    </div>
  );
}

/** The impact list of any node, asked of the same API the feature page asks. */
export function ImpactSection({ urn }: { urn: string }) {
  const state = useQuery<{ impact: ImpactAnswer }>(IMPACT, { urn });
  return (
    <section aria-labelledby="impact-title">
      <h2 id="impact-title">Where it is used</h2>
      {state.status === "error" ? <ErrorState message={state.message} />
        : state.status !== "done" ? <Loading what="what depends on it" />
        : <ImpactList impact={state.data.impact} withFeatures />}
    </section>
  );
}
