"""Domain models (pydantic v2) for every node and relationship in DESIGN.md.

Import from here: ``from graph.models import Person, Visit``. Field types and the decisions behind
them (ids, languages, times) are in ``graph.models.base``.
"""

from graph.models.access import (
    AccessLogEntry,
    ConsentGrant,
    ConsentScope,
    ErasureRecord,
    GranteeKind,
    Role,
    User,
)
from graph.models.base import GraphModel, Window, iso_utc, utc_now
from graph.models.care import (
    SCALE_SHAPES,
    Assigned,
    AssignmentStatus,
    CareCircle,
    CheckIn,
    DeclineReason,
    Knows,
    KnowsKind,
    MemberOf,
    Referral,
    ReferralStatus,
    ReferredTo,
    Scale,
    Visit,
    VisitStatus,
)
from graph.models.people import NeedUpdate, Person, Volunteer, VolunteerTerms
from graph.models.places import (
    Area,
    FeedTerm,
    Interest,
    Organization,
    Schedule,
    Service,
    ServiceContact,
    ServicePlace,
    SupportBasis,
    SupportedBy,
    VolunteersWith,
)
from graph.models.rota import RotaRun

__all__ = [
    "SCALE_SHAPES",
    "AccessLogEntry",
    "Area",
    "Assigned",
    "AssignmentStatus",
    "CareCircle",
    "CheckIn",
    "ConsentGrant",
    "ConsentScope",
    "ErasureRecord",
    "GranteeKind",
    "GraphModel",
    "Interest",
    "Knows",
    "KnowsKind",
    "MemberOf",
    "NeedUpdate",
    "Organization",
    "Person",
    "DeclineReason",
    "Referral",
    "ReferralStatus",
    "ReferredTo",
    "Role",
    "RotaRun",
    "Scale",
    "Schedule",
    "Service",
    "ServiceContact",
    "ServicePlace",
    "FeedTerm",
    "SupportBasis",
    "SupportedBy",
    "User",
    "Visit",
    "VisitStatus",
    "Volunteer",
    "VolunteerTerms",
    "VolunteersWith",
    "Window",
    "iso_utc",
    "utc_now",
]
