"""Consent and minimisation: who may see which parts of a person's record, and the audit trail.

Deny by default. Someone other than the person sees a part of their record (a *scope*:
``contact``, ``needs``, ``checkins``, ``visit_notes``) only while the person has a grant in force
to them or to their organisation that names that scope, and only if their role may hold
grants at all (coordinator, link worker, volunteer; never admin). Every read of personal data by
someone else is written to the access log with who, when, the grants relied on (by id: the
purpose is the person's own words, kept on the grant, so the log holds nothing personal) and
which fields (``log_access``); the person reading their own record is not logged.

The person record as the API's ``Person`` type shows it (``PERSON_FIELDS``) has two bases:

- **arranging visits** (no grant needed): coordinators and link workers of an organisation that
  supports the person (``(Person)-[:SUPPORTED_BY]->(Organization)``) see what running the rota
  and finding someone on a list needs: first and last name, approximate area (ward), the weekly
  visit pattern (visits per week, minutes, windows) and who is in their care circle. Staff of
  another organisation see nothing of the person without a grant. The solver itself reads
  need, languages and preferences from the graph; people do not see them without a grant.
- **consent**: everything else needs a grant in force with the matching scope: ``contact``
  (address, postcode, phone), ``needs`` (need and its trend, languages, interests, access
  needs, gender preference), ``checkins`` (check-ins), ``visit_notes`` (volunteers' notes),
  ``plan`` (the support plan, its goals and reviews: ``service.plans``).
  Without one the field is null, and nothing about the grant's absence is said beyond that.
  Any grant in force also opens the arranging-visits fields (so someone the person chose can
  find them by name).

Both are logged: every field of a person returned to someone other than the person is written
to the access log (``Reads``/``log_reads``), one entry per basis, naming the fields returned.
The ``personRecord`` query is the consent view: it needs a grant in force at all.

Consent is the person's: the person grants and revokes. Staff may *record* a consent the
person gave in person, by phone or on paper, only for someone their own organisation supports
and only to their organisation or themselves; the grant says who recorded it and how it was
given, expires after ``RECORDED_GRANT_DAYS`` (365) unless an earlier expiry is given, and shows
in the person's own data. Staff revoke only grants made to their own organisation or to
themselves. A grant lasts at most ``GRANT_DAYS_MAX`` days; the grantee is a user or an
organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph.models import AccessLogEntry, ConsentGrant, utc_now
from graph.repo import access_log
from graph.repo import consent as grants_repo
from graph.repo import delegations as delegations_repo
from graph.repo import organisations as organisations_repo
from graph.repo.errors import NotFound
from graph.repo.records import node_exists
from graph.store.port import GraphStore
from service.access import STAFF
from service.context import CurrentUser

SCOPES = ("contact", "needs", "checkins", "visit_notes", "plan")
ANY_SCOPE = "any"
ARRANGING_VISITS = "arranging visits"

# Fields of the API's Person type (snake_case, as logged) and what each needs: a consent scope,
# or ARRANGING_VISITS (staff of an organisation; also covered by any grant in force).
PERSON_FIELDS: dict[str, str] = {
    "first_name": ARRANGING_VISITS,
    "last_name": ARRANGING_VISITS,
    "area": ARRANGING_VISITS,
    "visits_per_week": ARRANGING_VISITS,
    "visit_minutes": ARRANGING_VISITS,
    "visit_windows": ARRANGING_VISITS,
    "circle": ARRANGING_VISITS,
    "address": "contact",
    "phone": "contact",
    "need": "needs",
    "need_trend": "needs",
    "languages": "needs",
    "interests": "needs",
    "access_needs": "needs",
    "ties": "needs",
    "check_ins": "checkins",
    "visit_notes": "visit_notes",
}

GRANT_HOLDERS = ("coordinator", "link_worker", "volunteer")
GRANT_DAYS_MAX = 730
RECORDED_GRANT_DAYS = 365
GIVEN_HOW = ("in person", "by phone", "on paper")
PURPOSE_MAX = 200
GRANT_PURPOSE_PREFIX = "consent "
NOT_THE_PERSON = (
    "Not allowed: only the person, or someone they chose to act for them, gives consent to "
    "their record."
)
# Who may act for a person on their consent (service.consent.delegation): anyone with an
# account except an administrator, who sees no personal data, and a partner organisation.
DELEGATE_ROLES = ("person", "volunteer", "coordinator", "link_worker")


def purposes_in(logged: str, purposes: dict[str, str]) -> str:
    """An access-log purpose in words: grant ids replaced by the grants' ``purposes``."""
    if not logged.startswith(GRANT_PURPOSE_PREFIX):
        return logged
    ids = logged[len(GRANT_PURPOSE_PREFIX) :].split("; ")
    return "; ".join(sorted({purposes.get(i, "a consent no longer held") for i in ids}))


