// The home page: search as you type, facets, and a purpose selector that greys out what the
// active policies forbid for that purpose (the reason on hover and on keyboard focus).
import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { gql } from "../api";
import { ClassificationChip, KindBadge, QualityBadge, StatusBadge, type Trace } from "../components/Badges";
import { Empty, ErrorState } from "../components/States";
import { PurposeSelect, usePurposes } from "../components/PurposeSelect";
import { humanize, kindFromEnum, pagePath } from "../urn";

type Hit = {
  urn: string;
  kind: string;
  name: string;
  description: string;
  owners: string[];
  status: string;
  quality: string;
  productionDeployments: number;
  classifications: Trace[];
};
type Facet = { value: string; count: number };
type Results = {
  total: number;
  hits: Hit[];
  facets: { kinds: Facet[]; owners: Facet[]; classifications: Facet[]; statuses: Facet[] };
};
type Usability = { feature: string; allow: boolean; deny: string[] };

const SEARCH = `query Search($query: String!, $filters: SearchFilters, $first: Int!) {
  search(query: $query, filters: $filters, first: $first) {
    __typename
    ... on SearchResults {
      total
      hits { urn kind name description owners status quality productionDeployments
             classifications { tag source inherited path } }
      facets { kinds { value count } owners { value count } classifications { value count } statuses { value count } }
    }
    ... on InvalidInputError { message }
  }
}`;

const USABILITY = `query Usability($purpose: String!, $features: [ID!]!) {
  featureUsability(purpose: $purpose, features: $features) {
    __typename
    ... on FeatureUsabilityList { features { feature allow deny } }
    ... on NotFoundError { message }
    ... on InvalidInputError { message }
  }
}`;

