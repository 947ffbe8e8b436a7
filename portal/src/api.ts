// The portal reads only through the GraphQL API, sending the signed-in token if there is one.
import { getToken } from "./session";

export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthError";
  }
}

export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiError";
  }
}

type GraphQLResponse<T> = { data?: T; errors?: { message: string }[] };

export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<T> {
  const token = getToken();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (response.status === 401) {
    const body = await response.json().catch(() => ({ detail: "sign-in needed" }));
    throw new AuthError(String(body.detail ?? "sign-in needed"));
  }
  if (!response.ok) {
    const text = await response.text();
    let detail = text;
    try {
      const parsed = JSON.parse(text);
      detail = parsed.detail ?? parsed.message ?? text;
    } catch {
      /* not JSON */
    }
    throw new ApiError(`the server answered ${response.status}: ${detail}`);
  }
  const body = (await response.json()) as GraphQLResponse<T>;
  if (body.errors?.length) {
    throw new ApiError(body.errors.map((e) => e.message).join("; "));
  }
  if (!body.data) throw new ApiError("the server sent no data");
  return body.data;
}
