"""DataLoaders, one set per request, so a page of nodes costs a constant number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from graph.models import CheckIn
from graph.repo.records import from_properties

if TYPE_CHECKING:
    from service.context import RequestContext

AREA_NAMES = "MATCH (a:Area) WHERE a.id IN $ids RETURN a.id AS id, a.name AS name"

ASSIGNMENTS_OF_VISITS = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)
WHERE v.id IN $ids AND a.status IN ['proposed', 'accepted', 'done', 'missed', 'declined']
RETURN v.id AS visit_id, vol.id AS volunteer_id, vol.first_name AS first_name,
       a.status AS status
ORDER BY visit_id, volunteer_id
"""

CIRCLE_OF_PEOPLE = """
MATCH (vol:Volunteer)-[m:MEMBER_OF]->(:CareCircle)-[:SUPPORTS]->(p:Person)
WHERE p.id IN $ids
RETURN p.id AS person_id, vol.id AS volunteer_id, vol.first_name AS first_name, m.since AS since
ORDER BY person_id, since
"""

CHECK_INS_OF_PEOPLE = """
MATCH (p:Person)-[:REPORTED]->(n:CheckIn)
WHERE p.id IN $ids
RETURN p.id AS person_id, properties(n) AS n
ORDER BY person_id, n.at, n.id
"""

VISIT_NOTES_OF_PEOPLE = """
MATCH (vol:Volunteer)-[a:ASSIGNED]->(v:Visit)-[:FOR]->(p:Person)
WHERE p.id IN $ids AND a.note IS NOT NULL
RETURN p.id AS person_id, v.id AS visit_id, v.week_start AS week_start, v.day AS day,
       vol.first_name AS volunteer_first_name, a.note AS note, a.at AS at
ORDER BY person_id, at DESC
"""
VISIT_NOTES_MAX = 50

PEOPLE_BY_ID = "MATCH (n:Person) WHERE n.id IN $ids RETURN properties(n) AS n"


class Loaders:
    def __init__(self, context: RequestContext) -> None:
        self._context = context
        self.area_name: DataLoader[str, str | None] = DataLoader(load_fn=self._area_names)
        self.assignments: DataLoader[str, list[dict[str, Any]]] = DataLoader(
            load_fn=self._assignments
        )
        self.circle: DataLoader[str, list[dict[str, Any]]] = DataLoader(load_fn=self._circles)
        self.person: DataLoader[str, dict[str, Any] | None] = DataLoader(load_fn=self._people)
        self.person_access: DataLoader[str, Any] = DataLoader(load_fn=self._person_access)
        self.check_ins: DataLoader[str, list[Any]] = DataLoader(load_fn=self._check_ins)
        self.visit_notes: DataLoader[str, list[dict[str, Any]]] = DataLoader(
            load_fn=self._visit_notes
        )

    async def _area_names(self, ids: list[str]) -> list[str | None]:
        rows = await self._context.run(AREA_NAMES, {"ids": list(ids)})
        names = {row["id"]: row["name"] for row in rows}
        return [names.get(i) for i in ids]

    async def _grouped(self, query: str, key: str, ids: list[str]) -> list[list[dict[str, Any]]]:
        rows = await self._context.run(query, {"ids": list(ids)})
        groups: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for row in rows:
            groups.setdefault(row[key], []).append(row)
        return [groups[i] for i in ids]

    async def _assignments(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        return await self._grouped(ASSIGNMENTS_OF_VISITS, "visit_id", ids)

    async def _circles(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        return await self._grouped(CIRCLE_OF_PEOPLE, "person_id", ids)

    async def _people(self, ids: list[str]) -> list[dict[str, Any] | None]:
        rows = await self._context.run(PEOPLE_BY_ID, {"ids": list(ids)})
        found = {row["n"]["id"]: row["n"] for row in rows}
        return [found.get(i) for i in ids]

    async def _person_access(self, ids: list[str]) -> list[Any]:
        """What the caller may see of each person now (``policy.Access``), one statement."""
        from service.consent import policy

        found = await self._context.call(
            policy.accesses_to_people, user=self._context.user, person_ids=list(ids)
        )
        return [found[i] for i in ids]

    async def _check_ins(self, ids: list[str]) -> list[list[Any]]:
        groups = await self._grouped(CHECK_INS_OF_PEOPLE, "person_id", ids)
        return [[from_properties(CheckIn, row["n"]) for row in group] for group in groups]

    async def _visit_notes(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        groups = await self._grouped(VISIT_NOTES_OF_PEOPLE, "person_id", ids)
        return [group[:VISIT_NOTES_MAX] for group in groups]
