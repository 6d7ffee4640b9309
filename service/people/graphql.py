"""GraphQL for people and volunteers: the records coordinators keep and a person's record read
through consent (``personRecord``).

Malformed input is a GraphQL error naming the field (``lat: Input should be less than or equal
to 90``, ``visitWindows[0].end: ...``); nothing is written. A person's fields are read through
``service.consent.policy``: the fields given back are in the person's access log.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import strawberry
from strawberry.types.unset import UNSET

from graph.models import Person, Volunteer, Window
from graph.repo import checkins as checkins_repo
from graph.repo import organisations as organisations_repo
from graph.repo import people as people_repo
from graph.repo import relationships as relationships_repo
from service import access
from service.access import (
    AS_RETURNED_POLICY,
    CONSENT,
    COORDINATOR_OWN,
    OWN_ORGANISATION,
    PERSON_SELF,
    STAFF_OWN,
    VOLUNTEER_SELF,
    Rule,
)
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
)
from service.api.info import ContextInfo
from service.api.paging import Connection, check_first, connection, decode_cursor
from service.consent import my_data, policy
from service.consent.checks import log_person_read, person_access
from service.people import registry
from service.weeks import visit_date
from service.wellbeing.graphql import CheckInType

T = TypeVar("T")


def snake_case(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@strawberry.type(directives=[AS_RETURNED_POLICY])
class TimeWindow:
    day: int
    start: str
    end: str


def _window(window: Window) -> TimeWindow:
    return TimeWindow(day=window.day, start=window.start, end=window.end)


@strawberry.type(directives=[AS_RETURNED_POLICY])
class CircleMember:
    volunteer_id: strawberry.ID
    first_name: str
    since: str | None


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PersonTie:
    first_name: str | None
    kind: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class VisitNote:
    visit_id: strawberry.ID
    date: str
    volunteer_first_name: str
    note: str
    at: str | None


async def _may_read(info: ContextInfo, person_id: str, field: str) -> bool:
    """Whether the caller may see ``field`` of the person now (service.consent.policy decides: the
    arranging-visits basis first, without a query; grants, loaded in one batch per request, when
    the field needs a scope). A field given is noted for the access log."""
    context = info.context
    scope = policy.PERSON_FIELDS[field]
    found = policy.basis(context.user, person_id)
    if not found.own:
        found = await context.loaders.person_access.load(person_id)
        if not found.allows(scope):
            return False
    context.reads.note(found, field)
    return True


GRANTEES = policy.GRANT_HOLDERS  # who may hold a grant


def person_field(name: str) -> access.Policy:
    """The declared policy of the Person field ``name`` (snake_case), from
    ``policy.PERSON_FIELDS``, which ``_may_read`` enforces."""
    scope = policy.PERSON_FIELDS[name]
    rules: tuple[Rule, ...]
    if scope == policy.ARRANGING_VISITS:
        rules = (PERSON_SELF, STAFF_OWN, Rule(GRANTEES, CONSENT, "any"))
    else:
        rules = (PERSON_SELF, Rule(GRANTEES, CONSENT, scope))
    return access.policy(*rules, logged=True)


def _field(name: str, description: str | None = None) -> Any:
    return strawberry.field(description=description, directives=[person_field(name)])


async def _if_may_read(info: ContextInfo, person_id: str, field: str, value: T) -> T | None:
    return value if await _may_read(info, person_id, field) else None


async def _or_not_allowed(info: ContextInfo, person_id: str, field: str, value: T) -> T:
    if not await _may_read(info, person_id, field):
        raise NotAllowed()
    return value


@strawberry.type(
    name="Person",
    directives=[access.policy(PERSON_SELF, STAFF_OWN, Rule(GRANTEES, CONSENT, "any"))],
    description="Someone your organisation supports. Name, area, visit pattern and circle are "
    "there for arranging visits (coordinators and link workers); contact details, needs, "
    "check-ins and visit notes only while the person has a consent in force for them, null "
    "otherwise. Every field you are given is written to the person's access log.",
)
class PersonType:
    id: strawberry.ID
    record: strawberry.Private[Person]

    @_field("first_name")
    async def first_name(self, info: ContextInfo) -> str:
        return await _or_not_allowed(info, self.record.id, "first_name", self.record.first_name)

    @_field("last_name")
    async def last_name(self, info: ContextInfo) -> str:
        return await _or_not_allowed(info, self.record.id, "last_name", self.record.last_name)

    @_field("area", "The approximate area (ward) the person lives in.")
    async def area(self, info: ContextInfo) -> str | None:
        if self.record.area_id is None:
            return None
        await _or_not_allowed(info, self.record.id, "area", None)
        return await info.context.loaders.area_of(self.record.area_id)

    @_field("visits_per_week")
    async def visits_per_week(self, info: ContextInfo) -> int:
        value = self.record.visits_per_week
        return await _or_not_allowed(info, self.record.id, "visits_per_week", value)

    @_field("visit_minutes")
    async def visit_minutes(self, info: ContextInfo) -> int:
        return await _or_not_allowed(
            info, self.record.id, "visit_minutes", self.record.visit_minutes
        )

    @_field("visit_windows", "The weekly times the person would like visits in.")
    async def visit_windows(self, info: ContextInfo) -> list[TimeWindow]:
        windows = [_window(w) for w in self.record.visit_windows]
        return await _or_not_allowed(info, self.record.id, "visit_windows", windows)

    @_field("circle", "The volunteers in the person's care circle.")
    async def circle(self, info: ContextInfo) -> list[CircleMember]:
        await _or_not_allowed(info, self.record.id, "circle", None)
        rows = await info.context.loaders.circle.load(self.record.id)
        return [
            CircleMember(
                volunteer_id=strawberry.ID(r["volunteer_id"]),
                first_name=r["first_name"],
                since=r["since"],
            )
            for r in rows
        ]

    @_field("address", "Address and postcode (consent: contact).")
    async def address(self, info: ContextInfo) -> str | None:
        record = self.record
        full = ", ".join(part for part in (record.address, record.postcode) if part) or None
        return await _if_may_read(info, record.id, "address", full)

    @_field("phone", "Consent: contact.")
    async def phone(self, info: ContextInfo) -> str | None:
        return await _if_may_read(info, self.record.id, "phone", self.record.phone)

    @_field("need", "0..1, from check-ins; more need, more support (consent: needs).")
    async def need(self, info: ContextInfo) -> float | None:
        return await _if_may_read(info, self.record.id, "need", self.record.need)

    @_field("need_trend", "Recent change in need, -1..1 (consent: needs).")
    async def need_trend(self, info: ContextInfo) -> float | None:
        return await _if_may_read(info, self.record.id, "need_trend", self.record.need_trend)

    @_field("languages", "Consent: needs.")
    async def languages(self, info: ContextInfo) -> list[str] | None:
        return await _if_may_read(info, self.record.id, "languages", list(self.record.languages))

    @_field("interests", "Names of the person's interests (consent: needs).")
    async def interests(self, info: ContextInfo) -> list[str] | None:
        if not await _may_read(info, self.record.id, "interests"):
            return None
        return await info.context.call(
            relationships_repo.list_interest_names, person_id=self.record.id
        )

    @_field(
        "ties",
        "People the record says know the person: first name and how "
        "(family, friend, neighbour, volunteer) (consent: needs).",
    )
    async def ties(self, info: ContextInfo) -> list[PersonTie] | None:
        if not await _may_read(info, self.record.id, "ties"):
            return None
        rows = await info.context.call(relationships_repo.list_known_by, person_id=self.record.id)
        return [PersonTie(first_name=r["first_name"], kind=r["kind"] or "knows") for r in rows]

    @_field("access_needs", "Consent: needs.")
    async def access_needs(self, info: ContextInfo) -> list[str] | None:
        value: list[str] = list(self.record.access_needs)
        return await _if_may_read(info, self.record.id, "access_needs", value)

    @_field("check_ins", "Loneliness check-ins, oldest first (consent: checkins).")
    async def check_ins(self, info: ContextInfo) -> list[CheckInType] | None:
        if not await _may_read(info, self.record.id, "check_ins"):
            return None
        found = await info.context.loaders.check_ins.load(self.record.id)
        return [CheckInType.of(c) for c in found]

    @_field("visit_notes", "Volunteers' notes from visits, newest first (consent: visit_notes).")
    async def visit_notes(self, info: ContextInfo) -> list[VisitNote] | None:
        if not await _may_read(info, self.record.id, "visit_notes"):
            return None
        rows = await info.context.loaders.visit_notes.load(self.record.id)
        return [
            VisitNote(
                visit_id=strawberry.ID(r["visit_id"]),
                date=visit_date(r["week_start"], int(r["day"])).isoformat(),
                volunteer_first_name=r["volunteer_first_name"],
                note=r["note"],
                at=r["at"],
            )
            for r in rows
        ]

    @classmethod
    def of(cls, person: Person) -> PersonType:
        return cls(id=strawberry.ID(person.id), record=person)


@strawberry.type(name="Volunteer", directives=[access.policy(COORDINATOR_OWN, VOLUNTEER_SELF)])
class VolunteerType:
    id: strawberry.ID
    first_name: str
    last_name: str
    checked: bool
    max_km: float
    max_minutes: int
    languages: list[str]
    availability: list[TimeWindow]
    area_id: strawberry.Private[str | None]

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        return await info.context.loaders.area_of(self.area_id)

    @classmethod
    def of(cls, volunteer: Volunteer) -> VolunteerType:
        return cls(
            id=strawberry.ID(volunteer.id),
            first_name=volunteer.first_name,
            last_name=volunteer.last_name,
            checked=volunteer.checked,
            max_km=volunteer.max_km,
            max_minutes=volunteer.max_minutes,
            languages=volunteer.languages,
            availability=[
                TimeWindow(day=w.day, start=w.start, end=w.end) for w in volunteer.availability
            ],
            area_id=volunteer.area_id,
        )


SEARCH_MAX = 100


def _search_words(search: str | None) -> list[str]:
    """The words of a name search, lower case; none for no search (or only spaces)."""
    if search is None:
        return []
    if len(search) > SEARCH_MAX:
        raise InputError(f"search: expected at most {SEARCH_MAX} characters, got {len(search)}")
    return search.lower().split()


# Fields of PersonRecord and the consent scope each needs (None: any grant in force).
FIELD_SCOPES: dict[str, str | None] = {
    "firstName": None,
    "lastName": None,
    "area": None,
    "address": "contact",
    "postcode": "contact",
    "phone": "contact",
    "dateOfBirth": "contact",
    "need": "needs",
    "needTrend": "needs",
    "languages": "needs",
    "interests": "needs",
    "accessNeeds": "needs",
    "genderPreference": "needs",
    "visitWindows": "needs",
    "visitsPerWeek": "needs",
    "visitMinutes": "needs",
    "checkIns": "checkins",
    "visitNotes": "visit_notes",
}


def record_field(name: str) -> access.Policy:
    """The declared policy of the PersonRecord field ``name`` (``FIELD_SCOPES``, which
    ``personRecord`` enforces)."""
    return access.policy(
        PERSON_SELF, Rule(GRANTEES, CONSENT, FIELD_SCOPES[name] or "any"), logged=True
    )


@strawberry.type(
    description="A person's record; parts outside your consent are null.",
    directives=[access.policy(PERSON_SELF, Rule(GRANTEES, CONSENT, "any"), logged=True)],
)
class PersonRecord:
    id: strawberry.ID
    first_name: str | None = strawberry.field(default=None, directives=[record_field("firstName")])
    last_name: str | None = strawberry.field(default=None, directives=[record_field("lastName")])
    area_id: strawberry.Private[str | None] = None
    address: str | None = strawberry.field(default=None, directives=[record_field("address")])
    postcode: str | None = strawberry.field(default=None, directives=[record_field("postcode")])
    phone: str | None = strawberry.field(default=None, directives=[record_field("phone")])
    date_of_birth: str | None = strawberry.field(
        default=None, directives=[record_field("dateOfBirth")]
    )
    need: float | None = strawberry.field(default=None, directives=[record_field("need")])
    need_trend: float | None = strawberry.field(
        default=None, directives=[record_field("needTrend")]
    )
    languages: list[str] | None = strawberry.field(
        default=None, directives=[record_field("languages")]
    )
    interests: list[str] | None = strawberry.field(
        default=None, directives=[record_field("interests")]
    )
    access_needs: list[str] | None = strawberry.field(
        default=None, directives=[record_field("accessNeeds")]
    )
    gender_preference: str | None = strawberry.field(
        default=None, directives=[record_field("genderPreference")]
    )
    visit_windows: list[TimeWindow] | None = strawberry.field(
        default=None, directives=[record_field("visitWindows")]
    )
    visits_per_week: int | None = strawberry.field(
        default=None, directives=[record_field("visitsPerWeek")]
    )
    visit_minutes: int | None = strawberry.field(
        default=None, directives=[record_field("visitMinutes")]
    )
    check_ins: list[CheckInType] | None = strawberry.field(
        default=None, directives=[record_field("checkIns")]
    )
    visit_notes: list[VisitNote] | None = strawberry.field(
        default=None, directives=[record_field("visitNotes")]
    )

    @strawberry.field(directives=[record_field("area")])
    async def area(self, info: ContextInfo) -> str | None:
        return await info.context.loaders.area_of(self.area_id)


def _requested_field_names(info: ContextInfo) -> set[str]:
    names: set[str] = set()
    for selected in info.selected_fields:
        for child in selected.selections:
            name = getattr(child, "name", None)
            if name:
                names.add(name)
            for grandchild in getattr(child, "selections", []) or []:
                if getattr(child, "type_condition", None) and getattr(grandchild, "name", None):
                    names.add(grandchild.name)
    return names


def person_record_for(
    person: Person, allowed: set[str], check_ins: list[Any] | None, notes: list[Any] | None
) -> PersonRecord:
    """The person's record with only the ``allowed`` fields (GraphQL names) filled in."""

    def given(field: str, value: Any) -> Any:
        return value if field in allowed else None

    return PersonRecord(
        id=strawberry.ID(person.id),
        first_name=given("firstName", person.first_name),
        last_name=given("lastName", person.last_name),
        area_id=given("area", person.area_id),
        address=given("address", person.address),
        postcode=given("postcode", person.postcode),
        phone=given("phone", person.phone),
        date_of_birth=given(
            "dateOfBirth", person.date_of_birth.isoformat() if person.date_of_birth else None
        ),
        need=given("need", person.need),
        need_trend=given("needTrend", person.need_trend),
        languages=given("languages", list(person.languages)),
        interests=given("interests", list(person.interests)),
        access_needs=given("accessNeeds", list(person.access_needs)),
        gender_preference=given("genderPreference", person.gender_preference),
        visit_windows=given(
            "visitWindows",
            [TimeWindow(day=w.day, start=w.start, end=w.end) for w in person.visit_windows],
        ),
        visits_per_week=given("visitsPerWeek", person.visits_per_week),
        visit_minutes=given("visitMinutes", person.visit_minutes),
        check_ins=[CheckInType.of(c) for c in check_ins] if check_ins is not None else None,
        visit_notes=(
            [
                VisitNote(
                    visit_id=strawberry.ID(n.visit_id),
                    date=visit_date(n.week_start, n.day).isoformat(),
                    volunteer_first_name=n.volunteer_first_name,
                    note=n.note,
                    at=n.at,
                )
                for n in notes
            ]
            if notes is not None
            else None
        ),
    )


