"""The three loneliness scales, scored exactly as published and normalised to 0..1 loneliness.

Answers are option numbers in the order each scale lists its options (API_CONTRACT.md,
``recordCheckIn``). The raw answers are kept in the result so they can be stored as given.
Loneliness runs from 0 (least lonely the scale can say) to 1 (most lonely).

Sources for the scoring and for the bands:

- **UCLA3**: Hughes, Waite, Hawkley & Cacioppo (2004), "A short scale for measuring loneliness
  in large surveys", *Research on Aging* 26(6), 655-672. Three items, each 1 hardly ever,
  2 some of the time, 3 often; total 3..9. Total 6 or more is the cut-off commonly used for
  "lonely" (e.g. Steptoe et al. 2013, *PNAS* 110(15); ONS 2018, "Measuring loneliness:
  guidance for use of the national indicators on surveys").
- **ONS1**: ONS (2018), same guidance, the direct question "How often do you feel lonely?"
  (1 often/always .. 5 never). The score is the answer as given; "often/always" is what the
  ONS reports as chronic loneliness, the loneliest band.
- **DJG6**: De Jong Gierveld & van Tilburg (2006), "A 6-item scale for overall, emotional, and
  social loneliness", *Research on Aging* 28(5), 582-598. Emotional items (negatively worded)
  score 1 for "yes" or "more or less"; social items (positively worded) score 1 for "no" or
  "more or less"; total 0..6 with 0-1 not lonely, 2-4 moderately lonely, 5-6 severely lonely
  (the cut-offs of the scale's manual, De Jong Gierveld & van Tilburg 1999/2010).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Scale(StrEnum):
    """The loneliness scales a check-in can use."""

    UCLA3 = "UCLA3"
    ONS1 = "ONS1"
    DJG6 = "DJG6"


@dataclass(frozen=True)
class ScaleItem:
    """One question of a scale and the options it may be answered with (1..len(options))."""

    name: str
    options: tuple[str, ...]


UCLA3_OPTIONS = ("hardly ever", "some of the time", "often")
ONS1_OPTIONS = ("often/always", "some of the time", "occasionally", "hardly ever", "never")
DJG6_OPTIONS = ("yes", "more or less", "no")

ITEMS: dict[Scale, tuple[ScaleItem, ...]] = {
    Scale.UCLA3: (
        ScaleItem("lack companionship", UCLA3_OPTIONS),
        ScaleItem("feel left out", UCLA3_OPTIONS),
        ScaleItem("feel isolated", UCLA3_OPTIONS),
    ),
    Scale.ONS1: (ScaleItem("how often do you feel lonely", ONS1_OPTIONS),),
    Scale.DJG6: (
        ScaleItem("experience a general sense of emptiness", DJG6_OPTIONS),
        ScaleItem("miss having people around", DJG6_OPTIONS),
        ScaleItem("often feel rejected", DJG6_OPTIONS),
        ScaleItem("plenty of people to lean on", DJG6_OPTIONS),
        ScaleItem("many people I can trust completely", DJG6_OPTIONS),
        ScaleItem("enough people I feel close to", DJG6_OPTIONS),
    ),
}

# DJG6 answer numbers that score 1 ("a lonely answer") for each kind of item.
DJG6_YES, DJG6_MORE_OR_LESS, DJG6_NO = 1, 2, 3
DJG6_EMOTIONAL_LONELY = frozenset({DJG6_YES, DJG6_MORE_OR_LESS})
DJG6_SOCIAL_LONELY = frozenset({DJG6_NO, DJG6_MORE_OR_LESS})

UCLA3_LONELY_FROM = 6
ONS1_LONELIEST_ANSWER = 1
DJG6_MODERATE_FROM = 2
DJG6_SEVERE_FROM = 5


@dataclass(frozen=True)
class ScaleResult:
    """A scored check-in: the scale's own total, its band and the normalised loneliness."""

    scale: Scale
    answers: tuple[int, ...]
    score: int
    loneliness: float
    band: str
    in_loneliest_band: bool
    emotional: int | None = None  # DJG6 emotional subscale 0..3
    social: int | None = None  # DJG6 social subscale 0..3


@dataclass(frozen=True)
class ScaleError:
    """Answers that cannot be scored; ``field`` is ``scale``, ``answers`` or ``answers[i]``."""

    field: str
    message: str


def score_check_in(scale: Scale | str, answers: Sequence[int]) -> ScaleResult | ScaleError:
    """Score ``answers`` on ``scale``, or say which answer is wrong (the first one found)."""
    try:
        known = Scale(scale)
    except ValueError:
        names = ", ".join(s.value for s in Scale)
        return ScaleError("scale", f"scale: expected one of {names}, got {scale!r}")
    problem = _check_answers(known, answers)
    if problem is not None:
        return problem
    given = tuple(answers)
    if known is Scale.UCLA3:
        return _score_ucla3(given)
    if known is Scale.ONS1:
        return _score_ons1(given)
    return _score_djg6(given)


def loneliest_band(scale: Scale) -> str:
    """The band of ``scale`` that raises an alert on its own, in words."""
    return {
        Scale.UCLA3: f"lonely (total {UCLA3_LONELY_FROM}-9)",
        Scale.ONS1: "often/always lonely",
        Scale.DJG6: f"severely lonely (total {DJG6_SEVERE_FROM}-6)",
    }[scale]


def _check_answers(scale: Scale, answers: Sequence[int]) -> ScaleError | None:
    items = ITEMS[scale]
    if len(answers) != len(items):
        plural = "answer" if len(items) == 1 else "answers"
        return ScaleError(
            "answers",
            f"answers: {scale.value} expects {len(items)} {plural}, got {len(answers)}",
        )
    for index, (answer, item) in enumerate(zip(answers, items, strict=True)):
        valid = isinstance(answer, int) and not isinstance(answer, bool)
        if not valid or not 1 <= answer <= len(item.options):
            field = f"answers[{index}]"
            labels = ", ".join(item.options)
            return ScaleError(
                field,
                f"{field}: expected 1..{len(item.options)} ({labels}), got {answer!r}",
            )
    return None


def _score_ucla3(answers: tuple[int, ...]) -> ScaleResult:
    total = sum(answers)
    lonely = total >= UCLA3_LONELY_FROM
    return ScaleResult(
        scale=Scale.UCLA3,
        answers=answers,
        score=total,
        loneliness=(total - 3) / 6,
        band="lonely" if lonely else "not lonely",
        in_loneliest_band=lonely,
    )


def _score_ons1(answers: tuple[int, ...]) -> ScaleResult:
    (answer,) = answers
    return ScaleResult(
        scale=Scale.ONS1,
        answers=answers,
        score=answer,
        loneliness=(5 - answer) / 4,
        band=ONS1_OPTIONS[answer - 1],
        in_loneliest_band=answer == ONS1_LONELIEST_ANSWER,
    )


def _score_djg6(answers: tuple[int, ...]) -> ScaleResult:
    emotional = sum(1 for a in answers[:3] if a in DJG6_EMOTIONAL_LONELY)
    social = sum(1 for a in answers[3:] if a in DJG6_SOCIAL_LONELY)
    total = emotional + social
    if total >= DJG6_SEVERE_FROM:
        band = "severely lonely"
    elif total >= DJG6_MODERATE_FROM:
        band = "moderately lonely"
    else:
        band = "not lonely"
    return ScaleResult(
        scale=Scale.DJG6,
        answers=answers,
        score=total,
        loneliness=total / 6,
        band=band,
        in_loneliest_band=total >= DJG6_SEVERE_FROM,
        emotional=emotional,
        social=social,
    )
