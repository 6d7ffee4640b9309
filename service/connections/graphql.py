"""GraphQL for link workers' connections: local services, suggestions and referrals."""

from __future__ import annotations

import uuid
from enum import Enum

import strawberry

from graph.models import Referral, Service, iso_utc, utc_now
from graph.repo import referrals as referrals_repo
from graph.repo import services as services_repo
from graph.repo.errors import NotFound
from service import access
from service.access import ANYONE_SIGNED_IN, AS_RETURNED_POLICY, CONSENT, STAFF, Rule
from service.api.errors import (
    InputError,
    NotAllowed,
    check_id,
)
from service.api.info import ContextInfo
from service.api.paging import Connection, check_first, connection, decode_cursor
from service.config import (
    NOTE_MAX,
)
from service.connections.reasons import SuggestionFilters, ages_in_words
from service.connections.suggestions import (
    MAX_SUGGESTIONS,
    record_referral_outcome,
    refer_to_service,
    search_services,
    suggest_connections,
)
from service.consent import my_data
from service.consent.checks import log_person_read, person_access, require_scopes
from service.context import RequestContext
from service.referrals.graphql import DeclineReason
from service.referrals.partners import decline_in_words

SUGGESTION_FIELDS = (
    "access_needs",
    "date_of_birth",
    "interests",
    "location",
    "relationships",
    "visit_windows",
)


@strawberry.enum
class ReferralOutcome(Enum):
    ATTENDED = "attended"
    DECLINED = "declined"
    NOT_SUITABLE = "not_suitable"


@strawberry.enum(description="How a person gets into a service, as its directory says.")
class AccessRoute(Enum):
    DROP_IN = "drop_in"
    SELF_REFERRAL = "self_referral"
    PROFESSIONAL_REFERRAL = "professional_referral"
    APPOINTMENT = "appointment"


@strawberry.type(
    name="ServicePlace",
    description="A place a service meets, as its directory gives it.",
    directives=[AS_RETURNED_POLICY],
)
class ServicePlaceType:
    name: str | None
    address: str | None
    town: str | None
    postcode: str | None


@strawberry.type(
    name="ServiceContact",
    description="Someone to ask about a service.",
    directives=[AS_RETURNED_POLICY],
)
class ServiceContactType:
    name: str | None
    title: str | None
    phone: str | None
    email: str | None


@strawberry.type(
    name="FeedTerm",
    description="A term of the directory's own vocabulary.",
    directives=[AS_RETURNED_POLICY],
)
class FeedTermType:
    taxonomy: str
    name: str


