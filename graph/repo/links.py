"""Cypher fragments that mirror a node's ``area_id`` and ``interests`` as edges.

The fields on the node are what reads return; the edges (``IN``, ``INTERESTED_IN``)
let Cypher and the networkx projections walk the graph. Each fragment continues a statement
that has the node as ``n``, drops the node's old edges of that type and links it to the Area or
Interest nodes that exist (an id with no node yet gets no edge). Names start with ``_`` because
they are pieces, not statements: the Neo4j lint test collects only whole statements.
"""

from __future__ import annotations

_LINK_AREA = """
WITH n
OPTIONAL MATCH (n)-[old:IN]->(:Area)
DELETE old
WITH DISTINCT n
OPTIONAL MATCH (area:Area) WHERE area.id = n.area_id
WITH n, collect(area) AS areas
FOREACH (area IN areas | CREATE (n)-[:IN]->(area))
"""

_LINK_INTERESTS = """
WITH n
OPTIONAL MATCH (n)-[old:INTERESTED_IN]->(:Interest)
DELETE old
WITH DISTINCT n
OPTIONAL MATCH (interest:Interest) WHERE interest.id IN n.interests
WITH n, collect(interest) AS interests
FOREACH (interest IN interests | CREATE (n)-[:INTERESTED_IN]->(interest))
"""

# A new person or volunteer joins the organisation of the staff member who registers them
# ($organization_id, $since, $basis), in the same statement.
_LINK_SUPPORTED_BY = """
WITH n
OPTIONAL MATCH (o:Organization {id: $organization_id})
WITH n, collect(o) AS orgs
FOREACH (o IN orgs | CREATE (n)-[:SUPPORTED_BY {since: $since, basis: $basis}]->(o))
"""

_LINK_VOLUNTEERS_WITH = """
WITH n
OPTIONAL MATCH (o:Organization {id: $organization_id})
WITH n, collect(o) AS orgs
FOREACH (o IN orgs | CREATE (n)-[:VOLUNTEERS_WITH {since: $since}]->(o))
"""

_RETURN_NODE = "RETURN properties(n) AS n"
