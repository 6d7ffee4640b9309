"""The schema: queries and mutations, each checking role and scope first (deny by default)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from graph.models import Person, RotaRun
from graph.repo import people as people_repo
from graph.repo import volunteers as volunteers_repo
from graph.repo.records import from_properties
from graph.repo.signup import Change
from service import access, consent, rota, signup, users
from service.api.coordination import CoordinationMutation
from service.api.errors import (
    CountQueries,
    InputError,
    LogPersonReads,
    MaskUnexpectedErrors,
    NameEnumValues,
    NotAllowed,
    check_id,
)
from service.api.paging import Connection, check_first, connection, decode_cursor
from service.api.relational import RelationalMutation, RelationalQuery
from service.api.types import (
    AcceptResult,
    ClaimResult,
    ContextInfo,
    DeclineResult,
    LogResult,
    Me,
    NotEligible,
    PersonType,
    PublishResult,
    Role,
    RotaNotPublished,
    RotaPublished,
    RotaRunType,
    SignedIn,
    SignInFailed,
    SignInResult,
    VisitAccepted,
    VisitClaimed,
    VisitDeclined,
    VisitLogged,
    VisitOutcome,
    VisitType,
    VisitUnavailable,
    VolunteerType,
)
from service.auth import issue_token
from service.config import (
    CALENDAR_TOKEN_TTL_SECONDS,
    QUERY_ALIASES_MAX,
    QUERY_DEPTH_MAX,
    QUERY_TOKENS_MAX,
)
from service.context import CurrentUser, RequestContext
from service.weeks import InvalidWeek, monday_of, today, week_start

NOTE_MAX = 500
RUN_TIME_LIMIT_MAX = 120.0
SEARCH_MAX = 100

# People whose first or last name holds every word of the search (words already lower case), in
# id order like the unfiltered list, so the same cursors page both.
PEOPLE_MATCHING = """
MATCH (n:Person)
WHERE ($after IS NULL OR n.id > $after)
  AND all(word IN $words WHERE toLower(n.first_name) CONTAINS word
                            OR toLower(n.last_name) CONTAINS word)
RETURN properties(n) AS n ORDER BY n.id LIMIT $limit
"""

VISIT_WITH_PERSON = """
MATCH (v:Visit {id: $id})-[:FOR]->(p:Person)
OPTIONAL MATCH (vol:Volunteer {id: $volunteer_id})-[a:ASSIGNED]->(v)
RETURN properties(v) AS v, p.first_name AS first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode, a.status AS my_status, a.note AS note
"""

WEEK_VISITS_PAGE = """
MATCH (v:Visit)-[:FOR]->(p:Person)
WHERE v.week_start = $week_start AND ($after IS NULL OR v.id > $after)
RETURN properties(v) AS v, p.first_name AS first_name, p.area_id AS area_id,
       p.address AS address, p.postcode AS postcode