NAME_FIELDS = ("first_name", "last_name")


@strawberry.input(description="A weekly window: day 0 (Monday) .. 6, times 'HH:MM'.")
class WindowInput:
    day: int
    start: str
    end: str


@strawberry.input(description="A person to support. Location is needed for the rota.")
class PersonInput:
    first_name: str
    last_name: str
    lat: float
    lon: float
    address: str | None = None
    postcode: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    area_id: strawberry.ID | None = None
    need: float | None = strawberry.field(default=None, description="0..1; 0.5 when not given.")
    languages: list[str] | None = None
    gender: str | None = None
    gender_preference: str | None = None
    interests: list[strawberry.ID] | None = None
    access_needs: list[str] | None = None
    visit_windows: list[WindowInput] | None = None
    visits_per_week: int | None = None
    visit_minutes: int | None = None
    requires_check: bool | None = None
    circle_max: int | None = None


@strawberry.input(description="Changes to a person: only the fields given change.")
class PersonUpdateInput:
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    lat: float | None = UNSET
    lon: float | None = UNSET
    address: str | None = UNSET
    postcode: str | None = UNSET
    phone: str | None = UNSET
    date_of_birth: date | None = UNSET
    area_id: strawberry.ID | None = UNSET
    need: float | None = UNSET
    languages: list[str] | None = UNSET
    gender: str | None = UNSET
    gender_preference: str | None = UNSET
    interests: list[strawberry.ID] | None = UNSET
    access_needs: list[str] | None = UNSET
    requires_check: bool | None = UNSET
    circle_max: int | None = UNSET


