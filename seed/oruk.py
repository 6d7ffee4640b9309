"""Open Referral UK (HSDS 3, UK profile, and ORUK v1 API feeds) into the graph, and back out.

``import_services(store=..., document=...)`` takes what a feed or file gives: one service, a list
of services, an ORUK v3 page ``{"contents": [...]}``, an ORUK v1 page ``{"content": [...]}`` or
an organization with its ``services`` (the shapes are in ``seed/oruk_mapping.py``). A feed of
many pages goes through one ``Importer``, page by page (``seed/oruk_feed.py`` fetches them). It
returns an ``ImportReport``: created / updated / unchanged per kind, and every record or field
skipped, with its path and the reason, grouped by reason. ``export_services(store=...)`` gives
every service back as an ORUK v3 service, valid against ``seed/schemas/oruk_service.json``
(``schema_errors``), keeping the source's ids, so importing the export changes nothing.

Decisions where the brief left room (the mapping itself is in ``seed/oruk_rules.py``):

- Ids: a service is ``oruk-service-<source id>``, an organization ``oruk-org-<source id>`` (a
  uuid5 of it when that is not a valid CareCircles id); integer ids are read as text. The
  source id is kept on the node. A second import finds the same nodes and reports them
  unchanged.
- Whole services: each service is written by one statement with its OFFERS and IN edges (a
  batch of up to ``graph.repo.oruk.BATCH_SIZE`` services per statement, atomic on both
  engines), so a failure never leaves half a service. ``ImportFailed`` says how many services
  were written before it and that re-running finishes the job.
- Status: only ``active`` services are imported (no one should be referred to a closed
  group); others are reported. Missing status reads as active.
- Places: every physical location with its address and postcode is kept (``places``); the
  first with valid coordinates is the service's place. Bad coordinates are reported and the
  place kept without them. Accessibility is kept in the building's own words; the features
  suggestions filter on are only those the words claim outright ("partial wheelchair access"
  claims none).
- Schedules: ``WEEKLY`` (interval 1 weekly, 2 fortnightly) and ``MONTHLY`` (interval 1) with
  ``byday`` (or v1 ``weekday``), ``opens_at`` and ``closes_at`` give one window per day; a
  monthly ordinal (``2WE``: the second Wednesday; 1 to 4, or -1 the last) is kept as the
  window's week of the month (another ordinal keeps only the day), and a fortnightly or
  monthly schedule's ``dtstart`` (else ``valid_from``) as its first date, which fixes the weeks
  it meets. Anything else is reported; the schedules' notes are kept in their words.
- Taxonomy terms map by ``TERM_RULES`` to interests and a category; every term of the feed's
  own vocabulary is kept as it is (``terms``), mapped or not. Without a term giving a category
  the name is tried with the stricter ``NAME_RULES``, and the category is marked a guess.
- Cost: the words of every option are kept; the band is the dearest option's (free only when
  all are), and "not stated" when no price is given (never "free").
- Areas: a service with a place is put IN the area whose centre is nearest, within 3 km.
- ``since``: a service whose ``last_modified`` is before that day is left as it is (counted in
  a note); one without ``last_modified`` is imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from graph.models import Interest, Organization, Service
from graph.repo import oruk as repo
from graph.repo.records import from_properties, to_properties
from graph.store import GraphError
from graph.store.port import GraphStore
from seed.oruk_export import export_service, schema_errors
from seed.oruk_mapping import (
    InvalidDocument,
    MappedService,
    Skipped,
    map_service,
    service_records,
    text,
)
from seed.oruk_rules import INTERESTS
from solver.geography import distance_km

__all__ = [
    "ImportFailed",
    "ImportReport",
    "Importer",
    "InvalidDocument",
    "Skipped",
    "export_services",
    "import_services",
    "load_document",
    "parse_document",
    "schema_errors",
]

KINDS = ("organizations", "interests", "services")
# Service fields no feed carries (the partner's weekly places): an import leaves them alone.
LOCAL_FIELDS = frozenset({"weekly_places"})
AREA_RADIUS_KM = 3.0
MAX_DEPTH = 32  # an ORUK organization with its services nests about 10 levels
EXAMPLES = 3


@dataclass(frozen=True)
class SkipGroup:
    """Skipped items of one kind and reason: how many, and the first few."""

    what: str
    reason: str
    count: int
    examples: tuple[Skipped, ...]


@dataclass
class ImportReport:
    """Counts per kind and outcome (``created``, ``updated``, ``unchanged``), and what was
    skipped, each with the field path and the reason."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: dict.fromkeys(repo.OUTCOMES, 0) for kind in KINDS}
    )
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    not_changed_since: int = 0

    def total(self, outcome: str) -> int:
        return sum(kind.get(outcome, 0) for kind in self.counts.values())

    @property
    def services_written(self) -> int:
        return sum(self.counts["services"].values())

    def summary(self) -> str:
        return (
            f"{self.total('created')} created, {self.total('updated')} updated, "
            f"{self.total('unchanged')} unchanged, {len(self.skipped)} skipped"
        )

    def groups(self) -> list[SkipGroup]:
        """The skipped items grouped by what and reason, largest group first."""
        grouped: dict[tuple[str, str], list[Skipped]] = {}
        for item in self.skipped:
            grouped.setdefault((item.what, item.kind), []).append(item)
        ordered = sorted(grouped.items(), key=lambda entry: (-len(entry[1]), entry[0]))
        return [
            SkipGroup(what, reason, len(items), tuple(items[:EXAMPLES]))
            for (what, reason), items in ordered
        ]

    def add_counts(self, kind: str, counts: dict[str, int]) -> None:
        for outcome, n in counts.items():
            self.counts[kind][outcome] = self.counts[kind].get(outcome, 0) + n


