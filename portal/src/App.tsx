import { Route, Routes } from "react-router-dom";

export function App() {
  return (
    <main id="main">
      <Routes>
        <Route path="*" element={<h1>provgraph</h1>} />
      </Routes>
    </main>
  );
}
