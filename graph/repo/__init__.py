"""Repository functions: one module per domain, Cypher constants next to the functions.

Every function takes keyword arguments only, with the store first: ``get_person(store=s,
person_id="p1")``. Every write is one Cypher statement. Results are ``graph.models`` models.
``records`` says how models are stored; ``errors`` what is raised when a node is missing.
"""
