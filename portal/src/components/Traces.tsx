import { Fragment } from "react";
import { NodeLink, type Trace } from "./Badges";

/** How one source's tag reached this node: set here, or the lineage path it came along. */
function Origin({ trace }: { trace: Trace }) {
  if (!trace.inherited) return <>set directly</>;
  return (
    <>
      inherited from <NodeLink urn={trace.source} />
      <span className="path" aria-label="path">
        {" "}
        (via{" "}
        {trace.path.slice(1, -1).map((step, i) => (
          <Fragment key={step}>
            {i > 0 && " → "}
            <NodeLink urn={step} />
          </Fragment>
        ))}
        {trace.path.length <= 2 && "a direct edge"})
      </span>
    </>
  );
}

/** One chip per classification, with every source it was set on or inherited from inside it. */
export function TraceList({ traces }: { traces: Trace[] }) {
  if (traces.length === 0) return <p className="muted">No classifications, set or inherited.</p>;
  const byTag = new Map<string, Trace[]>();
  for (const t of traces) byTag.set(t.tag, [...(byTag.get(t.tag) ?? []), t]);
  return (
    <ul className="traces" data-testid="classifications">
      {[...byTag].map(([tag, sources]) => (
        <li key={tag} data-tag={tag} data-sources={sources.length}>
          <span
            className={`chip ${tag.startsWith("pii") ? "chip-pii" : ""}`}
            title={sources.map((s) => (s.inherited ? s.source : "set directly")).join("\n")}
          >
            {tag}
          </span>{" "}
          {sources.length === 1 ? (
            <Origin trace={sources[0]} />
          ) : (
            <ul className="trace-sources" aria-label={`sources of ${tag}`}>
              {sources.map((s) => (
                <li key={s.source}><Origin trace={s} /></li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}
