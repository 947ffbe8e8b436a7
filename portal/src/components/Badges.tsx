import { Link } from "react-router-dom";
import { KIND_LABEL, pagePath, urnLabel } from "../urn";

export function KindBadge({ kind }: { kind: string }) {
  return <span className={`badge kind kind-${kind}`}>{KIND_LABEL[kind] ?? kind}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  if (!status || status === "none") return null;
  return <span className={`badge status status-${status}`}>{status}</span>;
}

export function QualityBadge({ quality }: { quality: string }) {
  const text = quality === "unknown" ? "quality unknown" : `quality ${quality}`;
  return <span className={`badge quality quality-${quality}`}>{text}</span>;
}

export type Trace = { tag: string; source: string; inherited: boolean; path: string[] };

export function ClassificationChip({ trace }: { trace: Trace }) {
  const pii = trace.tag === "pii" || trace.tag.startsWith("pii.");
  const title = trace.inherited ? `inherited from ${urnLabel(trace.source)}` : "set directly";
  return (
    <span className={`chip ${pii ? "chip-pii" : ""}`} title={title}>
      {trace.tag}
      {trace.inherited && <span className="chip-note"> (inherited)</span>}
    </span>
  );
}

export function NodeLink({ urn, label }: { urn: string; label?: string }) {
  return <Link to={pagePath(urn)} data-urn={urn}>{label ?? urnLabel(urn)}</Link>;
}
