"""Parameterized Cypher shared by every adapter (LadybugDB and Neo4j speak the same here).

Schema statements differ per backend and live in each adapter's module.
"""

UPSERT_NODES = """
UNWIND $rows AS r
MERGE (n:Node {urn: r.urn})
ON CREATE SET n.kind = r.kind, n.created_at = r.created_at, n.props = r.props
ON MATCH SET n.props = r.props
"""

OPEN_EDGES = """
UNWIND $rows AS r
MATCH (a:Node {urn: r.src}), (b:Node {urn: r.dst})
MERGE (a)-[e:Edge {eid: r.eid}]->(b)
ON CREATE SET e.kind = r.kind, e.valid_from = r.valid_from, e.valid_to = r.valid_to,
              e.props = r.props
RETURN count(e) AS merged
"""

CLOSE_EDGES = """
UNWIND $rows AS r
MATCH (a:Node {urn: r.src})-[e:Edge {eid: r.eid}]->(:Node)
SET e.valid_to = r.valid_to
RETURN count(e) AS closed
"""

SET_APPLIED_SEQ = "MERGE (m:Meta {key: 'applied_seq'}) SET m.ival = $seq"
GET_APPLIED_SEQ = "MATCH (m:Meta {key: 'applied_seq'}) RETURN m.ival AS seq"

GET_NODES = """
MATCH (n:Node) WHERE n.urn IN $urns
RETURN n.urn AS urn, n.kind AS kind, n.created_at AS created_at, n.props AS props
"""

ALL_NODES = """
MATCH (n:Node)
RETURN n.urn AS urn, n.kind AS kind, n.created_at AS created_at, n.props AS props
"""

ALL_EDGES = """
MATCH (a:Node)-[e:Edge]->(b:Node)
RETURN e.kind AS kind, a.urn AS src, b.urn AS dst, e.valid_from AS valid_from,
       e.valid_to AS valid_to, e.props AS props
"""

COUNT_NODES = "MATCH (n:Node) RETURN count(n) AS c"
COUNT_EDGES = "MATCH (:Node)-[e:Edge]->(:Node) RETURN count(e) AS c"
DELETE_META = "MATCH (m:Meta) DELETE m"
