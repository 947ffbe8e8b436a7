import { useState, type FormEvent } from "react";
import { useAuth } from "../auth";

export function SignIn({ refused }: { refused: string | null }) {
  const { signIn } = useAuth();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    await signIn(token);
    setBusy(false);
  };
  return (
    <section className="signin">
      <h1>Sign in</h1>
      <p>
        This catalog needs an API token. Ask an admin for one (<code>provgraph token create NAME --role reader</code>).
        It is kept only for this browser session.
      </p>
      {refused && (
        <p className="state state-error" role="alert" data-testid="refused">
          That token was refused: {refused}
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </section>
  );
}
