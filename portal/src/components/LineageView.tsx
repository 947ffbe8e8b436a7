// The interactive lineage graph: Cytoscape.js with the dagre layered layout, drawn from the
// GraphQL `lineage` query; nodes expand and collapse, and an as-of slider redraws the graph as
// it was at that moment. A list of the same nodes is the keyboard and screen-reader view.
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import dagre from "cytoscape-dagre";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { gql } from "../api";
import { KIND_LABEL, kindFromEnum, pagePath, urnLabel } from "../urn";
import { NodeLink } from "./Badges";
import { ErrorState } from "./States";

cytoscape.use(dagre);

export type Direction = "UPSTREAM" | "DOWNSTREAM" | "BOTH";
export type Root = { urn: string; direction: Direction };
type GNode = { urn: string; kind: string };
type GEdge = { kind: string; source: string; target: string; validFrom: string; validTo: string | null };
type Graph = { nodes: GNode[]; edges: GEdge[]; partial: string[] };

const LINEAGE = `query Lineage($urn: ID!, $direction: Direction!, $depth: Int!, $asOf: DateTime, $limit: Int!) {
  lineage(urn: $urn, direction: $direction, depth: $depth, asOf: $asOf, limit: $limit) {
    __typename
    ... on LineageGraph { isPartial partialReasons nodes { urn kind } edges { kind source target validFrom validTo } }
    ... on NotFoundError { message }
    ... on InvalidInputError { message }
  }
}`;

type LineageAnswer = {
  lineage: {
    __typename: string;
    message?: string;
    isPartial?: boolean;
    partialReasons?: string[];
    nodes?: { urn: string; kind: string }[];
    edges?: GEdge[];
  };
};

// edges stored pointing from a consumer to what it used: drawn the other way, so the graph
// flows from source data (left) to deployments (right)
const UPSTREAM_POINTING = new Set([
  "COMPUTED_FROM", "DERIVED_FROM", "TRAINED_ON", "INCLUDES", "DRAWN_FROM", "SERVES", "CONSUMED", "READS",
]);
const COLORS: Record<string, string> = {
  dataset: "#1f6feb", "dataset-version": "#5b8def", column: "#7d8fb3", job: "#8250df", run: "#a47be6",
  feature: "#1a7f37", "feature-version": "#4aa564", "training-set": "#bf8700", model: "#cf222e",
  "model-version": "#e5534b", deployment: "#9a3412", "validation-result": "#57606a", "policy-decision": "#57606a",
};
const LIMIT = 500;
const DAY = 86_400_000;

async function fetchGraph(roots: Root[], depth: number, asOf: string | null): Promise<Graph> {
  const answers = await Promise.all(
    roots.map((root) =>
      gql<LineageAnswer>(LINEAGE, { urn: root.urn, direction: root.direction, depth, asOf, limit: LIMIT }),
    ),
  );
  return merge(
    answers.map((a) => {
      if (a.lineage.__typename !== "LineageGraph") throw new Error(a.lineage.message ?? "no lineage");
      return {
        nodes: (a.lineage.nodes ?? []).map((n) => ({ urn: n.urn, kind: kindFromEnum(n.kind) })),
        edges: a.lineage.edges ?? [],
        partial: a.lineage.isPartial ? a.lineage.partialReasons ?? [] : [],
      };
    }),
  );
}

function merge(graphs: Graph[]): Graph {
  const nodes = new Map<string, GNode>();
  const edges = new Map<string, GEdge>();
  const partial = new Set<string>();
  for (const g of graphs) {
    g.nodes.forEach((n) => nodes.set(n.urn, n));
    g.edges.forEach((e) => edges.set(`${e.source}|${e.kind}|${e.target}`, e));
    g.partial.forEach((p) => partial.add(p));
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()], partial: [...partial] };
}

// labels are cut here, not by Cytoscape's text wrapping (measuring every label is slow)
function shorten(label: string): string {
  return label.length > 28 ? `${label.slice(0, 27)}…` : label;
}