ORDER BY v.id LIMIT $limit
"""


def _week(value: str) -> Any:
    try:
        return week_start(value)
    except InvalidWeek as error:
        raise InputError(str(error)) from None


def _search_words(search: str | None) -> list[str]:
    """The words of a name search, lower case; none for no search (or only spaces)."""
    if search is None:
        return []
    if len(search) > SEARCH_MAX:
        raise InputError(f"search: expected at most {SEARCH_MAX} characters, got {len(search)}")
    return search.lower().split()


def _address(row: dict[str, Any]) -> str | None:
    return ", ".join(p for p in (row.get("address"), row.get("postcode")) if p) or None


async def _me(context: RequestContext, user: CurrentUser) -> Me:
    volunteer = person = None
    calendar_url = None
    if user.volunteer_id:
        found = await context.call(volunteers_repo.get_volunteer, volunteer_id=user.volunteer_id)
        volunteer = VolunteerType.of(found) if found else None
        token = issue_token(
            key=context.key,
            user_id=user.id,
            ttl_seconds=CALENDAR_TOKEN_TTL_SECONDS,
            use="calendar",
        )
        calendar_url = f"/calendar/{token}.ics"
    if user.person_id:
        found_person = await context.call(people_repo.get_person, person_id=user.person_id)
        person = PersonType.of(found_person) if found_person else None
    return Me(
        id=strawberry.ID(user.id),
        email=user.email,
        role=Role(user.role),
        organization_id=strawberry.ID(user.organization_id) if user.organization_id else None,
        volunteer=volunteer,
        person=person,
        calendar_url=calendar_url,
    )


async def _run_types(context: RequestContext, runs: list[RotaRun]) -> list[RotaRunType]:
    """Runs as shown to a coordinator: the ids in their reasons replaced by first names (the
    people's names read this way go to their access log, as arranging visits)."""
    names = await context.call(rota.names_in_reasons, runs=runs)
    for person_id in sorted(names.people):
        context.reads.note(consent.basis(context.user, person_id), "first_name")
    return [RotaRunType.of(run, names) for run in runs]


async def _visit_for(context: RequestContext, visit_id: str, volunteer_id: str) -> VisitType:
    rows = await context.run(VISIT_WITH_PERSON, {"id": visit_id, "volunteer_id": volunteer_id})
    row = rows[0]
    return VisitType.of(
        row["v"],
        person_first_name=row["first_name"],
        area_id=row["area_id"],
        my_status=row["my_status"],
        note=row["note"],
        address=_address(row),
    )


@strawberry.type
class Query:
    @strawberry.field(description="Who you are signed in as.")
    async def me(self, info: ContextInfo) -> Me:
        user = access.signed_in(info.context)
        return await _me(info.context, user)

    @strawberry.field(
        description="People your organisation supports (coordinators, link workers), in id "
        "order. With a search, only those whose first or last name contains every word of it "
        "(any case): only the people returned are read (and logged for them)."
    )
    async def people(
        self,
        info: ContextInfo,
        first: int | None = 50,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[PersonType]:
        access.require_staff(info.context, "coordinator", "link_worker")
        first = check_first(first)
        words = _search_words(search)
        cursor = decode_cursor(after)
        if words:
            rows = await info.context.run(
                PEOPLE_MATCHING, {"words": words, "after": cursor, "limit": first + 1}
            )
            found = [from_properties(Person, r["n"]) for r in rows]
            items, has_next = found[:first], len(found) > first
        else:
            page = await info.context.call(people_repo.list_people, first=first, after=cursor)
            items, has_next = page.items, page.has_next
        return connection([PersonType.of(p) for p in items], [p.id for p in items], has_next)

    @strawberry.field(description="One person: staff of their organisation, or the person.")
    async def person(self, info: ContextInfo, id: strawberry.ID) -> PersonType | None:
        user = access.signed_in(info.context)
        person_id = check_id(str(id), "id")
        if not access.may_read_person(user, person_id):
            raise NotAllowed()
        found = await info.context.call(people_repo.get_person, person_id=person_id)
        return PersonType.of(found) if found else None

    @strawberry.field(description="Your organisation's volunteers (coordinators).")
    async def volunteers(
        self, info: ContextInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[VolunteerType]:
        access.require_staff(info.context, "coordinator")
        first = check_first(first)
        page = await info.context.call(
            volunteers_repo.list_volunteers, first=first, after=decode_cursor(after)
        )
        return connection(
            [VolunteerType.of(v) for v in page.items], [v.id for v in page.items], page.has_next
        )

    @strawberry.field(description="Every visit of a week, in id order (coordinators).")
    async def visits(
        self, info: ContextInfo, week: str, first: int | None = 50, after: str | None = None
    ) -> Connection[VisitType]:
        access.require_staff(info.context, "coordinator")
        monday = _week(week)
        first = check_first(first)
        rows = await info.context.run(
            WEEK_VISITS_PAGE,
            {"week_start": monday.isoformat(), "after": decode_cursor(after), "limit": first + 1},
        )
        nodes = [
            VisitType.of(
                r["v"], person_first_name=r["first_name"], area_id=r["area_id"], address=_address(r)
            )
            for r in rows[:first]
        ]
        return connection(nodes, [str(n.id) for n in nodes], len(rows) > first)

    @strawberry.field(description="Open visits you are eligible for, soonest first (volunteers).")
    async def open_visits(
        self, info: ContextInfo, first: int | None = 20, after: str | None = None
    ) -> Connection[VisitType]:
        volunteer_id = access.require_volunteer(info.context)
        first = check_first(first, 20)
        found, has_next = await signup.open_visits_awaited(
            store=info.context.store,
            volunteer_id=volunteer_id,
            first=first,
            after=decode_cursor(after),
            max_age=info.context.settings.open_visits_max_age_s,
        )
        nodes = [
            VisitType.of(
                {
                    "id": v.id,
                    "week_start": v.week_start,
                    "day": v.day,
                    "earliest": v.earliest,
                    "latest": v.latest,
                    "duration_minutes": v.duration_minutes,
                    "status": "open",
                },
                person_first_name=v.person_first_name,
                area_id=v.area_id,
                area_name=v.area_name,
                start=v.start,
                end=v.end,
                distance_km=v.distance_km,
            )
            for v in found
        ]
        return connection(nodes, [v.key for v in found], has_next)

    @strawberry.field(description="Your proposed, accepted and logged visits (volunteers).")
    async def my_visits(self, info: ContextInfo, week: str | None = None) -> list[VisitType]:
        volunteer_id = access.require_volunteer(info.context)
        monday = _week(week) if week is not None else monday_of(today())
        rows = await info.context.call(
            signup.my_visits, volunteer_id=volunteer_id, from_week=monday, weeks=1 if week else 4
        )
        return [
            VisitType.of(
                r["v"],
                person_first_name=r["person_first_name"],
                area_id=r["area_id"],
                my_status=r["my_status"],
                note=r["note"],
                address=_address(r),
            )
            for r in rows
        ]

    @strawberry.field(description="Rota runs, newest first, optionally of one week (coordinators).")
    async def rota_runs(self, info: ContextInfo, week: str | None = None) -> list[RotaRunType]:
        access.require_staff(info.context, "coordinator")
        monday = _week(week) if week is not None else None
        runs = await info.context.call(rota.list_rota_runs, week_start=monday)
        return await _run_types(info.context, runs)

    @strawberry.field(description="One rota run (coordinators).")
    async def rota_run(self, info: ContextInfo, id: strawberry.ID) -> RotaRunType | None:
        access.require_staff(info.context, "coordinator")
        run = await info.context.call(rota.get_rota_run, run_id=check_id(str(id), "id"))
        return (await _run_types(info.context, [run]))[0] if run else None


class _ClaimsInFlight:
    """A claim of a visit that another claim in this process is already deciding waits for
    that one's answer. If it filled the visit, the waiting claims are answered "taken" at once
    -- they overlapped the winning claim, so they come after it --; if it found the visit taken
    or its time over, they get the same answer; otherwise they go ahead, all together.

    Not for correctness -- the guarded claim statement decides, across processes -- but for
    the graph and the waiting: when many volunteers claim one visit at once, every claim that
    read "open" before the winner wrote would send its own write, and FalkorDB runs writes one
    after another, each holding up every read. Here a race of 32 costs one claim statement per
    server process, and the losers none."""

    def __init__(self) -> None:
        self._deciding: dict[str, asyncio.Future[signup.ClaimResult | None]] = {}

    async def claim(
        self, key: str, decide: Callable[[], Awaitable[signup.ClaimResult]]
    ) -> signup.ClaimResult:
        first = self._deciding.get(key)
        if first is not None:
            earlier = await asyncio.shield(first)
            if earlier is not None and earlier.for_everyone:
                if earlier.outcome == "claimed":  # filled by the one before: taken, for us
                    return signup.ClaimResult("unavailable", signup.UNAVAILABLE_MESSAGES["taken"])
                return earlier
            return await decide()
        answer: asyncio.Future[signup.ClaimResult | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._deciding[key] = answer
        result = None
        try:
            result = await decide()
            return result
        finally:
            del self._deciding[key]
            answer.set_result(result)  # None when it failed: the others decide for themselves


_claims = _ClaimsInFlight()


def _unavailable(change: Change | None) -> VisitUnavailable:
    if change is None:
        return VisitUnavailable(message="This visit is not one of yours.")
    return VisitUnavailable(
        message=f"This visit is {change.status} for you, so that cannot be done now."
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with email and password; returns a bearer token.")
    async def sign_in(self, info: ContextInfo, email: str, password: str) -> SignInResult:
        if len(email) > 320 or len(password) > 1000:
            raise InputError("email/password: too long")
        result = await info.context.call(
            users.sign_in, key=info.context.key, email=email, password=password
        )
        if result is None:
            return SignInFailed(message="That email and password do not match an account.")
        info.context.user = result.user
        return SignedIn(
            token=result.token,
            expires_at=datetime.fromtimestamp(result.expires_at, UTC).isoformat(),
            me=await _me(info.context, result.user),
        )

    @strawberry.mutation(description="Build, solve and store a draft rota for a week.")
    async def run_rota(
        self, info: ContextInfo, week: str, time_limit_seconds: float = 10.0
    ) -> RotaRunType:
        access.require_staff(info.context, "coordinator")
        monday = _week(week)
        if not 0.5 <= time_limit_seconds <= RUN_TIME_LIMIT_MAX:
            raise InputError(
                f"timeLimitSeconds: expected 0.5..{RUN_TIME_LIMIT_MAX:g}, got {time_limit_seconds}"
            )
        run = await info.context.call(
            rota.run_rota, week_start=monday, time_limit=time_limit_seconds
        )
        return (await _run_types(info.context, [run]))[0]

    @strawberry.mutation(description="Publish a draft: volunteers see their proposed visits.")
    async def publish_rota(self, info: ContextInfo, run_id: strawberry.ID) -> PublishResult:
        access.require_staff(info.context, "coordinator")
        run_key = check_id(str(run_id), "runId")
        try:
            published = await info.context.call(rota.publish_rota, run_id=run_key)
        except rota.RotaError as error:
            return RotaNotPublished(message=str(error))
        shown = (await _run_types(info.context, [published.run]))[0]
        return RotaPublished(run=shown, proposed=published.proposed)

    @strawberry.mutation(description="Claim an open visit; the first valid claim wins.")
    async def claim_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> ClaimResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        result = await _claims.claim(
            key,
            lambda: signup.claim_visit_awaited(
                store=info.context.store, visit_id=key, volunteer_id=volunteer_id
            ),
        )
        if result.outcome == "claimed":
            row = result.visit
            return VisitClaimed(
                visit=VisitType.of(
                    row["v"] | {"status": result.visit_status},
                    person_first_name=row["first_name"],
                    area_id=row["area_id"],
                    my_status="accepted",
                    address=_address(row),
                    start=result.start,
                )
            )
        if result.outcome == "not_eligible":
            return NotEligible(reasons=result.reasons)
        return VisitUnavailable(message=result.message)

    @strawberry.mutation(description="Accept a visit proposed to you.")
    async def accept_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> AcceptResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        change = await info.context.call(
            signup.accept_visit, visit_id=key, volunteer_id=volunteer_id
        )
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitAccepted(visit=await _visit_for(info.context, key, volunteer_id))

    @strawberry.mutation(description="Decline a proposed or accepted visit; it becomes open.")
    async def decline_visit(self, info: ContextInfo, visit_id: strawberry.ID) -> DeclineResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        change = await info.context.call(
            signup.decline_visit, visit_id=key, volunteer_id=volunteer_id
        )
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitDeclined(
            visit_id=strawberry.ID(key), message="Declined; the visit is open to others now."
        )

    @strawberry.mutation(description="Log an accepted visit as done or missed, with a note.")
    async def log_visit(
        self,
        info: ContextInfo,
        visit_id: strawberry.ID,
        outcome: VisitOutcome,
        note: str | None = None,
    ) -> LogResult:
        volunteer_id = access.require_volunteer(info.context)
        key = check_id(str(visit_id), "visitId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        change = await info.context.call(
            signup.log_visit,
            visit_id=key,
            volunteer_id=volunteer_id,
            outcome=outcome.value,
            note=note.strip() if note else None,
        )
        if change is None or not change.ok:
            return _unavailable(change)
        return VisitLogged(visit=await _visit_for(info.context, key, volunteer_id))


# The depth and alias rules are built once: their validator classes are then the same for every
# request, which lets ValidationCache reuse the validation of a query text it has seen.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=QUERY_DEPTH_MAX).validation_rules,
    *MaxAliasesLimiter(max_alias_count=QUERY_ALIASES_MAX).validation_rules,
]


class QueryLimits(AddValidationRules):
    """Query depth and alias limits (Strawberry's QueryDepthLimiter and MaxAliasesLimiter)."""

    def __init__(self) -> None:
        super().__init__(_LIMIT_RULES)


class CareCirclesSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are the client's business; unexpected ones were logged with their
        request id by ``MaskUnexpectedErrors`` already."""


schema = CareCirclesSchema(
    query=merge_types("Query", (Query, RelationalQuery)),
    mutation=merge_types("Mutation", (Mutation, RelationalMutation, CoordinationMutation)),
    extensions=[
        QueryLimits,
        lambda: MaxTokensLimiter(max_token_count=QUERY_TOKENS_MAX),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
        NameEnumValues,
        LogPersonReads,
        CountQueries,
    ],
)
