// Who is signed in: the viewer as the server sees them, asked once per token.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { AuthError, gql } from "./api";
import { getToken, setToken } from "./session";

export type Viewer = { actor: string; role: string; anonymous: boolean };

type AuthState =
  | { status: "loading" }
  | { status: "signed-in"; viewer: Viewer }
  | { status: "needs-token"; refused: string | null }
  | { status: "error"; message: string };

type AuthContextValue = {
  state: AuthState;
  signIn: (token: string) => Promise<boolean>;
  signOut: () => void;
};

const AuthContext = createContext<AuthContextValue | null>(null);
const ROLES = ["reader", "producer", "steward", "admin"];

export function roleAtLeast(viewer: Viewer, role: string): boolean {
  return ROLES.indexOf(viewer.role) >= ROLES.indexOf(role);
}

async function fetchViewer(): Promise<Viewer> {
  const data = await gql<{ viewer: Viewer }>("{ viewer { actor role anonymous } }");
  return data.viewer;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "loading" });

  const load = useCallback(async (): Promise<boolean> => {
    try {
      setState({ status: "signed-in", viewer: await fetchViewer() });
      return true;
    } catch (error) {
      if (error instanceof AuthError) {
        const hadToken = getToken() !== null;
        setToken(null);
        setState({ status: "needs-token", refused: hadToken ? error.message : null });
        return false;
      }
      setState({ status: "error", message: String((error as Error).message) });
      return false;
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const signIn = useCallback(
    async (token: string) => {
      setToken(token.trim());
      return load();
    },
    [load],
  );

  const signOut = useCallback(() => {
    setToken(null);
    void load();
  }, [load]);

  return <AuthContext.Provider value={{ state, signIn, signOut }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
