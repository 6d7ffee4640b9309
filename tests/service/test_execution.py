"""The short path for plain leaf fields (service/api/execution.py) answers exactly what
graphql-core's usual path answers: values, aliases, enums, nulls, and errors with their path."""

from __future__ import annotations

import enum
from typing import Any

import strawberry

from service.api.execution import PlainLeavesFirst, known_in, shortcut
from tests.loops import in_own_loop

AREA_RESOLVED: list[str] = []


@strawberry.enum
class Mood(enum.Enum):
    LOW = "low"
    OK = "ok"


@strawberry.type
class Visit:
    id: strawberry.ID
    day: int
    start: str | None
    km: float
    open: bool
    mood: Mood
    must: str  # non-null, but some sources hold None: an error, located

    @strawberry.field
    def label(self) -> str:
        return f"{self.id}@{self.day}"

    @strawberry.field
    def later(self, minutes: int = 30) -> int:
        return self.day * 1440 + minutes

    area_name: strawberry.Private[str | None] = None

    @strawberry.field
    @known_in("area_name")
    def area(self) -> str | None:
        AREA_RESOLVED.append(self.id)
        return self.area_name or f"ward of {self.id}"


def _visits() -> list[Visit]:
    return [
        Visit(
            id=strawberry.ID("v1"), day=1, start="10:00", km=1.5, open=True, mood=Mood.OK, must="x"
        ),
        Visit(
            area_name="Hackney Downs",
            id=strawberry.ID("v2"),
            day=2,
            start=None,
            km=0.0,
            open=False,
            mood=Mood.LOW,
            must=None,
        ),  # type: ignore[arg-type]
    ]


@strawberry.type
class VisitEdge:
    node: Visit
    cursor: str


@strawberry.type
class Page:
    edges: list[VisitEdge]
    first: Visit | None
    last: Visit | None
    has_next: bool


class _Unreadable:
    """A source whose plain attribute raises when read (a property gone wrong)."""

    @property
    def day(self) -> int:
        raise RuntimeError("day is unreadable")


@strawberry.type
class Odd:
    day: int


def _page() -> Page:
    visits = _visits()
    return Page(
        edges=[VisitEdge(node=visit, cursor=f"c{visit.id}") for visit in visits],
        first=visits[0],
        last=None,
        has_next=False,
    )


@strawberry.type
class Query:
    @strawberry.field
    def visits(self) -> list[Visit]:
        return _visits()

    @strawberry.field
    async def page(self) -> Page:
        return _page()

    @strawberry.field
    def odd(self) -> list[Odd]:
        return [_Unreadable()]  # type: ignore[list-item]

    @strawberry.field
    async def later_visits(self) -> list[Visit]:
        return _visits()


QUERIES = [
    "{ visits { id day start km open mood label later(minutes: 5) } }",
    "{ visits { id area } laterVisits { area } }",
    "{ visits { a: id b: day id start } laterVisits { id mood } }",
    "{ visits { id must } }",
    "{ laterVisits { __typename id must km } }",
    "{ page { edges { cursor node { id day mood area } } first { id } last { id } hasNext } }",
    "{ page { edges { node { id must } } hasNext } }",
    "{ page { edges { node { id label } } } }",
    "{ page { edges { node { __typename id } } first { start } } }",
]


def _run(schema: strawberry.Schema, query: str) -> tuple[Any, list[Any]]:
    result = in_own_loop(schema.execute(query))
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


def test_the_short_path_answers_what_the_usual_path_answers() -> None:
    usual = strawberry.Schema(query=Query)
    short = strawberry.Schema(query=Query, execution_context_class=PlainLeavesFirst)
    for query in QUERIES:
        assert _run(short, query) == _run(usual, query), query
    data, errors = _run(short, "{ visits { id must } }")
    assert data is None or data["visits"] is None
    assert errors == [
        ("Cannot return null for non-nullable field Visit.must.", ["visits", 1, "must"])
    ]


