// Run a GraphQL query when its inputs change: loading, data or error, and a stale answer never
// overwrites a newer one.
import { useEffect, useState } from "react";
import { gql } from "./api";

export type QueryState<T> =
  | { status: "loading"; data?: T }
  | { status: "done"; data: T }
  | { status: "error"; message: string };

export function useQuery<T>(
  query: string | null,
  variables: Record<string, unknown>,
  reload = 0,
): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ status: "loading" });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    setState((previous) => ({
      status: "loading",
      data: previous.status === "done" ? previous.data : undefined,
    }));
    gql<T>(query, JSON.parse(key), controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ status: "done", data });
      })
      .catch((error: Error) => {
        if (!controller.signal.aborted && error.name !== "AbortError")
          setState({ status: "error", message: error.message });
      });
    return () => controller.abort();
  }, [query, key, reload]);
  return state;
}
