import { Link } from "react-router-dom";

export function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link to="/">Search the catalog</Link> instead.
      </p>
    </section>
  );
}
