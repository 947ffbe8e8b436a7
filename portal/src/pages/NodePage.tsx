// Dataset, column, job, run, training set, model, model version, deployment (and the rest): one
// page per node with its facts, links to its neighbours and the same lineage view.
import { useCallback, type ReactNode } from "react";
import { useParams } from "react-router-dom";
import { KindBadge, NodeLink, QualityBadge, type Trace } from "../components/Badges";
import { ImpactSection } from "../components/Impact";
import { LineageView, type Root } from "../components/LineageView";
import { ErrorState, Loading } from "../components/States";
import { TraceList } from "../components/Traces";
import { parseUrn, urnLabel } from "../urn";
import { useQuery } from "../useQuery";

const NODE = `query NodePage($urn: ID!) {
  node(urn: $urn) {
    __typename urn kind createdAt
    ... on Dataset { namespace name description owners { id }
      latestVersion { urn version columns { urn name type } qualityResults { urn createdAt success rowCount } }
      versions { urn version createdAt } producers { urn } consumers { urn } }
    ... on DatasetVersion { version dataset { urn } columns { urn name type } producedBy { urn } consumedBy { urn }
      qualityResults { urn createdAt success rowCount } }
    ... on Column { name type description datasetVersion { urn } upstream { urn } downstream { urn } features { urn } }
    ... on Job { namespace name codeVersion: version sourceCodeLocation sql description owners { id }
      runs(first: 20) { urn runId state startedAt endedAt } reads { urn } writes { urn } }
    ... on Run { runId state startedAt endedAt jobVersion errorMessage facets job { urn } parent { urn }
      inputs { urn } outputs { urn } producedModels { urn } }
    ... on TrainingSet { name version manifest features { urn } sources { urn } modelVersions { urn } }
    ... on Model { name description owners { id } versions { urn version label stage createdAt } }
    ... on ModelVersion { version label artifactDigest framework params metrics stage purpose model { urn }
      trainingSet { urn name version manifest sources { urn } }
      trainingRun { urn runId state startedAt endedAt job { urn codeVersion: version sourceCodeLocation } }
      features { urn } deployments { urn }
      recipe { codeVersion environment datasets { urn producedBy codeVersion } changes { kind subject detail } } }
    ... on Deployment { environment name status endpoint purpose owners { id } servedVersion { urn }
      history { modelVersion validFrom validTo } }
    ... on PolicyDecision { allow action decisionPurpose: purpose principal deny obligations bundleRevision
      inputDigest engine error subjects { urn } }
    ... on ValidationResult { success rowCount columnMetrics assertions observedBy }
  }
  classifications(urn: $urn) { __typename ... on Classifications { classifications { tag source inherited path } } }
}`;

// Decisions are not lineage (DECIDED edges are not walked): each kind that has them lists them.
const DECISION_FIELDS = "decisions { urn createdAt allow action decisionPurpose: purpose principal deny }";
const DECISIONS = `query Decisions($urn: ID!) {
  node(urn: $urn) {
    ... on ModelVersion { ${DECISION_FIELDS} }
    ... on Deployment { ${DECISION_FIELDS} }
    ... on Run { ${DECISION_FIELDS} }
  }
}`;

type DecisionRow = { urn: string; createdAt: string; allow: boolean; action: string; decisionPurpose: string; principal: string; deny: string[] };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
type Ref = { urn: string };

const CLASSIFIED = new Set(["dataset", "dataset-version", "column", "feature-version", "training-set", "model", "model-version", "deployment"]);
// The kinds upstream of features and models: what depends on them is the impact answer.
const WITH_IMPACT = new Set(["dataset", "dataset-version", "column"]);
const WITH_DECISIONS = new Set(["model-version", "deployment", "run"]);