def test_only_plain_attributes_of_scalar_or_enum_type_take_the_short_path() -> None:
    schema = strawberry.Schema(query=Query)
    visit = schema._schema.type_map["Visit"]
    fields = visit.fields  # type: ignore[attr-defined]
    plain = {
        name
        for name, field in fields.items()
        if (found := shortcut(field)) is not None and found.attribute is None
    }
    assert plain == {
        "id",
        "day",
        "start",
        "km",
        "open",
        "mood",
        "must",
    }
    known = shortcut(fields["area"])
    assert known is not None and known.attribute == "area_name"  # the resolver's known_in
    assert shortcut(fields["label"]) is None  # a resolver, unmarked
    assert shortcut(schema._schema.query_type.fields["visits"]) is None  # type: ignore[union-attr]


class _CountingInfos(PlainLeavesFirst):
    built = 0

    def build_resolve_info(self, *args: Any) -> Any:
        _CountingInfos.built += 1
        return super().build_resolve_info(*args)


def test_plain_leaves_are_answered_without_building_a_resolve_info() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=_CountingInfos)
    data, errors = _run(schema, "{ visits { id day start km open mood } }")
    assert errors == [] and data is not None and len(data["visits"]) == 2
    assert _CountingInfos.built == 1  # for `visits` only; the usual path builds 13


def test_a_known_answer_is_read_and_the_resolver_runs_only_when_it_is_not() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=PlainLeavesFirst)
    AREA_RESOLVED.clear()
    data, errors = _run(schema, "{ visits { id area } }")
    assert errors == []
    assert data == {
        "visits": [{"id": "v1", "area": "ward of v1"}, {"id": "v2", "area": "Hackney Downs"}]
    }
    assert AREA_RESOLVED == ["v1"]  # v2's name was known: its resolver never ran


class _CountingFields(PlainLeavesFirst):
    executed: list[str] = []

    def execute_field(self, parent_type: Any, source: Any, details: Any, *args: Any) -> Any:
        _CountingFields.executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, *args)


def test_an_object_of_plain_leaves_is_answered_whole_and_falls_back_when_one_is_not() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=_CountingFields)
    _CountingFields.executed.clear()
    data, errors = _run(schema, "{ visits { id day start mood } }")
    assert errors == [] and data is not None
    assert data["visits"][1] == {"id": "v2", "day": 2, "start": None, "mood": "LOW"}
    assert _CountingFields.executed == ["Query.visits"]  # no field of a visit, one by one

    _CountingFields.executed.clear()
    data, errors = _run(schema, "{ visits { id must } }")  # v2's must is None: not plain
    assert errors == [
        ("Cannot return null for non-nullable field Visit.must.", ["visits", 1, "must"])
    ]
    assert _CountingFields.executed == ["Query.visits", "Visit.id", "Visit.must"]


def test_a_page_of_plain_objects_is_answered_whole_and_an_error_deep_in_it_is_located() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=_CountingFields)
    _CountingFields.executed.clear()
    data, errors = _run(schema, "{ page { edges { cursor node { id mood } } last { id } } }")
    assert errors == []
    assert data == {
        "page": {
            "edges": [
                {"cursor": "cv1", "node": {"id": "v1", "mood": "OK"}},
                {"cursor": "cv2", "node": {"id": "v2", "mood": "LOW"}},
            ],
            "last": None,
        }
    }
    assert _CountingFields.executed == ["Query.page"]  # edges, nodes and leaves: one pass

    data, errors = _run(schema, "{ page { edges { node { id must } } } }")
    assert errors == [
        (
            "Cannot return null for non-nullable field Visit.must.",
            ["page", "edges", 1, "node", "must"],
        )
    ]


def test_a_plain_attribute_that_raises_is_reported_at_its_own_field() -> None:
    usual = strawberry.Schema(query=Query)
    short = strawberry.Schema(query=Query, execution_context_class=PlainLeavesFirst)
    assert _run(short, "{ odd { day } }") == _run(usual, "{ odd { day } }")
    assert _run(short, "{ odd { day } }")[1] == [("day is unreadable", ["odd", 0, "day"])]
