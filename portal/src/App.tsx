import { lazy, Suspense, useEffect } from "react";
import { Link, NavLink, Route, Routes, useLocation } from "react-router-dom";
import { AuthProvider, useAuth } from "./auth";
import { ErrorState, Loading } from "./components/States";
import { NotFound } from "./pages/NotFound";
import { SearchPage } from "./pages/SearchPage";
import { SignIn } from "./pages/SignIn";

// the pages with the lineage graph load the graph library on demand: the search page paints first
const FeaturePage = lazy(() => import("./pages/FeaturePage").then((m) => ({ default: m.FeaturePage })));
const NodePage = lazy(() => import("./pages/NodePage").then((m) => ({ default: m.NodePage })));
const StewardPage = lazy(() => import("./pages/StewardPage").then((m) => ({ default: m.StewardPage })));

export function App() {
  return (
    <AuthProvider>
      <Shell />
    </AuthProvider>
  );
}

function Shell() {
  const { state, signOut } = useAuth();
  const location = useLocation();
  useEffect(() => {
    // a new page: move focus to the top of its content for keyboard and screen-reader users
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          provgraph
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Search
          </NavLink>
          <NavLink to="/steward">Steward</NavLink>
          <a href="/graphql">GraphiQL</a>
          <a href="/docs">API docs</a>
        </nav>
        <div className="who" data-testid="who">
          {state.status === "signed-in" && (
            <>
              <span>
                {state.viewer.anonymous ? "Demo mode" : state.viewer.actor}
                {" · "}
                <span className="role" data-testid="role">
                  {state.viewer.role}
                </span>
              </span>
              {!state.viewer.anonymous && (
                <button type="button" className="link-button" onClick={signOut}>
                  Sign out
                </button>
              )}
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {state.status === "loading" && <Loading what="the catalog" />}
        {state.status === "error" && <ErrorState message={state.message} />}
        {state.status === "needs-token" && <SignIn refused={state.refused} />}
        {state.status === "signed-in" && (
          <Suspense fallback={<Loading what="the page" />}>
          <Routes>
            <Route path="/" element={<SearchPage />} />
            <Route path="/feature/:urn" element={<FeaturePage />} />
            <Route path="/steward" element={<StewardPage viewer={state.viewer} />} />
            <Route path="/signin" element={<SignIn refused={null} />} />
            <Route path="/:kind/:urn" element={<NodePage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
          </Suspense>
        )}
      </main>
    </>
  );
}