@strawberry.input(description="A volunteer. Location and email are needed.")
class VolunteerInput:
    first_name: str
    last_name: str
    email: str
    lat: float
    lon: float
    phone: str | None = None
    area_id: strawberry.ID | None = None
    max_km: float | None = None
    max_minutes: int | None = strawberry.field(default=None, description="Weekly limit.")
    availability: list[WindowInput] | None = None
    languages: list[str] | None = None
    gender: str | None = None
    checked: bool | None = strawberry.field(default=None, description="Holds a DBS check.")
    check_expires: date | None = None
    interests: list[strawberry.ID] | None = None


@strawberry.input(description="Changes to a volunteer: only the fields given change.")
class VolunteerUpdateInput:
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    email: str | None = UNSET
    lat: float | None = UNSET
    lon: float | None = UNSET
    phone: str | None = UNSET
    area_id: strawberry.ID | None = UNSET
    max_km: float | None = UNSET
    max_minutes: int | None = UNSET
    availability: list[WindowInput] | None = UNSET
    languages: list[str] | None = UNSET
    gender: str | None = UNSET
    checked: bool | None = UNSET
    check_expires: date | None = UNSET
    interests: list[strawberry.ID] | None = UNSET


def _as_model_value(value: Any) -> Any:
    if isinstance(value, WindowInput):
        return {"day": value.day, "start": value.start, "end": value.end}
    if isinstance(value, list):
        return [_as_model_value(v) for v in value]
    return value