class ConsentError(ValueError):
    """A grant that cannot be made or changed; the message names the field."""


class NoAccess(PermissionError):
    """The caller has no grant in force for what they asked (says nothing about the record)."""


@dataclass(frozen=True)
class Access:
    """What one user may see of one person now, and why."""

    person_id: str
    own: bool = False
    arranging: bool = False  # staff of an organisation that supports the person
    scopes: frozenset[str] = frozenset()
    grants: tuple[tuple[str, frozenset[str]], ...] = field(default=())  # (id, scopes)

    def purpose(self, scopes: Iterable[str] = ()) -> str:
        """The access log's purpose: the grants that cover ``scopes`` (all when none given),
        by id. The person's own words for the purpose stay on the grant (and go with it on
        erasure); ``purposes_in`` turns the ids back into them for the person."""
        if self.own:
            return "own record"
        wanted = set(scopes)
        chosen = {g for g, covered in self.grants if not wanted or covered & wanted}
        return GRANT_PURPOSE_PREFIX + "; ".join(sorted(chosen))

    def allows(self, scope: str) -> bool:
        """``scope`` is one of ``SCOPES``, ``any`` for what any grant in force covers, or
        ``ARRANGING_VISITS`` (staff of an organisation, or any grant in force)."""
        if scope == ANY_SCOPE:
            return self.own or bool(self.scopes)
        if scope == ARRANGING_VISITS:
            return self.own or self.arranging or bool(self.scopes)
        return self.own or scope in self.scopes

    def purpose_of(self, field: str) -> str:
        """Why a Person field was read: arranging visits, or the grants covering its scope."""
        scope = PERSON_FIELDS[field]
        if scope == ARRANGING_VISITS and (self.arranging or self.own):
            return ARRANGING_VISITS
        return self.purpose([] if scope == ARRANGING_VISITS else [scope])


def basis(user: CurrentUser | None, person_id: str) -> Access:
    """What ``user`` may see of the person without a query: their own record, or nothing
    yet (staff's organisation and grants are looked up by ``accesses_to_people``)."""
    if user is not None and user.role == "person" and user.person_id == person_id:
        return Access(person_id=person_id, own=True, scopes=frozenset(SCOPES))
    return Access(person_id=person_id)


def accesses_to_people(
    *,
    store: GraphStore,
    user: CurrentUser | None,
    person_ids: list[str],
    at: datetime | None = None,
) -> dict[str, Access]:
    """What ``user`` may see of each person at ``at`` (now), in one statement: their own record;
    the arranging-visits basis when the user's organisation supports the person; the union of
    the scopes of grants in force to the user or their organisation."""
    found = {p: basis(user, p) for p in person_ids}
    if user is None or user.role not in GRANT_HOLDERS:
        return found
    if user.role in STAFF and user.organization_id is None:
        return found
    asked = [p for p, a in found.items() if not a.own]
    if not asked:
        return found
    grantee_ids = [user.id] + ([user.organization_id] if user.organization_id else [])
    relations = organisations_repo.relations_to_people(
        store=store,
        person_ids=asked,
        organization_id=user.organization_id if user.role in STAFF else None,
        grantee_ids=grantee_ids,
        at=at or utc_now(),
    )
    for person_id, relation in relations.items():
        grants = relation.grants
        found[person_id] = Access(
            person_id=person_id,
            arranging=relation.supported and user.role in STAFF,
            scopes=frozenset(s for g in grants for s in g.scopes),
            grants=tuple((g.id, frozenset(g.scopes)) for g in grants),
        )
    return found


