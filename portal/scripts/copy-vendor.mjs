// Copy GraphiQL, React (UMD) and Swagger UI from node_modules into the build, so that /graphql
// and /docs work with no internet: nothing is ever loaded from a CDN.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = resolve(here, "..", "node_modules");
const out = resolve(here, "..", "..", "server", "provgraph", "server", "portal_dist", "vendor");
mkdirSync(out, { recursive: true });

const files = [
  ["react/umd/react.production.min.js", "react.production.min.js"],
  ["react-dom/umd/react-dom.production.min.js", "react-dom.production.min.js"],
  ["graphiql/graphiql.min.js", "graphiql.min.js"],
  ["graphiql/graphiql.min.css", "graphiql.min.css"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
  ["swagger-ui-dist/favicon-32x32.png", "favicon-32x32.png"],
];
for (const [from, to] of files) {
  copyFileSync(join(modules, from), join(out, to));
}
console.log(`copied ${files.length} vendor files to ${out}`);
