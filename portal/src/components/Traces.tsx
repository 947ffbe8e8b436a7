import { Fragment } from "react";
import { NodeLink, type Trace } from "./Badges";

/** Each classification, where it was set, and the lineage path it came along. */
export function TraceList({ traces }: { traces: Trace[] }) {
  if (traces.length === 0) return <p className="muted">No classifications, set or inherited.</p>;
  return (
    <ul className="traces" data-testid="classifications">
      {traces.map((t) => (
        <li key={`${t.tag}|${t.source}`} data-tag={t.tag}>
          <span className={`chip ${t.tag.startsWith("pii") ? "chip-pii" : ""}`}>{t.tag}</span>{" "}
          {t.inherited ? (
            <>
              inherited from <NodeLink urn={t.source} />
              <span className="path" aria-label="path">
                {" "}
                (via{" "}
                {t.path.slice(1, -1).map((step, i) => (
                  <Fragment key={step}>
                    {i > 0 && " → "}
                    <NodeLink urn={step} />
                  </Fragment>
                ))}
                {t.path.length <= 2 && "a direct edge"})
              </span>
            </>
          ) : (
            "set directly"
          )}
        </li>
      ))}
    </ul>
  );
}