@strawberry.type(name="Service", directives=[access.policy(ANYONE_SIGNED_IN)])
class ServiceType:
    id: strawberry.ID
    name: str
    description: str
    category: str
    category_guessed: bool = strawberry.field(
        description="True when the category was guessed from the name (no directory term gave it)."
    )
    cost: str = strawberry.field(description="free, low, paid, or not_stated (no price given).")
    cost_words: str | None = strawberry.field(description="The cost in the directory's words.")
    accessibility: list[str]
    accessibility_words: str | None = strawberry.field(
        description="Accessibility as the directory states it."
    )
    url: str | None
    phone: str | None
    audiences: list[str] = strawberry.field(description="Who it is for, in the directory's words.")
    min_age: int | None
    max_age: int | None
    ages: str | None = strawberry.field(description='The ages in words ("ages 50 and over").')
    access_routes: list[AccessRoute]
    how_to_get_in: str | None = strawberry.field(
        description="How to get in, in the directory's words."
    )
    service_areas: list[str]
    places: list[ServicePlaceType]
    contacts: list[ServiceContactType]
    languages: list[str]
    schedule_notes: str | None
    terms: list[FeedTermType]
    area_id: strawberry.Private[str | None] = None

    @strawberry.field
    async def area(self, info: ContextInfo) -> str | None:
        return await info.context.loaders.area_of(self.area_id)

    @classmethod
    def of(cls, service: Service) -> ServiceType:
        return cls(
            id=strawberry.ID(service.id),
            name=service.name,
            description=service.description,
            category=service.category,
            category_guessed=service.category_guessed,
            cost=service.cost,
            cost_words=service.cost_words,
            accessibility=list(service.accessibility),
            accessibility_words=service.accessibility_words,
            url=service.url,
            phone=service.phone,
            audiences=list(service.audiences),
            min_age=service.min_age,
            max_age=service.max_age,
            ages=ages_in_words(service.min_age, service.max_age),
            access_routes=[AccessRoute(route) for route in service.access_routes],
            how_to_get_in=service.access_words,
            service_areas=list(service.service_areas),
            places=[
                ServicePlaceType(name=p.name, address=p.address, town=p.town, postcode=p.postcode)
                for p in service.places
            ],
            contacts=[
                ServiceContactType(name=c.name, title=c.title, phone=c.phone, email=c.email)
                for c in service.contacts
            ],
            languages=list(service.languages),
            schedule_notes=service.schedule_notes,
            terms=[FeedTermType(taxonomy=t.taxonomy, name=t.name) for t in service.terms],
            area_id=service.area_id,
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class Suggestion:
    service: ServiceType
    score: float
    distance_km: float | None
    reasons: list[str]
    rank_reason: str = strawberry.field(
        description="Why it stands where it does in the list, in words for the link worker."
    )


@strawberry.type(name="Referral", directives=[AS_RETURNED_POLICY])
class ReferralType:
    id: strawberry.ID
    person_id: strawberry.ID
    service_id: strawberry.ID
    service_name: str | None
    status: str
    note: str | None
    created_at: str
    updated_at: str | None
    contact_agreed: bool = strawberry.field(
        description="The person agreed the service may contact them once it accepts."
    )
    decided_at: str | None = strawberry.field(
        description="When the organisation offering the service accepted or declined."
    )
    decline_reason: DeclineReason | None
    decline_in_words: str | None = strawberry.field(
        description="The organisation's reason for declining, in words, with its note."
    )
    attended: list[str] = strawberry.field(description="Session dates the person came to.")
    missed: list[str] = strawberry.field(description="Session dates the person did not come to.")

    @classmethod
    def of(cls, referral: Referral, service_name: str | None = None) -> ReferralType:
        return cls(
            contact_agreed=referral.share_contact,
            decided_at=iso_utc(referral.decided_at) if referral.decided_at else None,
            decline_reason=DeclineReason(referral.decline_reason)
            if referral.decline_reason
            else None,
            decline_in_words=decline_in_words(referral),
            attended=sorted(d.isoformat() for d in referral.attended),
            missed=sorted(d.isoformat() for d in referral.missed),
            id=strawberry.ID(referral.id),
            person_id=strawberry.ID(referral.person_id),
            service_id=strawberry.ID(referral.service_id),
            service_name=service_name,
            status=referral.status,
            note=referral.note,
            created_at=iso_utc(referral.created_at),
            updated_at=iso_utc(referral.updated_at) if referral.updated_at else None,
        )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ReferralMade:
    referral: ReferralType


async def _services_by_id(context: RequestContext, ids: list[str]) -> dict[str, ServiceType]:
    found = await context.call(services_repo.list_services_by_id, service_ids=ids)
    return {s.id: ServiceType.of(s) for s in found}


async def _service_name(context: RequestContext, referral: Referral) -> str | None:
    services = await _services_by_id(context, [referral.service_id])
    found = services.get(referral.service_id)
    return found.name if found else None


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ServiceMatchType:
    service: ServiceType
    distance_km: float | None = strawberry.field(
        description="From the person's home; null for a service with no fixed place."
    )
    when: list[str] = strawberry.field(description="When it meets (on the day asked for).")


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ServiceSearch:
    matches: list[ServiceMatchType]
    kinds: list[str] = strawberry.field(description="Every kind of service in the directory.")


SEARCH_FIRST_MAX = 50
COSTS = ("free", "low", "paid")


@strawberry.type
class ServiceSearchQuery:
    @strawberry.field(
        description="Any service in the directory for a person: by name, kind, day (0 = Monday), "
        "distance from their home (km) and cost (free, low, paid); nearest first (link workers "
        "and coordinators; consent: needs, as the distance is from their home).",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"), logged=True)],
    )
    async def search_services(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        name: str = "",
        kind: str = "",
        day: int | None = None,
        max_km: float | None = None,
        max_cost: str = "paid",
        first: int = 20,
    ) -> ServiceSearch:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(person_id), "personId")
        if len(name) > 100:
            raise InputError(f"name: expected at most 100 characters, got {len(name)}")
        if len(kind) > 100:
            raise InputError(f"kind: expected at most 100 characters, got {len(kind)}")
        if day is not None and not 0 <= day <= 6:
            raise InputError(f"day: expected 0 (Monday) .. 6 (Sunday), got {day}")
        if max_km is not None and not 0 < max_km <= 100:
            raise InputError(f"maxKm: expected a distance above 0 and at most 100, got {max_km}")
        if max_cost not in COSTS:
            raise InputError(f"maxCost: expected one of {', '.join(COSTS)}, got {max_cost!r}")
        if not 1 <= first <= SEARCH_FIRST_MAX:
            raise InputError(f"first: expected 1..{SEARCH_FIRST_MAX}, got {first}")
        found = await person_access(info.context, user, key)
        require_scopes(found, "needs")
        try:
            matches, kinds = await info.context.call(
                search_services,
                person_id=key,
                name=name,
                kind=kind,
                day=day,
                max_km=max_km,
                max_cost=max_cost,
                first=first,
            )
        except NotFound:
            raise NotAllowed("Not allowed: no consent in force for needs.") from None
        await log_person_read(info.context, user, found, ["location"], ["needs"])
        services = await _services_by_id(info.context, [m.service_id for m in matches])
        return ServiceSearch(
            matches=[
                ServiceMatchType(
                    service=services[m.service_id], distance_km=m.distance_km, when=list(m.when)
                )
                for m in matches
                if m.service_id in services
            ],
            kinds=kinds,
        )


