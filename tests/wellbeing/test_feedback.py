"""Need, trend, alert and KNOWS-strength arithmetic."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from service.wellbeing.feedback import (
    MIN_CHECK_IN_WEIGHT,
    NEED_HALF_LIFE_DAYS,
    Acquaintance,
    PastCheckIn,
    after_visit,
    alert_for,
    check_in_feedback,
    check_in_weight,
    loneliness_trend,
    updated_need,
)
from service.wellbeing.scales import Scale, ScaleResult, score_check_in

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def scored(scale: Scale, answers: list[int]) -> ScaleResult:
    result = score_check_in(scale, answers)
    assert isinstance(result, ScaleResult)
    return result


def weekly(*values: float) -> list[PastCheckIn]:
    return [PastCheckIn(at=day(7 * i), loneliness=v) for i, v in enumerate(values)]


# --- need --------------------------------------------------------------------------------------


def test_after_exactly_one_half_life_old_and_new_weigh_the_same() -> None:
    assert check_in_weight(NEED_HALF_LIFE_DAYS) == pytest.approx(0.5)
    need = updated_need(need=0.2, last_check_in_at=day(0), loneliness=0.8, at=day(28))
    assert need == pytest.approx(0.5)


def test_after_two_half_lives_the_old_need_keeps_a_quarter() -> None:
    need = updated_need(need=0.0, last_check_in_at=day(0), loneliness=1.0, at=day(56))
    assert need == pytest.approx(0.75)


def test_weekly_check_in_moves_need_about_a_sixth_of_the_way() -> None:
    need = updated_need(need=0.0, last_check_in_at=day(0), loneliness=1.0, at=day(7))
    assert need == pytest.approx(1 - 0.5**0.25)


def test_same_day_check_in_still_counts_a_little() -> None:
    need = updated_need(need=0.0, last_check_in_at=day(0), loneliness=1.0, at=day(0))
    assert need == pytest.approx(MIN_CHECK_IN_WEIGHT)


def test_first_check_in_sets_need() -> None:
    assert updated_need(need=0.5, last_check_in_at=None, loneliness=0.9, at=day(0)) == 0.9


def test_worse_check_in_raises_need_and_better_lowers_it() -> None:
    worse = updated_need(need=0.4, last_check_in_at=day(0), loneliness=0.9, at=day(7))
    better = updated_need(need=0.4, last_check_in_at=day(0), loneliness=0.1, at=day(7))
    assert better < 0.4 < worse


# --- trend -------------------------------------------------------------------------------------


def test_steady_rise_is_a_worsening_trend() -> None:
    trend = loneliness_trend(weekly(1 / 3, 0.5, 2 / 3))
    assert trend is not None
    assert trend.per_28_days == pytest.approx((1 / 6) * 4)
    assert trend.worsening


def test_flat_or_falling_loneliness_is_not_worsening() -> None:
    flat = loneliness_trend(weekly(0.5, 0.5, 0.5, 0.5))
    falling = loneliness_trend(weekly(0.8, 0.6, 0.4))
    assert flat is not None and not flat.worsening
    assert falling is not None and not falling.worsening


def test_small_rise_is_not_worsening() -> None:
    trend = loneliness_trend(weekly(0.5, 0.5, 0.5, 2 / 3))
    assert trend is not None
    assert trend.per_28_days == pytest.approx(0.2)
    assert not trend.worsening


def test_trend_needs_three_check_ins_over_two_weeks() -> None:
    assert loneliness_trend(weekly(0.0, 1.0)) is None
    close_together = [PastCheckIn(at=day(i), loneliness=i / 3) for i in range(4)]
    assert loneliness_trend(close_together) is None


def test_trend_uses_only_the_last_four_recent_check_ins() -> None:
    # An old high reading followed by a steady rise: only the rise counts.
    history = [PastCheckIn(at=day(-200), loneliness=1.0), *weekly(0.0, 0.0, 0.5, 1.0)]
    trend = loneliness_trend(history)
    assert trend is not None and trend.check_ins == 4 and trend.first == 0.0


# --- alerts ------------------------------------------------------------------------------------


def test_worsening_trend_raises_an_alert_with_the_reason() -> None:
    result = scored(Scale.UCLA3, [2, 1, 2])  # total 5: not in the lonely band
    feedback = check_in_feedback(
        result=result, at=day(14), need=0.2, previous=weekly(0.0, 1 / 6), name="Jan"
    )
    assert feedback.alert is not None
    assert feedback.alert.reasons == (
        "Jan has said they feel lonely more often in their last 3 check-ins, over 14 days.",
    )


def test_loneliest_band_raises_an_alert_without_a_trend() -> None:
    result = scored(Scale.ONS1, [1])
    feedback = check_in_feedback(result=result, at=day(0), need=0.5, previous=[], name="Jan")
    assert feedback.trend is None
    assert feedback.alert is not None
    assert feedback.alert.reason == "Jan said they feel lonely often or always."
    assert feedback.need == 1.0


@pytest.mark.parametrize(
    ("scale", "answers", "expected"),
    [
        (
            Scale.UCLA3,
            [2, 2, 2],
            "Jan's answers to the three loneliness questions say they feel lonely, "
            "the loneliest their answers can say.",
        ),
        (
            Scale.DJG6,
            [1, 1, 1, 3, 1, 2],
            "Jan's answers to the six loneliness statements say they feel severely lonely, "
            "the loneliest their answers can say.",
        ),
    ],
)
def test_loneliest_band_of_each_scale_alerts(
    scale: Scale, answers: list[int], expected: str
) -> None:
    alert = alert_for(scored(scale, answers), None, "Jan")
    assert alert is not None and alert.reasons == (expected,)


@pytest.mark.parametrize(
    ("scale", "answers"),
    [(Scale.UCLA3, [2, 2, 1]), (Scale.ONS1, [2]), (Scale.DJG6, [1, 1, 1, 3, 1, 1])],
)
def test_no_alert_below_the_loneliest_band_and_without_worsening(
    scale: Scale, answers: list[int]
) -> None:
    result = scored(scale, answers)
    feedback = check_in_feedback(
        result=result, at=day(21), need=0.5, previous=weekly(0.6, 0.6, 0.6)
    )
    assert feedback.alert is None


def test_both_reasons_when_worsening_into_the_loneliest_band() -> None:
    result = scored(Scale.UCLA3, [3, 3, 3])
    feedback = check_in_feedback(result=result, at=day(14), need=0.3, previous=weekly(0.0, 0.5))
    assert feedback.alert is not None and len(feedback.alert.reasons) == 2
    # Sentences about the person: no scale code, no number between 0 and 1.
    for reason in feedback.alert.reasons:
        assert not re.search(r"UCLA3|ONS1|DJG6|\b0\.\d", reason), reason
        assert reason.startswith(("This person", "This person's"))


# --- KNOWS strength ----------------------------------------------------------------------------


def test_done_visits_strengthen_with_diminishing_returns() -> None:
    known = Acquaintance()
    strengths = []
    for week in range(10):
        known = after_visit(known, outcome="done", at=day(7 * week))
        strengths.append(known.strength)
    assert strengths[0] == pytest.approx(0.2)
    assert strengths[1] == pytest.approx(0.36)
    assert strengths[4] == pytest.approx(1 - 0.8**5)
    gains = [b - a for a, b in zip([0.0, *strengths], strengths, strict=False)]
    assert all(later < earlier for earlier, later in zip(gains, gains[1:], strict=False))
    assert known.visits == 10 and known.last_seen == day(63)
    assert known.strength < 1.0


def test_missed_visit_weakens_and_keeps_last_seen() -> None:
    known = Acquaintance(strength=0.5, visits=3, last_seen=day(0))
    missed = after_visit(known, outcome="missed", at=day(7))
    assert missed.strength == pytest.approx(0.45)
    assert (missed.visits, missed.last_seen) == (3, day(0))


def test_unknown_outcome_is_a_bug() -> None:
    with pytest.raises(ValueError, match="outcome"):
        after_visit(Acquaintance(), outcome="maybe", at=day(0))  # type: ignore[arg-type]
