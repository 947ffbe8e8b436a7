// GraphiQL from local assets; it sends the token the portal signed in with (kept in this
// browser session only).
(function () {
  var token = sessionStorage.getItem("provgraph.token");
  var headers = token ? { Authorization: "Bearer " + token } : {};
  document.getElementById("who").textContent = token
    ? "signed in: GraphiQL sends your token"
    : "no token: anonymous access (sign in on the portal)";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql", headers: headers });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolbarOpen: true,
      defaultQuery:
        '# provgraph GraphQL: try a search\n{\n  search(query: "pickup") {\n    ... on SearchResults {\n      total\n      hits { urn kind name reasons }\n    }\n  }\n}\n',
    })
  );
})();
