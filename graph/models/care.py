"""Care circles, visits, check-ins, referrals and the relationships between people."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from clock import minutes_of
from graph.models.base import (
    Day,
    Fraction,
    GraphModel,
    Id,
    Latitude,
    Longitude,
    Text,
    TimeOfDay,
    UtcDateTime,
    WeekStart,
    utc_now,
)

# ``needs_cover``: published, then its volunteer cancelled; the coordinator repairs it (another
# volunteer, or re-opened for claims). ``cancelled``: the person cannot have it.
VisitStatus = Literal["open", "proposed", "accepted", "done", "missed", "cancelled", "needs_cover"]
# ``cancelled``: the volunteer (or the coordinator for them) gave the visit up, with a reason;
# ``withdrawn``: a proposal taken back by a re-publish or a coordinator's reassignment.
AssignmentStatus = Literal[
    "proposed", "accepted", "declined", "done", "missed", "cancelled", "withdrawn"
]
# made (waiting in the offering organisation's inbox) -> accepted (a partner took it) | declined
# (a partner, with a reason; or the link worker's record) | not_suitable; accepted -> attended
# (a session attended). The link worker may also record attended/declined/not_suitable directly.
ReferralStatus = Literal["made", "accepted", "attended", "declined", "not_suitable"]
# Why a partner declined: the service does not suit the person, no places left, or another
# reason given in the note.
DeclineReason = Literal["not_suitable", "no_places", "other"]
# ``group``: met at a group both go to (recorded after attendance).
KnowsKind = Literal["family", "neighbour", "friend", "volunteer", "group"]
Scale = Literal["UCLA3", "ONS1", "DJG6"]

# Per scale: number of answers, highest option number, (lowest, highest) total score.
SCALE_SHAPES: dict[str, tuple[int, int, tuple[int, int]]] = {
    "UCLA3": (3, 3, (3, 9)),
    "ONS1": (1, 5, (1, 5)),
    "DJG6": (6, 3, (0, 6)),
}


class CareCircle(GraphModel):
    """The small, stable set of volunteers who support one person."""

    id: Id
    person_id: Id
    created_at: UtcDateTime = Field(default_factory=utc_now)


class Visit(GraphModel):
    """One visit to a person in the week starting ``week_start`` (a Monday).

    The visit happens on ``day`` at ``start`` (once scheduled), within ``earliest``..``latest``.
    """

    id: Id
    person_id: Id
    week_start: WeekStart
    day: Day
    earliest: TimeOfDay
    latest: TimeOfDay
    duration_minutes: int = Field(default=60, ge=15, le=480)
    requires_check: bool = True
    volunteers_needed: int = Field(default=1, ge=1, le=4)
    status: VisitStatus = "open"
    start: TimeOfDay | None = None
    rota_run_id: Id | None = None
    notes: Text | None = None
    service_id: Id | None = Field(
        default=None,
        description="an accompanied visit: going along with the person to this service, "
        "at its scheduled time and place (a goal of their plan asked for it)",
    )
    lat: Latitude | None = Field(
        default=None, description="where the visit happens when not at the person's home"
    )
    lon: Longitude | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)

    @field_validator("latest")
    @classmethod
    def _latest_after_earliest(cls, latest: str, info: ValidationInfo) -> str:
        earliest = info.data.get("earliest")
        if earliest is not None and minutes_of(latest) <= minutes_of(earliest):
            raise ValueError(f"expected a time after earliest {earliest}, got {latest}")
        return latest

    @model_validator(mode="after")
    def _fits_its_window(self) -> Visit:
        if minutes_of(self.earliest) + self.duration_minutes > minutes_of(self.latest):
            raise ValueError(
                f"duration_minutes {self.duration_minutes} does not fit between earliest "
                f"{self.earliest} and latest {self.latest}"
            )
        if self.start is not None and not (
            minutes_of(self.earliest) <= minutes_of(self.start)
            and minutes_of(self.start) + self.duration_minutes <= minutes_of(self.latest)
        ):
            raise ValueError(
                f"start {self.start} is outside the visit window {self.earliest}-{self.latest}"
            )
        return self

    @property
    def end(self) -> str | None:
        """The end time ``"HH:MM"`` once ``start`` is set."""
        if self.start is None:
            return None
        end = minutes_of(self.start) + self.duration_minutes
        return f"{end // 60:02d}:{end % 60:02d}"


class CheckIn(GraphModel):
    """A loneliness check-in: the raw answers on one scale, its score, and 0..1 loneliness."""

    id: Id
    person_id: Id
    scale: Scale
    answers: list[int]
    score: int
    loneliness: Fraction
    recorded_by: Id = Field(description="the user id of who recorded it")
    at: UtcDateTime = Field(default_factory=utc_now)
    note: Text | None = None

    @field_validator("answers")
    @classmethod
    def _answers_fit_scale(cls, answers: list[int], info: ValidationInfo) -> list[int]:
        scale = info.data.get("scale")
        if scale is None:
            return answers
        count, highest, _ = SCALE_SHAPES[scale]
        if len(answers) != count:
            raise ValueError(f"expected {count} answers for {scale}, got {len(answers)}")
        for item, answer in enumerate(answers, start=1):
            if not 1 <= answer <= highest:
                raise ValueError(f"expected item {item} of {scale} in 1..{highest}, got {answer}")
        return answers

    @field_validator("score")
    @classmethod
    def _score_in_range(cls, score: int, info: ValidationInfo) -> int:
        scale = info.data.get("scale")
        if scale is None:
            return score
        low, high = SCALE_SHAPES[scale][2]
        if not low <= score <= high:
            raise ValueError(f"expected a {scale} score in {low}..{high}, got {score}")
        return score


class Referral(GraphModel):
    """A link worker's referral of a person to a service, and how it turned out."""

    id: Id
    person_id: Id
    service_id: Id
    referred_by: Id = Field(description="the user id of the link worker")
    status: ReferralStatus = "made"
    note: Text | None = None
    created_at: UtcDateTime = Field(default_factory=utc_now)
    updated_at: UtcDateTime | None = None
    share_contact: bool = Field(
        default=False, description="the person agreed the partner may contact them, if accepted"
    )
    decided_by: Id | None = Field(default=None, description="the partner who accepted or declined")
    decided_at: UtcDateTime | None = None
    decline_reason: DeclineReason | None = None
    decline_note: Text | None = None
    attended: list[date] = Field(default=[], description="session dates the person came to")
    missed: list[date] = Field(default=[], description="session dates the person did not come to")


