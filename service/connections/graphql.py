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

SUGGESTION_FIELDS = ("access_needs", "interests", "location", "relationships", "visit_windows")


@strawberry.enum
class ReferralOutcome(Enum):
    ATTENDED = "attended"
    DECLINED = "declined"
    NOT_SUITABLE = "not_suitable"


@strawberry.type(name="Service", directives=[access.policy(ANYONE_SIGNED_IN)])
class ServiceType:
    id: strawberry.ID
    name: str
    description: str
    category: str
    cost: str
    accessibility: list[str]
    url: str | None
    phone: str | None
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
            cost=service.cost,
            accessibility=list(service.accessibility),
            url=service.url,
            phone=service.phone,
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

    @classmethod
    def of(cls, referral: Referral, service_name: str | None = None) -> ReferralType:
        return cls(
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
        description="Services that fit a person, best first, with reasons (consent: needs).",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"), logged=True)],
    )
    async def suggest_connections(
        self, info: ContextInfo, person_id: strawberry.ID, first: int = 5
    ) -> list[Suggestion]:
        user = access.signed_in(info.context)
        key = check_id(str(person_id), "personId")
        if not 1 <= first <= MAX_SUGGESTIONS:
            raise InputError(f"first: expected 1..{MAX_SUGGESTIONS}, got {first}")
        found = await person_access(info.context, user, key)
        require_scopes(found, "needs")
        try:
            suggestions = await info.context.call(suggest_connections, person_id=key, first=first)
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
        description="Refer a person to a service (consent: needs).",
        directives=[access.policy(Rule(STAFF, CONSENT, "needs"))],
    )
    async def refer_to_service(
        self,
        info: ContextInfo,
        person_id: strawberry.ID,
        service_id: strawberry.ID,
        note: str | None = None,
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
