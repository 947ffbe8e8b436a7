"""Parameterized Cypher shared by every adapter (LadybugDB and Neo4j speak the same here).

Schema statements differ per backend and live in each adapter's module.
"""

# Each endpoint is matched in its own clause (MATCH ... WITH ... MATCH): LadybugDB then looks
# both up by primary key instead of joining every row against every node (~100x faster).

CREATE_NODES = """
UNWIND $rows AS r
CREATE (n:Node {urn: r.urn, kind: r.kind, created_at: r.created_at, props: r.props})
"""

UPDATE_NODES = """
UNWIND $rows AS r
MATCH (n:Node {urn: r.urn})
SET n.props = r.props
RETURN count(n) AS matched
"""

OPEN_EDGES = """
UNWIND $rows AS r
MATCH (a:Node {urn: r.src})
WITH a, r
MATCH (b:Node {urn: r.dst})
CREATE (a)-[e:Edge {eid: r.eid, kind: r.kind, valid_from: r.valid_from, valid_to: r.valid_to,
                    props: r.props}]->(b)
RETURN count(e) AS matched
"""

CLOSE_EDGES = """
UNWIND $rows AS r
MATCH (a:Node {urn: r.src})
WITH a, r
MATCH (a)-[e:Edge]->(:Node)
WHERE e.eid = r.eid
SET e.valid_to = r.valid_to
RETURN count(e) AS matched
"""

SET_APPLIED_SEQ = "MERGE (m:Meta {key: 'applied_seq'}) SET m.ival = $seq"
GET_APPLIED_SEQ = "MATCH (m:Meta {key: 'applied_seq'}) RETURN m.ival AS seq"
SET_LOG_IDENTITY = "MERGE (m:Meta {key: 'log_identity'}) SET m.ival = $identity"
GET_LOG_IDENTITY = "MATCH (m:Meta {key: 'log_identity'}) RETURN m.ival AS identity"

GET_NODES = """
UNWIND $urns AS u
MATCH (n:Node {urn: u})
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
