"""DataLoaders, one set per request, so a page of nodes costs a constant number of queries.

Each batch is one statement, awaited on the event loop (the repository's ``*_awaited``
functions over ``store.arun``): no thread hop on these hot paths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from graph.models import CheckIn
from graph.repo import areas as areas_repo
from graph.repo import assignments as assignments_repo
from graph.repo import checkins as checkins_repo
from graph.repo import circles as circles_repo
from graph.repo import people as people_repo
from graph.repo.records import from_properties
from graph.store.port import Row

if TYPE_CHECKING:
    from service.context import RequestContext

VISIT_NOTES_MAX = 50


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

    async def area_of(self, area_id: str | None) -> str | None:
        """The name of the area ``area_id`` (None for none), batched with the request's others."""
        if area_id is None:
            return None
        name: str | None = await self.area_name.load(area_id)
        return name

    async def _area_names(self, ids: list[str]) -> list[str | None]:
        names = await areas_repo.area_names_by_id_awaited(
            store=self._context.store, area_ids=list(ids)
        )
        return [names.get(i) for i in ids]

    async def _assignments(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        rows = await assignments_repo.assignments_of_visits_awaited(
            store=self._context.store, visit_ids=list(ids)
        )
        return _grouped(rows, "visit_id", ids)

    async def _circles(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        rows = await circles_repo.circles_of_people_awaited(
            store=self._context.store, person_ids=list(ids)
        )
        return _grouped(rows, "person_id", ids)

    async def _people(self, ids: list[str]) -> list[dict[str, Any] | None]:
        found = await people_repo.people_by_id_awaited(
            store=self._context.store, person_ids=list(ids)
        )
        return [found.get(i) for i in ids]

    async def _person_access(self, ids: list[str]) -> list[Any]:
        """What the caller may see of each person now (``policy.Access``), one statement."""
        from service.consent import policy

        found = await self._context.call(
            policy.accesses_to_people, user=self._context.user, person_ids=list(ids)
        )
        return [found[i] for i in ids]

    async def _check_ins(self, ids: list[str]) -> list[list[Any]]:
        rows = await checkins_repo.checkins_of_people_awaited(
            store=self._context.store, person_ids=list(ids)
        )
        groups = _grouped(rows, "person_id", ids)
        return [[from_properties(CheckIn, row["n"]) for row in group] for group in groups]

    async def _visit_notes(self, ids: list[str]) -> list[list[dict[str, Any]]]:
        rows = await assignments_repo.visit_notes_of_people_awaited(
            store=self._context.store, person_ids=list(ids)
        )
        return [group[:VISIT_NOTES_MAX] for group in _grouped(rows, "person_id", ids)]


def _grouped(rows: list[Row], key: str, ids: list[str]) -> list[list[dict[str, Any]]]:
    """``rows`` grouped by their ``key`` column, in the order of ``ids`` (empty for none)."""
    groups: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return [groups[i] for i in ids]