const DEBOUNCE_MS = 80;
const FRESHNESS: [string, string][] = [
  ["", "any time"],
  ["7", "in the last 7 days"],
  ["30", "in the last 30 days"],
  ["365", "in the last year"],
];

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const query = useDebounced(text, DEBOUNCE_MS);
  const [results, setResults] = useState<{ query: string; data: Results } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [usability, setUsability] = useState<Map<string, Usability>>(new Map());
  const input = useRef<HTMLInputElement>(null);
  const purposes = usePurposes();

  const kind = params.get("kind") ?? "";
  const owner = params.get("owner") ?? "";
  const cls = params.get("cls") ?? "";
  const status = params.get("status") ?? "";
  const prod = params.get("prod") === "1";
  const fresh = params.get("fresh") ?? "";
  const purpose = params.get("purpose") ?? "";

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  // keep ?q= in step with the box, so a search is a link
  useEffect(() => {
    if ((params.get("q") ?? "") !== query) setParam("q", query);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  // "/" anywhere focuses the search box
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) {
        event.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const filters = useMemo(() => {
    const f: Record<string, unknown> = {};
    if (kind) f.kinds = [kind.toUpperCase().replace(/-/g, "_")];
    if (owner) f.owner = owner;
    if (cls) f.classification = cls;
    if (status) f.status = status;
    if (prod) f.inProduction = true;
    if (fresh) f.updatedAfter = new Date(Date.now() - Number(fresh) * 86_400_000).toISOString();
    return f;
  }, [kind, owner, cls, status, prod, fresh]);

  useEffect(() => {
    const controller = new AbortController();
    gql<{ search: Results & { __typename: string; message?: string } }>(
      SEARCH,
      { query, filters, first: 20 },
      controller.signal,
    )
      .then((data) => {
        if (data.search.__typename === "InvalidInputError") {
          setError(data.search.message ?? "invalid search");
          return;
        }
        setError(null);
        setResults({ query, data: data.search });
      })
      .catch((e: Error) => {
        if (e.name !== "AbortError") setError(e.message);
      });
    return () => controller.abort();
  }, [query, filters]);

  const features = useMemo(
    () => (results?.data.hits ?? []).filter((h) => h.kind === "FEATURE").map((h) => h.urn),
    [results],
  );
  useEffect(() => {
    if (!purpose || features.length === 0) {
      setUsability(new Map());
      return;
    }
    const controller = new AbortController();
    gql<{ featureUsability: { __typename: string; features?: Usability[]; message?: string } }>(
      USABILITY,
      { purpose, features },
      controller.signal,
    )
      .then((data) => {
        const list = data.featureUsability.features ?? [];
        setUsability(new Map(list.map((u) => [u.feature, u])));
      })
      .catch(() => setUsability(new Map()));
    return () => controller.abort();
  }, [purpose, features]);

  const facets = results?.data.facets;
  return (
    <div className="search-page">
      <h1 className="visually-hidden">Search the catalog</h1>
      <form className="searchbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="q" className="visually-hidden">
          Search features, datasets, models, jobs, runs, training sets and deployments
        </label>
        <input
          id="q"
          ref={input}
          type="search"
          placeholder="Search features, datasets, models… (press / to focus)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoFocus
          autoComplete="off"
        />
        <PurposeSelect
          purposes={purposes}
          value={purpose}
          onChange={(value) => setParam("purpose", value)}
          id="purpose"
        />
      </form>
      <div className="search-layout">
        <aside className="facets" aria-label="Filters">
          <h2>Filters</h2>
          <FacetSelect label="Kind" name="kind" value={kind} facets={facets?.kinds ?? []}
            format={(v) => kindFromEnum(v).replace(/-/g, " ")} onChange={(v) => setParam("kind", v)} />
          <FacetSelect label="Status" name="status" value={status} facets={facets?.statuses.filter((f) => f.value !== "none") ?? []}
            onChange={(v) => setParam("status", v)} />
          <FacetSelect label="Owner" name="owner" value={owner} facets={facets?.owners ?? []}
            onChange={(v) => setParam("owner", v)} />
          <FacetSelect label="Classification" name="cls" value={cls} facets={facets?.classifications ?? []}
            onChange={(v) => setParam("cls", v)} />
          <div className="facet">
            <label htmlFor="fresh">Updated</label>
            <select id="fresh" value={fresh} onChange={(e) => setParam("fresh", e.target.value)}>
              {FRESHNESS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="facet facet-check">
            <input id="prod" type="checkbox" checked={prod} onChange={(e) => setParam("prod", e.target.checked ? "1" : "")} />
            <label htmlFor="prod">Used in production</label>
          </div>
        </aside>
        <section className="results" aria-label="Results" aria-busy={results?.query !== query}>
          {error && <ErrorState message={error} />}
          {!error && results === null && (
            <p className="state state-loading" role="status">
              <span className="spinner" aria-hidden="true" /> Searching…
            </p>
          )}
          {!error && results !== null && (
            <>
              <p className="result-count" role="status" aria-live="polite">
                {results.data.total} result{results.data.total === 1 ? "" : "s"}
                {results.query ? ` for “${results.query}”` : ""}
                {purpose ? ` · checked for ${purpose}` : ""}
              </p>
              {results.data.hits.length === 0 ? (
                <Empty>
                  Nothing matches{results.query ? ` “${results.query}”` : ""} with these filters. Try fewer words or clear a filter.
                </Empty>
              ) : (
                <ol className="hits" data-testid="hits" data-query={results.query}>
                  {results.data.hits.map((hit) => (
                    <HitCard key={hit.urn} hit={hit} purpose={purpose} usability={usability.get(hit.urn)} />
                  ))}
                </ol>
              )}
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function FacetSelect(props: {
  label: string;
  name: string;
  value: string;
  facets: Facet[];
  onChange: (value: string) => void;
  format?: (value: string) => string;
}) {
  const { label, name, value, facets, onChange, format = (v) => v } = props;
  const present = facets.some((f) => f.value === value);
  return (
    <div className="facet">
      <label htmlFor={`facet-${name}`}>{label}</label>
      <select id={`facet-${name}`} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {value && !present && <option value={value}>{format(value)}</option>}
        {facets.map((f) => (
          <option key={f.value} value={f.value}>
            {format(f.value)} ({f.count})
          </option>
        ))}
      </select>
    </div>
  );
}

function HitCard({ hit, purpose, usability }: { hit: Hit; purpose: string; usability?: Usability }) {
  const forbidden = usability !== undefined && !usability.allow;
  const reasonId = `reason-${hit.urn.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
  const kind = kindFromEnum(hit.kind);
  return (
    <li className={`hit ${forbidden ? "forbidden" : ""}`} data-urn={hit.urn} data-allowed={usability ? String(usability.allow) : undefined}>
      <div className="hit-head">
        <Link to={pagePath(hit.urn)} className="hit-name">
          {hit.name}
        </Link>
        <KindBadge kind={kind} />
        <StatusBadge status={hit.status} />
        {kind !== "model" && <QualityBadge quality={hit.quality} />}
        {usability && usability.allow && <span className="badge allowed">allowed for {purpose}</span>}
        {forbidden && (
          <span className="forbid-wrap">
            <button type="button" className="badge forbid" aria-describedby={reasonId}>
              not allowed for {purpose}
            </button>
            <span role="tooltip" id={reasonId} className="tooltip">
              {humanize(usability.deny.join("; "))}
            </span>
          </span>
        )}
      </div>
      {hit.description && <p className="hit-description">{hit.description}</p>}
      <p className="hit-meta">
        {hit.owners.length > 0 && <span>owned by {hit.owners.join(", ")}</span>}
        <span>
          {hit.productionDeployments > 0
            ? `used by ${hit.productionDeployments} production deployment${hit.productionDeployments === 1 ? "" : "s"}`
            : "not in production"}
        </span>
      </p>
      {hit.classifications.length > 0 && (
        <p className="chips" aria-label="Classifications">
          {hit.classifications.map((t) => (
            <ClassificationChip key={t.tag} trace={t} />
          ))}
        </p>
      )}
    </li>
  );
}