def _refuse_emptying(changes: dict[str, Any], required: tuple[str, ...]) -> None:
    """InputError naming the first required field an update would set to nothing."""
    for name in required:
        if name in changes and changes[name] is None:
            raise InputError(f"{registry.api_field((name,))}: cannot be emptied")


def _model_fields_of(given: Any, *, partial: bool) -> dict[str, Any]:
    """The input's fields (snake_case) for the model: missing ones left out; on a new record
    nulls are left out too (the model's defaults apply)."""
    values = {}
    for name, value in vars(given).items():
        if value is UNSET or (value is None and not partial):
            continue
        values[name] = _as_model_value(value)
    return values


def _call_error(error: registry.RegistryError) -> InputError:
    return InputError(str(error))


async def _own_person(info: ContextInfo, person_id: str) -> None:
    """NotAllowed unless the caller's organisation supports the person (checked before
    anything about the person, even whether they exist, is said)."""
    found = await info.context.loaders.person_access.load(person_id)
    if not found.arranging:
        raise NotAllowed("Not allowed: your organisation does not support this person.")


async def _own_volunteer(info: ContextInfo, organization_id: str, volunteer_id: str) -> None:
    if not await info.context.call(
        organisations_repo.volunteers_with,
        volunteer_id=volunteer_id,
        organization_id=organization_id,
    ):
        raise NotAllowed("Not allowed: this volunteer does not volunteer with your organisation.")