@dataclass
class Reads:
    """The Person fields one request returned about people other than the caller, for the
    access log (written once, when the request is done: ``log_reads``)."""

    fields: dict[str, tuple[Access, set[str]]] = field(default_factory=dict)

    def note(self, access: Access, name: str) -> None:
        if access.own:
            return
        _, names = self.fields.setdefault(access.person_id, (access, set()))
        names.add(name)
        if access.scopes and not self.fields[access.person_id][0].scopes:
            self.fields[access.person_id] = (access, names)

    def entries(self, user: CurrentUser, at: datetime) -> list[AccessLogEntry]:
        """One entry per person and purpose, naming the fields read for it."""
        made = []
        for person_id, (access, names) in sorted(self.fields.items()):
            by_purpose: dict[str, list[str]] = {}
            for name in sorted(names):
                by_purpose.setdefault(access.purpose_of(name)[:PURPOSE_MAX], []).append(name)
            for purpose, read in by_purpose.items():
                made.append(
                    AccessLogEntry(
                        id=f"access-{uuid.uuid4().hex[:16]}",
                        at=at,
                        actor_user_id=user.id,
                        person_id=person_id,
                        purpose=purpose,
                        fields=read,
                    )
                )
        return made


def log_reads(
    *, store: GraphStore, user: CurrentUser | None, reads: Reads, at: datetime | None = None
) -> int:
    """Write the request's reads of other people's records to the access log; how many."""
    if user is None or not reads.fields:
        return 0
    return access_log.append_accesses(store=store, entries=reads.entries(user, at or utc_now()))


def access_to_person(
    *, store: GraphStore, user: CurrentUser, person_id: str, at: datetime | None = None
) -> Access:
    """``accesses_to_people`` for one person."""
    return accesses_to_people(store=store, user=user, person_ids=[person_id], at=at)[person_id]


def require(access: Access, *scopes: str) -> None:
    """``NoAccess`` unless ``access`` covers every one of ``scopes``."""
    missing = [s for s in scopes if not access.allows(s)]
    if missing:
        raise NoAccess(f"Not allowed: no consent in force for {', '.join(missing)}.")


def log_access(
    *,
    store: GraphStore,
    user: CurrentUser,
    access: Access,
    fields: Iterable[str],
    scopes: Iterable[str] = (),
    at: datetime | None = None,
) -> AccessLogEntry | None:
    """Write who read which fields of the person's record, and why (the purposes of the grants
    covering ``scopes``); nothing for their own record."""
    if access.own:
        return None
    names = sorted(set(fields))
    if not names:
        return None
    entry = AccessLogEntry(
        id=f"access-{uuid.uuid4().hex[:16]}",
        at=at or utc_now(),
        actor_user_id=user.id,
        person_id=access.person_id,
        purpose=access.purpose(scopes)[:PURPOSE_MAX],
        fields=names,
    )
    return access_log.append_access(store=store, entry=entry)


def may_record_grant(user: CurrentUser, access: Access) -> bool:
    """Staff record a consent only for someone their own organisation supports."""
    return user.role in STAFF and user.organization_id is not None and access.arranging