class ImportFailed(RuntimeError):
    """The store failed part-way: ``report`` holds what was written before (whole services
    only), and the message says so and that re-running the import finishes the job."""

    def __init__(self, report: ImportReport, cause: str) -> None:
        written = report.services_written
        super().__init__(
            f"{cause}. {written} service{'' if written == 1 else 's'} "
            f"{'was' if written == 1 else 'were'} written before it, each one whole (a service "
            "is written complete or not at all); re-running the same import finishes the job "
            "(what was written is found unchanged)."
        )
        self.report = report


def _depth_problem(document: Any) -> str | None:
    """Where ``document`` nests deeper than ``MAX_DEPTH``, or None."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return None


def parse_document(content: bytes | str, source: str) -> dict[str, Any] | list[Any]:
    """The JSON in ``content`` (a UTF-8 byte-order mark is allowed); ``InvalidDocument`` says
    why it cannot be read, naming ``source``."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidDocument(f"{source}: not UTF-8 text ({error})") from error
    content = content.removeprefix("\ufeff")
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise InvalidDocument(
            f"{source}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    except RecursionError:
        document = None
        problem: str | None = f"nested more than {MAX_DEPTH} levels deep"
    else:
        problem = _depth_problem(document)
    if problem is not None:
        raise InvalidDocument(
            f"{source}: {problem}; an ORUK service nests about 10 levels, so this is not an "
            "ORUK document (nothing was written)"
        )
    if not isinstance(document, dict | list):
        raise InvalidDocument(
            f"{source}: expected a JSON object or a list of services, got {type(document).__name__}"
        )
    return cast(dict[str, Any] | list[Any], document)


def load_document(path: Path) -> dict[str, Any] | list[Any]:
    """The JSON in ``path``; ``InvalidDocument`` says why it cannot be read."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise InvalidDocument(f"{path}: cannot read the file ({error})") from error
    return parse_document(content, str(path))


def nearest_area(lat: float, lon: float, areas: list[tuple[str, float, float]]) -> str | None:
    """The id of the area whose centre is nearest to the point, if within ``AREA_RADIUS_KM``."""
    distances = [(distance_km(lat, lon, a_lat, a_lon), a_id) for a_id, a_lat, a_lon in areas]
    nearest = min(distances, default=None)
    return nearest[1] if nearest is not None and nearest[0] <= AREA_RADIUS_KM else None


def upsert_row(model: Service | Organization | Interest) -> dict[str, Any]:
    """``{id, created_at, props}`` for ``graph.repo.oruk``: ``props`` as the repository stores
    them, plus ``None`` for every empty field so an upsert removes what the feed dropped (not
    the fields a feed never carries: ``LOCAL_FIELDS``, set here by the offering organisation)."""
    fields = [f for f in type(model).model_fields if f not in LOCAL_FIELDS]
    props = dict.fromkeys(fields, None) | to_properties(model)
    for name in LOCAL_FIELDS:
        props.pop(name, None)
    return {"id": props.pop("id"), "created_at": props.pop("created_at", None), "props": props}


def _placed(service: Service, areas: list[tuple[str, float, float]]) -> Service:
    if service.lat is None or service.lon is None:
        return service
    return service.model_copy(update={"area_id": nearest_area(service.lat, service.lon, areas)})


def _modified_day(record: dict[str, Any]) -> date | None:
    said = text(record.get("last_modified")) or text(record.get("lastModified"))
    if said is None:
        return None
    try:
        return date.fromisoformat(said[:10])
    except ValueError:
        return None


class Importer:
    """Imports documents (a file, or a feed's pages one by one) into one report; services seen
    on an earlier page count as duplicates."""

    def __init__(self, *, store: GraphStore, since: date | None = None) -> None:
        self.store = store
        self.since = since
        self.report = ImportReport()
        self.areas = repo.list_area_centres(store=store)
        self.seen: set[str] = set()  # the services written already
        self.seen_others: set[tuple[str, str]] = set()
        self.undated = 0

    def add(self, document: dict[str, Any] | list[Any], *, prefix: str = "") -> None:
        """Map and write one document; ``ImportFailed`` if the store fails part-way."""
        records, skipped, notes = service_records(document, prefix=prefix)
        report = self.report
        report.pages += 1
        report.skipped.extend(skipped)
        report.notes.extend(note for note in notes if note not in report.notes)
        if self.since is not None:
            kept = []
            for record in records:
                day = _modified_day(record.data)
                if day is not None and day < self.since:
                    report.not_changed_since += 1
                else:
                    self.undated += day is None
                    kept.append(record)
            records = kept
        mapped: list[MappedService] = []
        for record in records:
            if (item := map_service(record, report.skipped)) is not None:
                mapped.append(item)
        organizations: dict[str, Organization] = {}
        interests: dict[str, Interest] = {}
        services: dict[str, Service] = {}
        for item in mapped:
            if item.service.id in self.seen:
                reason = "the same service id appears twice; kept the first"
                report.skipped.append(
                    Skipped(item.service.id, "service", reason, "a service id seen before")
                )
                continue
            self.seen.add(item.service.id)
            services[item.service.id] = _placed(item.service, self.areas)
            # An organization or interest on several pages is written (and counted) once.
            organization = item.organization
            if organization is not None and ("o", organization.id) not in self.seen_others:
                organizations.setdefault(organization.id, organization)
            for interest_id, name in item.interests.items():
                if ("i", interest_id) in self.seen_others:
                    continue
                category = INTERESTS[interest_id][1] if interest_id in INTERESTS else None
                interests.setdefault(
                    interest_id, Interest(id=interest_id, name=name, category=category)
                )
        self.seen_others.update(("o", key) for key in organizations)
        self.seen_others.update(("i", key) for key in interests)
        self._write("organizations", repo.upsert_organizations, list(organizations.values()))
        self._write("interests", repo.upsert_interests, list(interests.values()))
        self._write("services", repo.upsert_services, list(services.values()))

    def _write(
        self,
        kind: str,
        upsert: Callable[..., dict[str, int]],
        models: list[Service] | list[Organization] | list[Interest],
    ) -> None:
        rows = [upsert_row(model) for model in models]
        for start in range(0, len(rows), repo.BATCH_SIZE):  # one statement per batch
            try:
                counts = upsert(store=self.store, rows=rows[start : start + repo.BATCH_SIZE])
            except GraphError as error:
                raise ImportFailed(self.report, f"the graph store failed: {error}") from error
            self.report.add_counts(kind, counts)

    def finish(self) -> ImportReport:
        """The report, with notes about ``since``."""
        report = self.report
        if self.since is not None:
            report.notes.append(
                f"{report.not_changed_since} services not changed since "
                f"{self.since.isoformat()} were left as they are; {self.undated} without "
                "last_modified were imported."
            )
        return report


def import_services(
    *, store: GraphStore, document: dict[str, Any] | list[Any], since: date | None = None
) -> ImportReport:
    """Import ORUK services (idempotent): what was created, updated, unchanged and skipped."""
    importer = Importer(store=store, since=since)
    importer.add(document)
    return importer.finish()


def export_services(*, store: GraphStore) -> list[dict[str, Any]]:
    """Every service in the graph as an ORUK service, in id order."""
    exported = []
    for row in repo.list_services_with_organization(store=store):
        service = from_properties(Service, _known(Service, row["service"]))
        organization = None
        if row["organization"]:
            organization = from_properties(Organization, _known(Organization, row["organization"]))
        names = {str(i["id"]): str(i.get("name") or i["id"]) for i in row["interests"]}
        exported.append(export_service(service, organization, names))
    return exported


def _known(model: type[Service] | type[Organization], node: dict[str, Any]) -> dict[str, Any]:
    """The node's properties that are fields of ``model`` (others may hold bookkeeping)."""
    return {key: value for key, value in node.items() if key in model.model_fields}