@strawberry.type
class ConnectionsQuery(ServiceSearchQuery):
    @strawberry.field(
        description="A person's referrals to services, oldest first, with how each turned out "
        "(consent: needs, as for suggesting and referring). The read is logged for the person.",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"), logged=True)],
    )
    async def referrals(self, info: ContextInfo, person_id: strawberry.ID) -> list[ReferralType]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        found = await person_access(info.context, user, key)
        require_scopes(found, "needs")
        held = await info.context.call(my_data.referrals_of, person_id=key)
        await log_person_read(info.context, user, found, ["referrals"], ["needs"])
        return [ReferralType.of(r.referral, r.service_name) for r in held]

    @strawberry.field(
        description="Local services and groups, in id order.",
        directives=[access.policy(ANYONE_SIGNED_IN)],
    )
    async def services(
        self, info: ContextInfo, first: int | None = 50, after: str | None = None
    ) -> Connection[ServiceType]:
        access.signed_in(info.context)
        first = check_first(first)
        page = await info.context.call(
            services_repo.list_services, first=first, after=decode_cursor(after)
        )
        return connection(
            [ServiceType.of(s) for s in page.items], [s.id for s in page.items], page.has_next
        )

    @strawberry.field(
        description="Services that fit a person, best first, with reasons (consent: needs). "
        "fitsAge: only services whose ages include the person's (when both are known); "
        "costNotStated: also services whose directory gives no price; accessRoutes: only "
        "services a person can get into one of these ways.",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"), logged=True)],
    )
    async def suggest_connections(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        first: int = 5,
        fits_age: bool = True,
        cost_not_stated: bool = True,
        access_routes: list[AccessRoute] | None = None,
    ) -> list[Suggestion]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        if not 1 <= first <= MAX_SUGGESTIONS:
            raise InputError(f"first: expected 1..{MAX_SUGGESTIONS}, got {first}")
        found = await person_access(info.context, user, key)
        require_scopes(found, "needs")
        try:
            suggestions = await info.context.call(
                suggest_connections,
                person_id=key,
                first=first,
                filters=SuggestionFilters(
                    fits_age=fits_age,
                    cost_not_stated=cost_not_stated,
                    access_routes=None
                    if access_routes is None
                    else frozenset(route.value for route in access_routes),
                ),
            )
        except NotFound:
            raise NotAllowed("Not allowed: no consent in force for needs.") from None
        await log_person_read(info.context, user, found, list(SUGGESTION_FIELDS), ["needs"])
        services = await _services_by_id(info.context, [s.service_id for s in suggestions])
        return [
            Suggestion(
                service=services[s.service_id],
                score=s.score,
                distance_km=s.distance_km,
                reasons=list(s.reasons),
                rank_reason=s.rank_reason,
            )
            for s in suggestions
            if s.service_id in services
        ]


@strawberry.type
class ConnectionsMutation:
    @strawberry.mutation(
        description="Refer a person to a service (consent: needs). The referral waits in the "
        "inbox of the organisation offering the service; shareContact records that the person "
        "agreed to be contacted by it once it accepts.",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"))],
    )
    async def refer_to_service(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        service_id: strawberry.ID,
        note: str | None = None,
        share_contact: bool = False,
    ) -> ReferralMade:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(person_id), "personId")
        service_key = check_id(str(service_id), "serviceId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        require_scopes(await person_access(info.context, user, key), "needs")
        referral = Referral(
            id=f"referral-{uuid.uuid4().hex[:16]}",
            person_id=key,
            service_id=service_key,
            referred_by=user.id,
            note=note.strip() if note else None,
            share_contact=share_contact,
        )
        try:
            made = await info.context.call(refer_to_service, referral=referral)
        except NotFound as missing:
            field = "serviceId" if "Service" in str(missing) else "personId"
            raise InputError(f"{field}: no such {field[:-2]}") from None
        return ReferralMade(referral=ReferralType.of(made, await _service_name(info.context, made)))

    @strawberry.mutation(
        description="Record how a referral turned out.",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs", when="or who made it"))],
    )
    async def update_referral(
        self,
        info: ContextInfo,
        referral_id: strawberry.ID,
        status: ReferralOutcome,
        note: str | None = None,
    ) -> ReferralType:
        user = access.require_staff(info.context, "link_worker", "coordinator")
        key = check_id(str(referral_id), "referralId")
        if note is not None and len(note) > NOTE_MAX:
            raise InputError(f"note: expected at most {NOTE_MAX} characters, got {len(note)}")
        referral = await info.context.call(referrals_repo.get_referral, referral_id=key)
        if referral is None:
            raise InputError("referralId: no such referral")
        if referral.referred_by != user.id:
            require_scopes(await person_access(info.context, user, referral.person_id), "needs")
        updated = await info.context.call(
            record_referral_outcome,
            referral_id=key,
            status=status.value,
            at=utc_now(),
            note=note.strip() if note else None,
        )
        return ReferralType.of(updated, await _service_name(info.context, updated))