def grant_access(
    *,
    store: GraphStore,
    user: CurrentUser,
    access: Access,
    grantee_user_id: str | None,
    grantee_organization_id: str | None,
    purpose: str,
    scopes: list[str],
    expires_at: datetime | None,
    given_how: str | None = None,
    at: datetime | None = None,
) -> ConsentGrant:
    """A grant of the person's (``access.person_id``): made by the person themselves; or
    recorded by staff of an organisation that supports them, to that organisation or to
    themselves, saying how the person gave it (``GIVEN_HOW``); or made on the person's behalf
    by someone they delegated to, within the delegation's scopes while it is in force (marked
    as made by them). ``NoAccess`` for anyone else; ``ConsentError`` naming the field;
    ``NotFound`` naming a missing person or grantee."""
    now = at or utc_now()
    recorded_by = made_by = None
    if access.own:
        given_how = None
    elif given_how is not None and may_record_grant(user, access):
        if given_how not in GIVEN_HOW:
            raise ConsentError(
                f"given: expected how the person gave their consent ({', '.join(GIVEN_HOW)})"
            )
        if grantee_user_id not in (None, user.id) or grantee_organization_id not in (
            None,
            user.organization_id,
        ):
            raise ConsentError(
                "granteeUserId/granteeOrganizationId: staff record a consent only to their own "
                "organisation or themselves; anyone else the person grants themselves"
            )
        recorded_by = user.id
        if expires_at is not None and expires_at > now + timedelta(days=RECORDED_GRANT_DAYS):
            raise ConsentError(
                f"expiresAt: a recorded consent lasts at most {RECORDED_GRANT_DAYS} days; "
                "the person can renew it"
            )
    elif given_how is None and user.role in DELEGATE_ROLES:
        # Perhaps someone the person delegated to: the statement that stores it decides.
        if grantee_user_id == user.id and may_record_grant(user, access):
            raise ConsentError(
                f"given: expected how the person gave their consent ({', '.join(GIVEN_HOW)})"
            )
        made_by = user.id
    else:
        raise NoAccess(NOT_THE_PERSON)
    try:
        return make_grant(
            store=store,
            person_id=access.person_id,
            grantee_user_id=grantee_user_id,
            grantee_organization_id=grantee_organization_id,
            purpose=purpose,
            scopes=scopes,
            expires_at=expires_at or now + timedelta(days=RECORDED_GRANT_DAYS),
            recorded_by=recorded_by,
            given_how=given_how,
            made_by=made_by,
            at=now,
        )
    except NoAccess:
        if may_record_grant(user, access):  # staff who did not say how it was given
            raise ConsentError(
                f"given: expected how the person gave their consent ({', '.join(GIVEN_HOW)})"
            ) from None
        raise


def make_grant(
    *,
    store: GraphStore,
    person_id: str,
    grantee_user_id: str | None,
    grantee_organization_id: str | None,
    purpose: str,
    scopes: list[str],
    expires_at: datetime,
    recorded_by: str | None = None,
    given_how: str | None = None,
    made_by: str | None = None,
    at: datetime | None = None,
) -> ConsentGrant:
    """Store a grant once who may make it has been decided (``grant_access``; the demo seed
    and tests record the people's own grants with it); ``ConsentError`` naming the field;
    ``NotFound`` naming a missing person or grantee. With ``made_by`` (a delegate's user id)
    it is stored only while a delegation to them covering its scopes is in force, else
    ``NoAccess`` and nothing is written."""
    now = at or utc_now()
    if (grantee_user_id is None) == (grantee_organization_id is None):
        raise ConsentError("granteeUserId/granteeOrganizationId: expected exactly one of the two")
    purpose = purpose.strip()
    if not 1 <= len(purpose) <= PURPOSE_MAX:
        raise ConsentError(f"purpose: expected 1..{PURPOSE_MAX} characters, got {len(purpose)}")
    check_scopes(scopes)
    if expires_at.tzinfo is None:
        raise ConsentError("expiresAt: expected a time with a zone, e.g. 2026-12-31T00:00:00Z")
    if expires_at <= now:
        raise ConsentError(f"expiresAt: expected a time after now, got {expires_at.isoformat()}")
    if expires_at > now + timedelta(days=GRANT_DAYS_MAX):
        raise ConsentError(f"expiresAt: expected at most {GRANT_DAYS_MAX} days from now")
    if made_by is not None and grantee_user_id == made_by:
        raise ConsentError(
            "granteeUserId: someone acting for the person does not grant consent to "
            "themselves; the person can"
        )
    grant = ConsentGrant(
        id=f"grant-{uuid.uuid4().hex[:16]}",
        person_id=person_id,
        grantee_id=grantee_user_id or grantee_organization_id or "",
        grantee_kind="user" if grantee_user_id else "organization",
        purpose=purpose,
        scopes=list(scopes),
        created_at=now,
        expires_at=expires_at,
        recorded_by=recorded_by,
        given_how=given_how,
        made_by=made_by,
    )
    if made_by is None:
        return grants_repo.create_grant(store=store, grant=grant)
    made = delegations_repo.create_grant_by_delegate(store=store, grant=grant)
    if made is not None:
        return made
    grantee_label = "User" if grant.grantee_kind == "user" else "Organization"
    if not node_exists(store=store, label=grantee_label, node_id=grant.grantee_id):
        raise NotFound(grantee_label, grant.grantee_id)
    raise NoAccess(NOT_THE_PERSON)


