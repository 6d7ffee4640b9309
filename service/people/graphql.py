"""GraphQL for coordinators' records: register and update people and volunteers, and set a
person's weekly visit pattern (service/registry.py). Merged into the schema's Mutation.

Malformed input is a GraphQL error naming the field (``lat: Input should be less than or equal
to 90``, ``visitWindows[0].end: ...``); nothing is written. The Person returned is read through
service.consent.policy like any other (the fields given back are in the person's access log).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types.unset import UNSET

from service import access
from service.api.errors import InputError, check_id
from service.api.types import ContextInfo, PersonType, VolunteerType
from service.people import registry

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


def _plain(value: Any) -> Any:
    if isinstance(value, WindowInput):
        return {"day": value.day, "start": value.start, "end": value.end}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _refuse_emptying(changes: dict[str, Any], required: tuple[str, ...]) -> None:
    """InputError naming the first required field an update would set to nothing."""
    for name in required:
        if name in changes and changes[name] is None:
            raise InputError(f"{registry.api_field((name,))}: cannot be emptied")


def _values(given: Any, *, partial: bool) -> dict[str, Any]:
    """The input's fields (snake_case) for the model: missing ones left out; on a new record
    nulls are left out too (the model's defaults apply)."""
    values = {}
    for name, value in vars(given).items():
        if value is UNSET or (value is None and not partial):
            continue
        values[name] = _plain(value)
    return values


def _call_error(error: registry.RegistryError) -> InputError:
    return InputError(str(error))


@strawberry.type
class CoordinationMutation:
    @strawberry.mutation(description="Register a person your organisation supports.")
    async def register_person(self, info: ContextInfo, input: PersonInput) -> PersonType:
        access.require_staff(info.context, "coordinator")
        try:
            made = await info.context.call(
                registry.register_person, values=_values(input, partial=False)
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        return PersonType.of(made)

    @strawberry.mutation(description="Change a person's record; only the fields given change.")
    async def update_person(
        self, info: ContextInfo, id: strawberry.ID, input: PersonUpdateInput
    ) -> PersonType:
        access.require_staff(info.context, "coordinator")
        key = check_id(str(id), "id")
        changes = _values(input, partial=True)
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
        "visits a week and how long; weeks already planned keep their visits."
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
        try:
            changed = await info.context.call(
                registry.set_visit_pattern,
                person_id=key,
                windows=_plain(windows),
                visits_per_week=visits_per_week,
                visit_minutes=visit_minutes,
            )
        except registry.RegistryError as error:
            message = str(error).replace("visitWindows", "windows", 1)
            raise InputError(message) from None
        except registry.UnknownRecord:
            raise InputError(f"personId: no person with id {key!r}") from None
        return PersonType.of(changed)

    @strawberry.mutation(description="Register a volunteer.")
    async def register_volunteer(self, info: ContextInfo, input: VolunteerInput) -> VolunteerType:
        access.require_staff(info.context, "coordinator")
        try:
            made = await info.context.call(
                registry.register_volunteer, values=_values(input, partial=False)
            )
        except registry.RegistryError as error:
            raise _call_error(error) from None
        return VolunteerType.of(made)

    @strawberry.mutation(description="Change a volunteer's record; only the fields given change.")
    async def update_volunteer(
        self, info: ContextInfo, id: strawberry.ID, input: VolunteerUpdateInput
    ) -> VolunteerType:
        access.require_staff(info.context, "coordinator")
        key = check_id(str(id), "id")
        changes = _values(input, partial=True)
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