@strawberry.type
class PeopleQuery:
    @strawberry.field(
        description="People your organisation supports (coordinators, link workers), in id "
        "order. With a search, only those whose first or last name contains every word of it "
        "(any case): only the people returned are read (and logged for them).",
        directives=[access.policy(STAFF_OWN, logged=True)],
    )
    async def people(
        self,
        info: ContextInfo,
        first: int | None = 50,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[PersonType]:
        user = access.require_staff(info.context, "coordinator", "link_worker")
        organization_id = access.organization_of(user)
        first = check_first(first)
        words = _search_words(search)
        cursor = decode_cursor(after)
        if words:
            found = await info.context.call(
                organisations_repo.search_people_of,
                organization_id=organization_id,
                words=words,
                after=cursor,
                limit=first + 1,
            )
            items, has_next = found[:first], len(found) > first
        else:
            page = await info.context.call(
                organisations_repo.people_of,
                organization_id=organization_id,
                first=first,
                after=cursor,
            )
            items, has_next = page.items, page.has_next
        return connection([PersonType.of(p) for p in items], [p.id for p in items], has_next)

    @strawberry.field(
        description="One person: staff of an organisation that supports them, someone they "
        "have a consent in force to, or the person.",
        directives=[
            access.policy(PERSON_SELF, STAFF_OWN, Rule(GRANTEES, CONSENT, "any"), logged=True)
        ],
    )
    async def person(self, info: ContextInfo, id: strawberry.ID) -> PersonType | None:
        access.signed_in(info.context)
        person_id = check_id(str(id), "id")
        found = policy.basis(info.context.user, person_id)
        if not found.own:
            found = await info.context.loaders.person_access.load(person_id)
        if not found.allows(policy.ARRANGING_VISITS):
            raise NotAllowed()
        person = await info.context.call(people_repo.get_person, person_id=person_id)
        return PersonType.of(person) if person else None

    @strawberry.field(
        description="Your organisation's volunteers (coordinators).",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def volunteers(
        self, info: ContextInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[VolunteerType]:
        user = access.require_staff(info.context, "coordinator")
        first = check_first(first)
        page = await info.context.call(
            organisations_repo.volunteers_of,
            organization_id=access.organization_of(user),
            first=first,
            after=decode_cursor(after),
        )
        return connection(
            [VolunteerType.of(v) for v in page.items], [v.id for v in page.items], page.has_next
        )

    @strawberry.field(
        description="A person's record as your consent allows: parts not covered are null; "
        "no consent in force at all is an error. Every read is logged for the person to see.",
        directives=[access.policy(PERSON_SELF, Rule(GRANTEES, CONSENT, "any"), logged=True)],
    )
    async def person_record(self, info: ContextInfo, person_id: strawberry.ID) -> PersonRecord:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await person_access(info.context, user, key)
        if not found.own and not found.scopes:
            raise NotAllowed("Not allowed: no consent in force for this person.")
        requested = _requested_field_names(info) & set(FIELD_SCOPES)
        allowed = {f for f in requested if found.allows(FIELD_SCOPES[f] or policy.ANY_SCOPE)}
        person = await info.context.call(people_repo.get_person, person_id=key)
        if person is None:
            raise NotAllowed("Not allowed: no consent in force for this person.")
        check_ins = notes = None
        if "checkIns" in allowed:
            check_ins = await info.context.call(
                checkins_repo.list_checkins_of_person, person_id=key
            )
        if "visitNotes" in allowed:
            notes = await info.context.call(my_data.visit_notes_of, person_id=key)
        used = [scope for f in allowed if (scope := FIELD_SCOPES[f]) is not None]
        await log_person_read(info.context, user, found, [snake_case(f) for f in allowed], used)
        return person_record_for(person, allowed, check_ins, notes)


OWN_PERSON_WRITE = access.policy(COORDINATOR_OWN)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(
        description="Register a person; your organisation supports them from now.",
        directives=[access.policy(Rule(("coordinator",), OWN_ORGANISATION, when="joins it"))],
    )
    async def register_person(self, info: ContextInfo, input: PersonInput) -> PersonType:
        user = access.require_staff(info.context, "coordinator")
        try:
            made = await info.context.call(
                registry.register_person,
                values=_model_fields_of(input, partial=False),
                organization_id=access.organization_of(user),
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        return PersonType.of(made)

    @strawberry.mutation(
        description="Change a person's record (your organisation's); only the fields given change.",
        directives=[OWN_PERSON_WRITE],
    )
    async def update_person(
        self, info: ContextInfo, id: strawberry.ID, input: PersonUpdateInput
    ) -> PersonType:
        access.require_staff(info.context, "coordinator")
        key = check_id(str(id), "id")
        await _own_person(info, key)
        changes = _model_fields_of(input, partial=True)
        _refuse_emptying(changes, NAME_FIELDS + ("lat", "lon"))
        try:
            changed = await info.context.call(
                registry.update_person, person_id=key, changes=changes
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        except registry.UnknownRecord:
            raise InputError(f"id: no person with id {key!r}") from None
        return PersonType.of(changed)

    @strawberry.mutation(
        description="Set the weekly times a person can be visited in and, when given, how many "
        "visits a week and how long; weeks already planned keep their visits.",
        directives=[OWN_PERSON_WRITE],
    )
    async def set_visit_pattern(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        windows: list[WindowInput],
        visits_per_week: int | None = None,
        visit_minutes: int | None = None,
    ) -> PersonType:
        access.require_staff(info.context, "coordinator")
        key = check_id(str(person_id), "personId")
        await _own_person(info, key)
        try:
            changed = await info.context.call(
                registry.set_visit_pattern,
                person_id=key,
                windows=_as_model_value(windows),
                visits_per_week=visits_per_week,
                visit_minutes=visit_minutes,
            )
        except registry.RegistryError as error:
            message = str(error).replace("visitWindows", "windows", 1)
            raise InputError(message) from None
        except registry.UnknownRecord:
            raise InputError(f"personId: no person with id {key!r}") from None
        return PersonType.of(changed)

    @strawberry.mutation(
        description="Register a volunteer; they volunteer with your organisation from now.",
        directives=[access.policy(Rule(("coordinator",), OWN_ORGANISATION, when="joins it"))],
    )
    async def register_volunteer(self, info: ContextInfo, input: VolunteerInput) -> VolunteerType:
        user = access.require_staff(info.context, "coordinator")
        try:
            made = await info.context.call(
                registry.register_volunteer,
                values=_model_fields_of(input, partial=False),
                organization_id=access.organization_of(user),
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        return VolunteerType.of(made)

    @strawberry.mutation(
        description="Change a volunteer's record (one who volunteers with your organisation); "
        "only the fields given change.",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def update_volunteer(
        self, info: ContextInfo, id: strawberry.ID, input: VolunteerUpdateInput
    ) -> VolunteerType:
        user = access.require_staff(info.context, "coordinator")
        key = check_id(str(id), "id")
        await _own_volunteer(info, access.organization_of(user), key)
        changes = _model_fields_of(input, partial=True)
        _refuse_emptying(changes, NAME_FIELDS + ("lat", "lon", "email"))
        try:
            changed = await info.context.call(
                registry.update_volunteer, volunteer_id=key, changes=changes
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        except registry.UnknownRecord:
            raise InputError(f"id: no volunteer with id {key!r}") from None
        return VolunteerType.of(changed)