def check_scopes(scopes: list[str], field: str = "scopes") -> None:
    """``ConsentError`` naming ``field`` unless ``scopes`` are one or more of ``SCOPES``."""
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        raise ConsentError(
            f"{field}: expected one or more of {', '.join(SCOPES)}, got {unknown or 'none'}"
        )


def may_revoke(user: CurrentUser, grant: ConsentGrant) -> bool:
    """The person revokes any of their grants; staff only those made to their own
    organisation or to themselves."""
    if user.role == "person" and user.person_id == grant.person_id:
        return True
    if user.role in STAFF and user.organization_id is not None:
        return grant.grantee_id in (user.id, user.organization_id)
    return False


def revoke_access(
    *, store: GraphStore, user: CurrentUser, grant_id: str, at: datetime | None = None
) -> ConsentGrant | None:
    """Revoke a grant the user may revoke (``may_revoke``), or, for someone the person
    delegated to, one whose every scope their delegation in force covers (marked as withdrawn
    by them); None if there is no such grant."""
    now = at or utc_now()
    grant = grants_repo.get_grant(store=store, grant_id=grant_id)
    if grant is None:
        return None
    if may_revoke(user, grant):
        return grants_repo.revoke_grant(store=store, grant_id=grant_id, at=now)
    if user.role not in DELEGATE_ROLES:
        return None
    return delegations_repo.revoke_grant_by_delegate(
        store=store, grant_id=grant_id, delegate_id=user.id, at=now
    )


# --- referrals: what the organisation offering a service sees of the person referred to it ----
#
# A partner (a user of the organisation offering the service) reads a person only through a
# referral to one of its services: before it decides, what deciding needs (the ward and the
# link worker's note: no name, no address); once it has accepted, what taking the person in
# needs (first name too, and the phone number only if the person agreed to be contacted when
# referred); after a decline, nothing. Each read is logged for the person (``referral_read``).

REFERRAL_DECIDING_FIELDS = ("area", "referral_note")
REFERRAL_ACCEPTED_FIELDS = ("first_name", "area", "referral_note")
REFERRAL_CONTACT_FIELDS = ("phone",)


def referral_basis(*, status: str, share_contact: bool) -> tuple[str, ...]:
    """The person's fields a partner of the offering organisation may see on a referral in
    ``status`` (the referral's own basis; no consent grant involved)."""
    if status == "made":
        return REFERRAL_DECIDING_FIELDS
    if status in ("accepted", "attended"):
        return REFERRAL_ACCEPTED_FIELDS + (REFERRAL_CONTACT_FIELDS if share_contact else ())
    return ()


def referral_read(
    *,
    user: CurrentUser,
    person_id: str,
    status: str,
    service_name: str,
    fields: Iterable[str],
    at: datetime,
) -> AccessLogEntry:
    """The access-log entry for a partner's read of a referred person: the purpose names the
    service and whether it was to decide or an accepted referral."""
    purpose = (
        f"deciding on a referral to {service_name}"
        if status == "made"
        else f"accepted referral to {service_name}"
    )
    return AccessLogEntry(
        id=f"access-{uuid.uuid4().hex[:16]}",
        at=at,
        actor_user_id=user.id,
        person_id=person_id,
        purpose=purpose[:PURPOSE_MAX],
        fields=sorted(set(fields)),
    )
