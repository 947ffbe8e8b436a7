// URNs: urn:provgraph:<kind>:<namespace>:<name>@<version>#<field> (parts percent-escaped).
export type ParsedUrn = {
  kind: string;
  namespace: string | null;
  name: string;
  version: string | null;
  field: string | null;
};

// react-router hands page params over already decoded: never decode a URN twice
const NAMESPACED = new Set(["dataset", "dataset-alias", "dataset-version", "column", "job", "feature", "feature-version", "deployment", "validation-result"]);

function unescape(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseUrn(urn: string): ParsedUrn {
  const rest = urn.startsWith("urn:provgraph:") ? urn.slice("urn:provgraph:".length) : urn;
  const colon = rest.indexOf(":");
  const kind = colon >= 0 ? rest.slice(0, colon) : rest;
  let body = colon >= 0 ? rest.slice(colon + 1) : "";
  let field: string | null = null;
  let version: string | null = null;
  const hash = body.indexOf("#");
  if (hash >= 0) {
    field = unescape(body.slice(hash + 1));
    body = body.slice(0, hash);
  }
  const at = body.indexOf("@");
  if (at >= 0) {
    version = unescape(body.slice(at + 1));
    body = body.slice(0, at);
  }
  let namespace: string | null = null;
  if (NAMESPACED.has(kind)) {
    const sep = body.indexOf(":");
    if (sep >= 0) {
      namespace = unescape(body.slice(0, sep));
      body = body.slice(sep + 1);
    }
  }
  return { kind, namespace, name: unescape(body), version, field };
}

/** A short human label: `public.trips#pickup_lat`, `fraud-detector v@fb76`, `production/fraud-detector`. */
export function urnLabel(urn: string): string {
  const p = parseUrn(urn);
  switch (p.kind) {
    case "column":
      return `${p.name}#${p.field ?? ""}`;
    case "deployment":
      return `${p.namespace}/${p.name}`;
    case "feature":
      return `${p.namespace}.${p.name}`;
    case "run":
      return `run ${p.name.slice(0, 8)}`;
    case "policy-decision":
      return `decision ${p.name.slice(0, 8)}`;
    default:
      return p.version ? `${p.name} @${p.version.slice(0, 8)}` : p.name;
  }
}

export const KIND_LABEL: Record<string, string> = {
  dataset: "dataset",
  "dataset-version": "dataset version",
  column: "column",
  job: "job",
  run: "run",
  feature: "feature",
  "feature-version": "feature version",
  "training-set": "training set",
  model: "model",
  "model-version": "model version",
  deployment: "deployment",
  "validation-result": "quality result",
  "policy-decision": "policy decision",
  owner: "owner",
  classification: "classification",
};

/** GraphQL NodeKind (FEATURE_VERSION) -> URN kind (feature-version). */
export function kindFromEnum(kind: string): string {
  return kind.toLowerCase().replace(/_/g, "-");
}

/** The portal page of a node: a stable URL that survives a reload. */
export function pagePath(urn: string): string {
  return `/${parseUrn(urn).kind}/${encodeURIComponent(urn)}`;
}

/** Policy reasons name URNs: show them the way the pages do. */
export function humanize(text: string): string {
  return text.replace(/urn:provgraph:[^\s;,()]+/g, (urn) => urnLabel(urn));
}