function toElements(graph: Graph, focus: string, expanded: Set<string>): ElementDefinition[] {
  const present = new Set(graph.nodes.map((n) => n.urn));
  // a big graph drawn to fit the screen has unreadable labels: show them on hover and
  // selection only (measuring hundreds of labels is most of the drawing time)
  const quiet = graph.nodes.length > DAGRE_MAX;
  const nodes: ElementDefinition[] = graph.nodes.map((n) => ({
    data: { id: n.urn, label: shorten(urnLabel(n.urn)), kind: n.kind, color: COLORS[n.kind] ?? "#57606a" },
    classes: [
      n.urn === focus ? "focus" : "",
      expanded.has(n.urn) ? "expanded" : "",
      quiet && n.urn !== focus ? "quiet" : "",
    ].join(" "),
  }));
  const edges: ElementDefinition[] = graph.edges
    .filter((e) => present.has(e.source) && present.has(e.target))
    .map((e) => {
      const flip = UPSTREAM_POINTING.has(e.kind);
      return {
        data: {
          id: `${e.source}|${e.kind}|${e.target}`,
          source: flip ? e.target : e.source,
          target: flip ? e.source : e.target,
          kind: e.kind,
        },
      };
    });
  return [...nodes, ...edges];
}

/** Dagre (layered, with crossing reduction) up to DAGRE_MAX nodes; beyond, Cytoscape's own
 * layered breadth-first layout from the focus, which stays fast for big graphs. */
const DAGRE_MAX = 250;

function layoutFor(nodes: number, focus: string): cytoscape.LayoutOptions {
  if (nodes <= DAGRE_MAX)
    return { name: "dagre", rankDir: "LR", ranker: "longest-path", nodeSep: 8, rankSep: 70, edgeSep: 4, fit: true, padding: 16 } as cytoscape.LayoutOptions;
  return { name: "breadthfirst", directed: false, roots: [focus], spacingFactor: 0.6, fit: true, padding: 16, avoidOverlap: false, animate: false, transform: (_node: unknown, pos: cytoscape.Position) => ({ x: -pos.y, y: pos.x }) } as unknown as cytoscape.LayoutOptions;
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      "background-color": "data(color)", label: "data(label)", "font-size": 9, color: "#1f2328",
      "text-valign": "bottom", "text-margin-y": 3, width: 16, height: 16,
      "min-zoomed-font-size": 7,
    },
  },
  { selector: "node.focus", style: { width: 26, height: 26, "border-width": 3, "border-color": "#1f2328", "font-weight": "bold" } },
  { selector: "node.expanded", style: { shape: "round-rectangle" } },
  { selector: "node.quiet", style: { label: "" } },
  { selector: "node.quiet.hover, node.quiet:selected", style: { label: "data(label)" } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#fb8500" } },
  {
    selector: "edge",
    style: {
      width: 1, "line-color": "#8c959f", "target-arrow-color": "#8c959f", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "straight",
    },
  },
];