function Links({ items, empty = "none" }: { items: Ref[] | null | undefined; empty?: string }) {
  if (!items || items.length === 0) return <span className="muted">{empty}</span>;
  return (
    <>
      {items.map((r, i) => (
        <span key={r.urn}>
          {i > 0 && ", "}
          <NodeLink urn={r.urn} />
        </span>
      ))}
    </>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {rows.map(([label, value]) => (
        <div key={label} className="fact">
          <dt>{label}</dt>
          <dd>{value ?? <span className="muted">—</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  const text = JSON.stringify(value, null, 2);
  if (!value || text === "{}" || text === "[]") return <p className="muted">No {label}.</p>;
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}

function QualityTable({ results }: { results: { urn: string; createdAt: string; success: boolean; rowCount: number | null }[] }) {
  if (!results?.length) return <p className="muted">No quality checks recorded.</p>;
  return (
    <table>
      <thead><tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">Rows</th></tr></thead>
      <tbody>
        {results.map((q) => (
          <tr key={q.urn}>
            <td><NodeLink urn={q.urn} label={q.createdAt.slice(0, 16).replace("T", " ")} /></td>
            <td><QualityBadge quality={q.success ? "passing" : "failing"} /></td>
            <td>{q.rowCount ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Details({ node }: { node: Any }) {
  switch (node.__typename) {
    case "Dataset":
      return (
        <>
          <Facts rows={[["Namespace", node.namespace], ["Description", node.description], ["Owners", node.owners.map((o: Any) => o.id).join(", ") || "none"],
            ["Written by", <Links items={node.producers} />], ["Read by", <Links items={node.consumers} />], ["Versions", node.versions.length]]} />
          <h2>Columns (newest version)</h2>
          <ul className="columns">
            {(node.latestVersion?.columns ?? []).map((c: Any) => (
              <li key={c.urn}><NodeLink urn={c.urn} label={c.name} /> <span className="muted">{c.type}</span></li>
            ))}
          </ul>
          <h2>Quality (newest version)</h2>
          <QualityTable results={node.latestVersion?.qualityResults ?? []} />
        </>
      );
    case "DatasetVersion":
      return (
        <>
          <Facts rows={[["Dataset", <NodeLink urn={node.dataset?.urn} />], ["Version", <code>{node.version}</code>],
            ["Written by run", <Links items={node.producedBy ? [node.producedBy] : []} />], ["Read by runs", <Links items={node.consumedBy} />]]} />
          <h2>Columns</h2>
          <ul className="columns">
            {node.columns.map((c: Any) => <li key={c.urn}><NodeLink urn={c.urn} label={c.name} /> <span className="muted">{c.type}</span></li>)}
          </ul>
          <h2>Quality</h2>
          <QualityTable results={node.qualityResults} />
        </>
      );
    case "Column":
      return (
        <Facts rows={[["Type", node.type], ["Description", node.description], ["Dataset version", <Links items={node.datasetVersion ? [node.datasetVersion] : []} />],
          ["Derived from", <Links items={node.upstream} />], ["Used to derive", <Links items={node.downstream} />], ["Feature versions", <Links items={node.features} />]]} />
      );
    case "Job":
      return (
        <>
          <Facts rows={[["Namespace", node.namespace], ["Code version", node.codeVersion], ["Source", node.sourceCodeLocation], ["Description", node.description],
            ["Reads", <Links items={node.reads} />], ["Writes", <Links items={node.writes} />]]} />
          {node.sql && <pre className="json">{node.sql}</pre>}
          <h2>Runs</h2>
          <table>
            <thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Ended</th></tr></thead>
            <tbody>
              {node.runs.map((r: Any) => (
                <tr key={r.urn}><td><NodeLink urn={r.urn} /></td><td>{r.state ?? "—"}</td><td>{r.startedAt ?? "—"}</td><td>{r.endedAt ?? "—"}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      );
    case "Run":
      return (
        <>
          <Facts rows={[["Run id", <code>{node.runId}</code>], ["Job", <Links items={node.job ? [node.job] : []} />], ["Job version", node.jobVersion], ["State", node.state],
            ["Started", node.startedAt], ["Ended", node.endedAt], ["Error", node.errorMessage], ["Parent run", <Links items={node.parent ? [node.parent] : []} />],
            ["Read", <Links items={node.inputs} />], ["Wrote", <Links items={node.outputs} />], ["Produced models", <Links items={node.producedModels} />]]} />
          <h2>Facets</h2>
          <Json value={node.facets} label="facets" />
        </>
      );
    case "TrainingSet":
      return (
        <>
          <Facts rows={[["Version", <code>{node.version}</code>], ["Features", <Links items={node.features} />], ["Source data", <Links items={node.sources} />],
            ["Trained", <Links items={node.modelVersions} />]]} />
          <h2>Manifest</h2>
          <Json value={node.manifest} label="manifest" />
        </>
      );
    case "Model":
      return (
        <>
          <Facts rows={[["Description", node.description], ["Owners", node.owners.map((o: Any) => o.id).join(", ") || "none"]]} />
          <h2>Versions</h2>
          <ul>
            {node.versions.map((v: Any) => (
              <li key={v.urn}><NodeLink urn={v.urn} label={`${v.label ?? v.version.slice(0, 12)}`} /> — {v.stage ?? "no stage"}, {v.createdAt.slice(0, 10)}</li>
            ))}
          </ul>
        </>
      );
    case "ModelVersion":
      return (
        <>
          <Facts rows={[["Model", <Links items={node.model ? [node.model] : []} />], ["Label", node.label], ["Stage", node.stage], ["Purpose", node.purpose],
            ["Framework", node.framework], ["Artifact digest", <code>{node.artifactDigest}</code>], ["Deployed by", <Links items={node.deployments} />]]} />
          <h2>How to reproduce it</h2>
          <ol className="recipe" data-testid="recipe">
            <li>Training data: {node.trainingSet ? <NodeLink urn={node.trainingSet.urn} label={`${node.trainingSet.name} @${node.trainingSet.version.slice(0, 12)}`} /> : "not recorded"}
              {node.trainingSet && <> drawn from <Links items={node.trainingSet.sources} /></>}</li>
            <li>Features: <Links items={node.features} /></li>
            <li>Code: {node.trainingRun?.job ? <><NodeLink urn={node.trainingRun.job.urn} /> at <code>{node.trainingRun.job.codeVersion ?? "unknown version"}</code> {node.trainingRun.job.sourceCodeLocation}</> : "not recorded"}</li>
            <li>Run: {node.trainingRun ? <NodeLink urn={node.trainingRun.urn} /> : "not recorded"}</li>
            <li>Parameters: <Json value={node.params} label="parameters" /></li>
            {node.trainingSet && <li>Training-set manifest: <Json value={node.trainingSet.manifest} label="manifest" /></li>}
            {node.recipe && (
              <li>Data versions read:{" "}
                {node.recipe.datasets.length === 0 ? <span className="muted">none recorded</span> : node.recipe.datasets.map((d: Any, i: number) => (
                  <span key={d.urn}>{i > 0 && "; "}<NodeLink urn={d.urn} />{d.producedBy && <> written by <NodeLink urn={d.producedBy} /> at <code>{d.codeVersion ?? "unknown version"}</code></>}</span>
                ))}
              </li>
            )}
            {node.recipe && Object.keys(node.recipe.environment ?? {}).length > 0 && <li>Environment: <Json value={node.recipe.environment} label="environment" /></li>}
          </ol>
          {node.recipe && (
            <>
              <h2>Changed since training</h2>
              {node.recipe.changes.length === 0 ? (
                <p className="muted" data-testid="recipe-changes">Nothing: the data, features and classifications it was trained on are as they were.</p>
              ) : (
                <ul data-testid="recipe-changes">
                  {node.recipe.changes.map((c: Any) => (
                    <li key={`${c.kind}|${c.subject}|${c.detail}`}>{c.kind.replace(/_/g, " ")}: <NodeLink urn={c.subject} /> — {c.detail}</li>
                  ))}
                </ul>
              )}
            </>
          )}
          <h2>Metrics</h2>
          <Json value={node.metrics} label="metrics" />
        </>
      );
    case "Deployment":
      return (
        <>
          <Facts rows={[["Environment", node.environment], ["Status", node.status], ["Purpose", node.purpose], ["Endpoint", node.endpoint],
            ["Serves now", <Links items={node.servedVersion ? [node.servedVersion] : []} empty="nothing" />], ["Owners", node.owners.map((o: Any) => o.id).join(", ") || "none"]]} />
          <h2>What it served when</h2>
          <table data-testid="served-history">
            <thead><tr><th scope="col">Model version</th><th scope="col">From</th><th scope="col">Until</th></tr></thead>
            <tbody>
              {node.history.map((h: Any) => (
                <tr key={`${h.modelVersion}|${h.validFrom}`}>
                  <td><NodeLink urn={h.modelVersion} /></td><td>{h.validFrom.slice(0, 10)}</td><td>{h.validTo ? h.validTo.slice(0, 10) : "now"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      );
    case "PolicyDecision":
      return (
        <Facts rows={[["Result", node.allow ? "allowed" : "denied"], ["Action", node.action], ["Purpose", node.decisionPurpose], ["Asked by", node.principal],
          ["Reasons", node.deny.join("; ") || "—"], ["Obligations", node.obligations.join("; ") || "—"], ["Bundle", <code>{node.bundleRevision}</code>],
          ["Engine", node.engine], ["Engine error", node.error], ["About", <Links items={node.subjects} />]]} />
      );
    case "ValidationResult":
      return (
        <>
          <Facts rows={[["Result", <QualityBadge quality={node.success ? "passing" : "failing"} />], ["Rows", node.rowCount], ["Observed by", node.observedBy]]} />
          <h2>Assertions</h2>
          <Json value={node.assertions} label="assertions" />
          <h2>Column metrics</h2>
          <Json value={node.columnMetrics} label="column metrics" />
        </>
      );
    default:
      return null;
  }
}

function Decisions({ urn }: { urn: string }) {
  const state = useQuery<{ node: { decisions?: DecisionRow[] } | null }>(DECISIONS, { urn });
  if (state.status !== "done") return state.status === "error" ? <ErrorState message={state.message} /> : <Loading what="policy decisions" />;
  const decisions = [...(state.data.node?.decisions ?? [])].reverse(); // newest first
  if (decisions.length === 0) return <p className="muted">No policy decisions recorded about it.</p>;
  return (
    <table data-testid="decisions">
      <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Purpose</th><th scope="col">Result</th><th scope="col">Reasons</th></tr></thead>
      <tbody>
        {decisions.slice(0, 50).map((d) => (
          <tr key={d.urn}>
            <td><NodeLink urn={d.urn} label={d.createdAt.slice(0, 16).replace("T", " ")} /></td>
            <td>{d.action}</td><td>{d.decisionPurpose}</td><td>{d.allow ? "allowed" : "denied"}</td><td>{d.deny.join("; ") || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function NodePage() {
  const urn = useParams().urn ?? "";
  const kind = parseUrn(urn).kind;
  const state = useQuery<{ node: Any; classifications: { classifications?: Trace[] } }>(NODE, { urn });
  const rootsAt = useCallback((): Root[] => [{ urn, direction: "UPSTREAM" }, { urn, direction: "DOWNSTREAM" }], [urn]);
  if (state.status === "error") return <ErrorState message={state.message} />;
  if (state.status === "loading" && !state.data) return <Loading what="the page" />;
  const node = state.data!.node;
  if (!node)
    return (
      <section>
        <h1>Not in the catalog</h1>
        <p>The catalog has no node <code>{urn}</code>.</p>
      </section>
    );
  const traces = state.data!.classifications.classifications ?? [];
  return (
    <article className="page">
      <p className="crumbs"><KindBadge kind={kind} /> <span className="muted">recorded {node.createdAt.slice(0, 10)}</span></p>
      <h1>{urnLabel(urn)}</h1>
      <p className="urn"><code>{urn}</code></p>
      <Details node={node} />
      {CLASSIFIED.has(kind) && (
        <section aria-labelledby="cls-title">
          <h2 id="cls-title">Classifications</h2>
          <TraceList traces={traces} />
        </section>
      )}
      {WITH_IMPACT.has(kind) && <ImpactSection urn={urn} />}
      {WITH_DECISIONS.has(kind) && (
        <section aria-labelledby="decisions-title">
          <h2 id="decisions-title">Policy decisions</h2>
          <Decisions urn={urn} />
        </section>
      )}
      {!["policy-decision", "owner", "classification"].includes(kind) && <LineageView focus={urn} rootsAt={rootsAt} defaultDepth={4} />}
    </article>
  );
}
