"""How a check-in and a logged visit feed back into the graph (DESIGN.md, "The feedback loop").

Pure arithmetic; the use-cases read the inputs from the graph and write the outputs back.

The numbers, and why:

- **Need** is an exponentially weighted average of loneliness with a half-life of
  ``NEED_HALF_LIFE_DAYS`` (28 days). A check-in ``d`` days after the last one gets weight
  ``1 - 0.5 ** (d / 28)`` and the old need the rest, so after exactly one half-life old and new
  count equally, and a weekly check-in moves need about 16% of the way. Every check-in counts for
  at least ``MIN_CHECK_IN_WEIGHT`` (10%) so two on the same day are not ignored. A person's first
  check-in sets need to its loneliness.
- **Trend** is the least-squares slope of loneliness over the last ``TREND_CHECK_INS`` (4)
  check-ins within ``TREND_WINDOW_DAYS`` (84), in loneliness per 28 days. It needs at least 3
  check-ins spanning 14 days or more, so one bad day or two check-ins close together do not make
  a trend. A slope of ``WORSENING_PER_28_DAYS`` (0.25: a quarter of the scale in four weeks,
  about one-and-a-half answer steps on UCLA3 or DJG6) or more is worsening.
- **Alerts** go to the person's link worker when the trend is worsening or the check-in is in
  its scale's loneliest band (see ``service.wellbeing.scales``). Alerts exist to offer more
  support, never to judge.
- **KNOWS strength** (0..1) between volunteer and person: a visit that happened closes
  ``VISIT_DONE_GAIN`` (20%) of the gap to 1, so returns diminish (1, 2, 5, 10 visits from 0 give
  0.20, 0.36, 0.67, 0.89); a missed visit loses ``VISIT_MISSED_LOSS`` (10%) of the strength.
- **KNOWS strength** between two people who met at a group: each time it is recorded closes
  ``MET_AT_GROUP_GAIN`` (20%, as a visit does) of the gap to 1, whether the tie is new (from 0:
  0.20, then 0.36) or one they had (family, neighbours, friends).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

import words
from service.wellbeing.scales import Scale, ScaleResult

NEED_HALF_LIFE_DAYS = 28.0
MIN_CHECK_IN_WEIGHT = 0.1
TREND_CHECK_INS = 4
TREND_WINDOW_DAYS = 84.0
TREND_MIN_CHECK_INS = 3
TREND_MIN_SPAN_DAYS = 14.0
WORSENING_PER_28_DAYS = 0.25
VISIT_DONE_GAIN = 0.2
VISIT_MISSED_LOSS = 0.1
MET_AT_GROUP_GAIN = 0.2

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class PastCheckIn:
    """When a check-in was made and the loneliness it scored."""

    at: datetime
    loneliness: float


@dataclass(frozen=True)
class Trend:
    """Loneliness change per 28 days over ``check_ins`` check-ins spanning ``span_days``."""

    per_28_days: float
    check_ins: int
    span_days: float
    first: float
    last: float

    @property
    def worsening(self) -> bool:
        return self.per_28_days >= WORSENING_PER_28_DAYS


@dataclass(frozen=True)
class Alert:
    """Why a person's link worker should look at this person now, in plain words."""

    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class CheckInFeedback:
    """What one check-in changes: the new need, the trend (if there is one) and any alert."""

    need: float
    trend: Trend | None
    alert: Alert | None


def days_between(earlier: datetime, later: datetime) -> float:
    """Days from ``earlier`` to ``later`` as a float (negative if out of order)."""
    return (later - earlier).total_seconds() / SECONDS_PER_DAY


def check_in_weight(
    days_since_last: float, *, half_life_days: float = NEED_HALF_LIFE_DAYS
) -> float:
    """The weight a new check-in gets against the old need after ``days_since_last`` days."""
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    elapsed = max(days_since_last, 0.0)
    return max(MIN_CHECK_IN_WEIGHT, 1.0 - math.pow(0.5, elapsed / half_life_days))


def updated_need(
    *,
    need: float,
    last_check_in_at: datetime | None,
    loneliness: float,
    at: datetime,
    half_life_days: float = NEED_HALF_LIFE_DAYS,
) -> float:
    """Need after a check-in scoring ``loneliness`` at ``at``; the first check-in sets it."""
    if last_check_in_at is None:
        return _unit(loneliness)
    weight = check_in_weight(days_between(last_check_in_at, at), half_life_days=half_life_days)
    return _unit(weight * loneliness + (1.0 - weight) * need)


