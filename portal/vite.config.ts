import { defineConfig } from "vite";

// The build goes into the Python package, which serves it (server/provgraph/server/http/portal.py)
// and which the wheel carries. No @vitejs/plugin-react: esbuild compiles TSX on its own.
export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "../server/provgraph/server/portal_dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          graph: ["cytoscape", "cytoscape-dagre"],
          react: ["react", "react-dom", "react-router-dom"],
        },
      },
    },
  },
});