export function LineageView(props: {
  focus: string;
  /** What to walk from, as of a moment (null: now); a feature walks up from its version then. */
  rootsAt: (asOf: string | null) => Root[];
  defaultDepth?: number;
}) {
  const { focus, rootsAt, defaultDepth = 6 } = props;
  const [params, setParams] = useSearchParams();
  const asOf = params.get("asOf");
  const depth = Number(params.get("depth") ?? defaultDepth) || defaultDepth;
  const [base, setBase] = useState<Graph | null>(null);
  // the moment the drawn graph was read at: the URL's as-of changes before its graph arrives
  const [drawnAt, setDrawnAt] = useState<string | null>(asOf);
  const [expansions, setExpansions] = useState<Map<string, Graph>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [earliest, setEarliest] = useState<number | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [slider, setSlider] = useState<number | null>(null);
  // the slider's ticks: the first day each edge of the graph as it is now held (moments the API answered)
  const [ticks, setTicks] = useState<number[]>([]);
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const navigate = useNavigate();
  const now = useMemo(() => Math.ceil(Date.now() / DAY) * DAY, []);
  const roots = useMemo(() => rootsAt(asOf), [rootsAt, asOf]);
  const rootsKey = JSON.stringify(roots);

  const setParam = useCallback(
    (name: string, value: string | null) => {
      const next = new URLSearchParams(params);
      if (value) next.set(name, value);
      else next.delete(name);
      setParams(next, { replace: true });
    },
    [params, setParams],
  );

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    fetchGraph(JSON.parse(rootsKey) as Root[], depth, asOf)
      .then(async (graph) => {
        // expansions are redrawn as of the same moment
        const again = await Promise.all(
          [...expansions.keys()].map(async (urn) => [urn, await fetchGraph([{ urn, direction: "BOTH" }], 1, asOf)] as const),
        );
        if (cancelled) return;
        setBase(graph);
        setDrawnAt(asOf);
        setExpansions(new Map(again));
        setError(null);
        if (asOf === null)
          setTicks(
            [...new Set(graph.edges.map((e) => Math.ceil(Date.parse(e.validFrom) / DAY) * DAY))]
              .filter((t) => !Number.isNaN(t) && t < now)
              .sort((a, b) => a - b),
          );
        if (earliest === null && asOf === null) {
          const times = graph.edges.map((e) => Date.parse(e.validFrom)).filter((t) => !Number.isNaN(t));
          setEarliest(times.length ? Math.floor(Math.min(...times) / DAY) * DAY : now - 365 * DAY);
        }
      })
      .catch((e: Error) => !cancelled && setError(e.message))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rootsKey, depth, asOf]);

  const graph = useMemo(
    () => (base ? merge([base, ...expansions.values()]) : null),
    [base, expansions],
  );
  const expanded = useMemo(() => new Set(expansions.keys()), [expansions]);

  const toggle = useCallback(
    async (urn: string) => {
      if (expansions.has(urn)) {
        const next = new Map(expansions);
        next.delete(urn);
        setExpansions(next);
        return;
      }
      try {
        const more = await fetchGraph([{ urn, direction: "BOTH" }], 1, asOf);
        setExpansions((current) => new Map(current).set(urn, more));
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [expansions, asOf],
  );

  // draw (and time) the graph whenever it changes
  useEffect(() => {
    const el = container.current;
    if (!el || !graph) return;
    const started = performance.now();
    if (!cy.current) {
      cy.current = cytoscape({
        container: el, style: STYLE, minZoom: 0.05, maxZoom: 3,
        textureOnViewport: true, hideEdgesOnViewport: true,
      });
      cy.current.on("tap", "node", (event) => setSelected(event.target.id()));
      cy.current.on("mouseover", "node", (event) => event.target.addClass("hover"));
      cy.current.on("mouseout", "node", (event) => event.target.removeClass("hover"));
      cy.current.on("tap", (event) => event.target === cy.current && setSelected(null));
    }
    const instance = cy.current;
    instance.batch(() => {
      instance.elements().remove();
      instance.add(toElements(graph, focus, expanded));
    });
    const layout = instance.layout(layoutFor(graph.nodes.length, focus));
    let laidOut = 0;
    layout.one("layoutstop", () => {
      laidOut = performance.now();
      requestAnimationFrame(() => {
        el.dataset.layoutMs = (laidOut - layoutStarted).toFixed(1);
        el.dataset.drawMs = (performance.now() - started).toFixed(1);
        el.dataset.nodeCount = String(graph.nodes.length);
        el.dataset.edgeCount = String(instance.edges().length);
        el.dataset.asOf = drawnAt ?? "now";
        el.dataset.ready = "true";
      });
    });
    el.dataset.ready = "false";
    const layoutStarted = performance.now();
    layout.run();
  }, [graph, focus, expanded, drawnAt]);

  useEffect(() => () => cy.current?.destroy(), []);

  useEffect(() => {
    if (!cy.current) return;
    cy.current.$(":selected").unselect();
    if (selected) cy.current.getElementById(selected).select();
  }, [selected]);

  const sliderValue = slider ?? (asOf ? Date.parse(asOf) : now);
  useEffect(() => {
    if (slider === null) return;
    const timer = window.setTimeout(() => {
      setParam("asOf", slider >= now ? null : new Date(slider).toISOString().replace(".000Z", "Z"));
      setSlider(null);
    }, 200);
    return () => window.clearTimeout(timer);
  }, [slider, now, setParam]);
  const asOfText = sliderValue >= now ? "now" : new Date(sliderValue).toISOString().slice(0, 10);

  return (
    <section className="lineage" aria-labelledby="lineage-title">
      <div className="lineage-head">
        <h2 id="lineage-title">Lineage</h2>
        <div className="lineage-controls">
          <label className="asof">
            <span>As of <output data-testid="asof-label">{asOfText}</output></span>
            <input
              type="range"
              data-testid="asof"
              min={earliest ?? now - 365 * DAY}
              max={now}
              step={DAY}
              list="asof-ticks"
              value={sliderValue}
              onChange={(e) => setSlider(Number(e.target.value))}
              aria-valuetext={asOfText}
            />
            <datalist id="asof-ticks" data-testid="asof-ticks">
              {ticks.map((t) => <option key={t} value={t} label={new Date(t).toISOString().slice(0, 10)} />)}
            </datalist>
          </label>
          <label className="asof-date">
            <span className="visually-hidden">As of date (UTC)</span>
            <input
              type="date"
              data-testid="asof-date"
              min={earliest === null ? undefined : new Date(earliest).toISOString().slice(0, 10)}
              max={new Date(now).toISOString().slice(0, 10)}
              value={asOf ? asOf.slice(0, 10) : ""}
              onChange={(e) => setParam("asOf", e.target.value ? `${e.target.value}T00:00:00Z` : null)}
            />
          </label>
          {/* always there (disabled at now), so the slider does not move under the pointer */}
          <button type="button" disabled={!asOf} onClick={() => setParam("asOf", null)}>
            Back to now
          </button>
          <label>
            Hops{" "}
            <select value={depth} onChange={(e) => setParam("depth", e.target.value === String(defaultDepth) ? null : e.target.value)}>
              {[1, 2, 3, 4, 6, 8, 12, 20, 30, 50, 100].map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {error && <ErrorState message={error} />}
      {graph && graph.partial.length > 0 && (
        <p className="note">Cut short ({graph.partial.join(", ").toLowerCase()}): raise the hops or expand a node.</p>
      )}
      <div className="graph-wrap">
        <div
          ref={container}
          className="graph"
          data-testid="lineage-graph"
          role="img"
          aria-label={`Lineage graph of ${graph?.nodes.length ?? 0} nodes as of ${asOfText}; the list below has the same nodes`}
        />
        {loading && (
          <p className="graph-loading" role="status">
            <span className="spinner" aria-hidden="true" /> Drawing lineage…
          </p>
        )}
      </div>
      {graph && (
        <ul className="kind-legend" data-testid="lineage-legend" aria-label="Colours of the node kinds">
          {[...new Set(graph.nodes.map((n) => n.kind))].map((kind) => (
            <li key={kind} data-kind={kind}>
              <span className="swatch" aria-hidden="true" style={{ background: COLORS[kind] ?? "#57606a" }} />{" "}
              {KIND_LABEL[kind] ?? kind} ({graph.nodes.filter((n) => n.kind === kind).length})
            </li>
          ))}
        </ul>
      )}
      <p className="legend">
        Data flows left to right. Click a node to select it; expand it to see its neighbours. Shift-drag to
        zoom a box.
      </p>
      {selected && (
        <div className="selected" data-testid="selected-node">
          <strong>{urnLabel(selected)}</strong> <span>({KIND_LABEL[graph?.nodes.find((n) => n.urn === selected)?.kind ?? ""] ?? "node"})</span>{" "}
          <button type="button" onClick={() => navigate(pagePath(selected))}>
            Open its page
          </button>{" "}
          <button type="button" onClick={() => void toggle(selected)}>
            {expanded.has(selected) ? "Collapse" : "Expand"}
          </button>
        </div>
      )}
      {graph && (
        <details className="node-list">
          <summary>List of the {graph.nodes.length} nodes in this graph</summary>
          <ul data-testid="lineage-nodes">
            {graph.nodes.map((n) => (
              <li key={n.urn} data-urn={n.urn}>
                <span className="muted">{KIND_LABEL[n.kind] ?? n.kind}</span> <NodeLink urn={n.urn} />{" "}
                <button type="button" className="link-button" onClick={() => void toggle(n.urn)} aria-label={`${expanded.has(n.urn) ? "Collapse" : "Expand"} ${urnLabel(n.urn)}`}>
                  {expanded.has(n.urn) ? "collapse" : "expand"}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