class Knows(GraphModel):
    """``(Person|Volunteer)-[:KNOWS]->(Person)``: from a volunteer when ``kind`` is volunteer.

    ``strength`` 0..1 grows with logged visits; ``visits`` counts them.
    """

    from_id: Id
    to_id: Id
    kind: KnowsKind
    strength: Fraction = 0.5
    visits: int = Field(default=0, ge=0)
    last_seen: UtcDateTime | None = None

    @model_validator(mode="after")
    def _not_self(self) -> Knows:
        if self.from_id == self.to_id:
            raise ValueError(f"expected two different ids, got {self.from_id} twice")
        return self


class MemberOf(GraphModel):
    """``(Volunteer)-[:MEMBER_OF {since}]->(CareCircle)``."""

    volunteer_id: Id
    circle_id: Id
    since: UtcDateTime = Field(default_factory=utc_now)


class Assigned(GraphModel):
    """``(Volunteer)-[:ASSIGNED {status}]->(Visit)``."""

    volunteer_id: Id
    visit_id: Id
    status: AssignmentStatus = "proposed"
    at: UtcDateTime = Field(default_factory=utc_now)


class ReferredTo(GraphModel):
    """``(Person)-[:REFERRED_TO {status}]->(Service)``, mirrored from a Referral."""

    person_id: Id
    service_id: Id
    referral_id: Id
    status: ReferralStatus = "made"