def loneliness_trend(history: Sequence[PastCheckIn]) -> Trend | None:
    """The recent trend of ``history`` (any order), or None when there is too little to say."""
    if not history:
        return None
    ordered = sorted(history, key=lambda c: c.at)
    latest = ordered[-1].at
    recent = [c for c in ordered if days_between(c.at, latest) <= TREND_WINDOW_DAYS]
    recent = recent[-TREND_CHECK_INS:]
    if len(recent) < TREND_MIN_CHECK_INS:
        return None
    days = [days_between(recent[0].at, c.at) for c in recent]
    span = days[-1]
    if span < TREND_MIN_SPAN_DAYS:
        return None
    values = [c.loneliness for c in recent]
    mean_day = sum(days) / len(days)
    mean_value = sum(values) / len(values)
    spread = sum((d - mean_day) ** 2 for d in days)
    covariance = sum((d - mean_day) * (v - mean_value) for d, v in zip(days, values, strict=True))
    return Trend(
        per_28_days=covariance / spread * 28.0,
        check_ins=len(recent),
        span_days=span,
        first=values[0],
        last=values[-1],
    )


def alert_for(result: ScaleResult, trend: Trend | None, name: str = "This person") -> Alert | None:
    """An alert when loneliness is worsening or this check-in is in its scale's loneliest band,
    its reasons sentences about the person (``name``) in the words of ``words``."""
    reasons: list[str] = []
    if result.in_loneliest_band:
        reasons.append(_loneliest_in_words(result, name))
    if trend is not None and trend.worsening:
        before, now = words.loneliness(trend.first), words.loneliness(trend.last)
        change = f" (from {before} to {now})" if before != now else ""
        reasons.append(
            f"{name} has said they feel lonely more often in their last {trend.check_ins} "
            f"check-ins, over {trend.span_days:.0f} days{change}."
        )
    return Alert(tuple(reasons)) if reasons else None


def _loneliest_in_words(result: ScaleResult, name: str) -> str:
    if result.scale is Scale.ONS1:
        return f"{name} said they feel lonely often or always."
    level = "severely lonely" if result.scale is Scale.DJG6 else "lonely"
    return (
        f"{words.possessive(name)} answers to {words.SCALES[result.scale.value]} say they feel "
        f"{level}, the loneliest their answers can say."
    )


def check_in_feedback(
    *,
    result: ScaleResult,
    at: datetime,
    need: float,
    previous: Sequence[PastCheckIn],
    name: str = "This person",
) -> CheckInFeedback:
    """Everything a new check-in changes, given the person's need and earlier check-ins."""
    last_at = max((c.at for c in previous), default=None)
    history = [*previous, PastCheckIn(at=at, loneliness=result.loneliness)]
    trend = loneliness_trend(history)
    return CheckInFeedback(
        need=updated_need(need=need, last_check_in_at=last_at, loneliness=result.loneliness, at=at),
        trend=trend,
        alert=alert_for(result, trend, name),
    )


VisitOutcome = Literal["done", "missed"]


class TieUpdate(NamedTuple):
    """How a logged visit moves a tie's strength: to ``offset + factor * strength``."""

    offset: float
    factor: float


def tie_update(outcome: VisitOutcome) -> TieUpdate:
    """The tie-strength rule: a done visit closes ``VISIT_DONE_GAIN`` of the gap to 1
    (``s + gain * (1 - s)``), a missed one loses ``VISIT_MISSED_LOSS`` of the strength
    (``s * (1 - loss)``). Applied in the graph by the statement that logs the visit."""
    if outcome == "done":
        return TieUpdate(offset=VISIT_DONE_GAIN, factor=1.0 - VISIT_DONE_GAIN)
    if outcome == "missed":
        return TieUpdate(offset=0.0, factor=1.0 - VISIT_MISSED_LOSS)
    raise ValueError(f"outcome: expected 'done' or 'missed', got {outcome!r}")


def tie_met_at_group() -> TieUpdate:
    """Meeting at a group closes ``MET_AT_GROUP_GAIN`` of the gap to 1 (``s + gain * (1 - s)``).
    Applied in the graph by the statement that records who the person met there."""
    return TieUpdate(offset=MET_AT_GROUP_GAIN, factor=1.0 - MET_AT_GROUP_GAIN)


@dataclass(frozen=True)
class Acquaintance:
    """The ``KNOWS`` edge from volunteer to person: strength 0..1, visits done, last seen."""

    strength: float = 0.0
    visits: int = 0
    last_seen: datetime | None = None


def after_visit(known: Acquaintance, *, outcome: VisitOutcome, at: datetime) -> Acquaintance:
    """The edge after a logged visit (``tie_update``), for simulations such as the outcomes
    notebook; the service applies the same update in the graph."""
    update = tie_update(outcome)
    done = outcome == "done"
    return Acquaintance(
        strength=_unit(update.offset + update.factor * known.strength),
        visits=known.visits + 1 if done else known.visits,
        last_seen=(at if known.last_seen is None else max(known.last_seen, at))
        if done
        else known.last_seen,
    )


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))
