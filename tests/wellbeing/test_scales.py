"""Scoring of the three loneliness scales against hand-computed examples."""

from __future__ import annotations

import pytest

from service.wellbeing.scales import Scale, ScaleError, ScaleResult, score_check_in


def scored(scale: Scale, answers: list[int]) -> ScaleResult:
    result = score_check_in(scale, answers)
    assert isinstance(result, ScaleResult), result
    return result


def rejected(scale: Scale | str, answers: list[int]) -> ScaleError:
    result = score_check_in(scale, answers)
    assert isinstance(result, ScaleError), result
    return result


# --- UCLA3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "loneliness", "band"),
    [
        ([1, 1, 1], 3, 0.0, "not lonely"),  # minimum
        ([2, 1, 1], 4, 1 / 6, "not lonely"),
        ([2, 2, 1], 5, 2 / 6, "not lonely"),
        ([2, 2, 2], 6, 0.5, "lonely"),  # the usual cut-off
        ([3, 2, 2], 7, 4 / 6, "lonely"),
        ([1, 3, 3], 7, 4 / 6, "lonely"),
        ([3, 3, 2], 8, 5 / 6, "lonely"),
        ([3, 3, 3], 9, 1.0, "lonely"),  # maximum
    ],
)
def test_ucla3_totals_the_three_items(
    answers: list[int], total: int, loneliness: float, band: str
) -> None:
    result = scored(Scale.UCLA3, answers)
    assert result.score == total
    assert result.loneliness == pytest.approx(loneliness)
    assert result.band == band
    assert result.in_loneliest_band is (total >= 6)
    assert result.answers == tuple(answers)
    assert result.emotional is None and result.social is None


@pytest.mark.parametrize("option", [1, 2, 3])
def test_ucla3_every_option_adds_its_number_on_every_item(option: int) -> None:
    for item in range(3):
        answers = [1, 1, 1]
        answers[item] = option
        assert scored(Scale.UCLA3, answers).score == 2 + option


# --- ONS1 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "loneliness", "band", "loneliest"),
    [
        (1, 1.0, "often/always", True),
        (2, 0.75, "some of the time", False),
        (3, 0.5, "occasionally", False),
        (4, 0.25, "hardly ever", False),
        (5, 0.0, "never", False),
    ],
)
def test_ons1_scores_the_answer_and_reverses_loneliness(
    answer: int, loneliness: float, band: str, loneliest: bool
) -> None:
    result = scored(Scale.ONS1, [answer])
    assert result.score == answer
    assert result.loneliness == pytest.approx(loneliness)
    assert result.band == band
    assert result.in_loneliest_band is loneliest


# --- DJG6 --------------------------------------------------------------------------------------

YES, MORE_OR_LESS, NO = 1, 2, 3
# Least lonely answers: "no" to the emotional items, "yes" to the social items.
LEAST_LONELY = [NO, NO, NO, YES, YES, YES]


@pytest.mark.parametrize("item", [0, 1, 2])
@pytest.mark.parametrize(("answer", "points"), [(YES, 1), (MORE_OR_LESS, 1), (NO, 0)])
def test_djg6_emotional_item_scores_yes_and_more_or_less(
    item: int, answer: int, points: int
) -> None:
    answers = list(LEAST_LONELY)
    answers[item] = answer
    result = scored(Scale.DJG6, answers)
    assert (result.score, result.emotional, result.social) == (points, points, 0)


@pytest.mark.parametrize("item", [3, 4, 5])
@pytest.mark.parametrize(("answer", "points"), [(YES, 0), (MORE_OR_LESS, 1), (NO, 1)])
def test_djg6_social_item_scores_no_and_more_or_less(item: int, answer: int, points: int) -> None:
    answers = list(LEAST_LONELY)
    answers[item] = answer
    result = scored(Scale.DJG6, answers)
    assert (result.score, result.emotional, result.social) == (points, 0, points)


@pytest.mark.parametrize(
    ("answers", "emotional", "social", "band"),
    [
        (LEAST_LONELY, 0, 0, "not lonely"),  # minimum
        ([YES, NO, NO, YES, YES, YES], 1, 0, "not lonely"),
        ([YES, NO, NO, YES, YES, NO], 1, 1, "moderately lonely"),
        ([MORE_OR_LESS, MORE_OR_LESS, NO, MORE_OR_LESS, YES, YES], 2, 1, "moderately lonely"),
        ([YES, YES, YES, YES, NO, YES], 3, 1, "moderately lonely"),
        ([YES, YES, YES, NO, MORE_OR_LESS, YES], 3, 2, "severely lonely"),
        ([MORE_OR_LESS] * 6, 3, 3, "severely lonely"),  # maximum via "more or less"
        ([YES, YES, YES, NO, NO, NO], 3, 3, "severely lonely"),  # maximum
    ],
)
def test_djg6_totals_and_bands(answers: list[int], emotional: int, social: int, band: str) -> None:
    result = scored(Scale.DJG6, answers)
    total = emotional + social
    assert (result.score, result.emotional, result.social) == (total, emotional, social)
    assert result.loneliness == pytest.approx(total / 6)
    assert result.band == band
    assert result.in_loneliest_band is (total >= 5)


def test_scale_may_be_given_by_name() -> None:
    assert scored("ONS1", [2]).scale is Scale.ONS1  # type: ignore[arg-type]


# --- bad answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "answers", "message"),
    [
        (Scale.UCLA3, [1, 2], "answers: UCLA3 expects 3 answers, got 2"),
        (Scale.UCLA3, [1, 2, 3, 1], "answers: UCLA3 expects 3 answers, got 4"),
        (Scale.ONS1, [], "answers: ONS1 expects 1 answer, got 0"),
        (Scale.DJG6, [1, 1, 1, 1, 1], "answers: DJG6 expects 6 answers, got 5"),
    ],
)
def test_wrong_number_of_answers_is_rejected(
    scale: Scale, answers: list[int], message: str
) -> None:
    error = rejected(scale, answers)
    assert error.field == "answers"
    assert error.message == message


@pytest.mark.parametrize(
    ("scale", "answers", "field", "message"),
    [
        (
            Scale.UCLA3,
            [1, 2, 4],
            "answers[2]",
            "answers[2]: expected 1..3 (hardly ever, some of the time, often), got 4",
        ),
        (
            Scale.UCLA3,
            [0, 2, 2],
            "answers[0]",
            "answers[0]: expected 1..3 (hardly ever, some of the time, often), got 0",
        ),
        (
            Scale.ONS1,
            [6],
            "answers[0]",
            "answers[0]: expected 1..5 (often/always, some of the time, occasionally, "
            "hardly ever, never), got 6",
        ),
        (
            Scale.DJG6,
            [1, 2, 3, 1, -1, 2],
            "answers[4]",
            "answers[4]: expected 1..3 (yes, more or less, no), got -1",
        ),
    ],
)
def test_out_of_range_answer_names_the_item(
    scale: Scale, answers: list[int], field: str, message: str
) -> None:
    error = rejected(scale, answers)
    assert (error.field, error.message) == (field, message)


def test_true_is_not_an_answer() -> None:
    assert rejected(Scale.ONS1, [True]).field == "answers[0]"


def test_unknown_scale_is_rejected() -> None:
    error = rejected("UCLA20", [1])
    assert error.field == "scale"
    assert "UCLA3, ONS1, DJG6" in error.message
