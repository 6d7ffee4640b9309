"""Areas (wards, neighbourhoods) and interests: the small vocabularies other nodes link to."""

from __future__ import annotations

from graph.store.port import GraphStore

AREA_EXISTS = "MATCH (a:Area {id: $id}) RETURN count(a) AS n"


def area_exists(*, store: GraphStore, area_id: str) -> bool:
    """True if there is an area with this id."""
    return bool(store.run(AREA_EXISTS, {"id": area_id}, write=False)[0]["n"])


AREA_NAMES_BY_ID = "MATCH (a:Area) WHERE a.id IN $ids RETURN a.id AS id, a.name AS name"


def area_names_by_id(*, store: GraphStore, area_ids: list[str]) -> dict[str, str]:
    """The names of the areas among ``area_ids`` that exist, by id."""
    rows = store.run(AREA_NAMES_BY_ID, {"ids": area_ids}, write=False)
    return {row["id"]: row["name"] for row in rows}


async def area_names_by_id_awaited(*, store: GraphStore, area_ids: list[str]) -> dict[str, str]:
    """``area_names_by_id`` awaited on the event loop (a loader's batch)."""
    rows = await store.arun(AREA_NAMES_BY_ID, {"ids": area_ids}, write=False)
    return {row["id"]: row["name"] for row in rows}


PEOPLE_AREAS = "MATCH (p:Person) WHERE p.id IN $ids RETURN p.id AS id, p.area_id AS area_id"


def areas_of_people(*, store: GraphStore, person_ids: list[str]) -> dict[str, str]:
    """The area id of each of ``person_ids`` that has one (people without an area left out)."""
    rows = store.run(PEOPLE_AREAS, {"ids": person_ids}, write=False)
    return {row["id"]: row["area_id"] for row in rows if row["area_id"]}
