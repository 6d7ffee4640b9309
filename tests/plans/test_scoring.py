"""GAS T-scores and ONS4 answers against hand-computed examples: every option, the edges, and
field-named errors for bad answers."""

from __future__ import annotations

import math

import pytest

from service.plans.scoring import (
    ATTAINMENT_WORDS,
    ScoreError,
    check_attainments,
    check_ons4,
    gas_t_score,
    ons4_band,
    ons4_in_words,
)

# T = 50 + 10 * sum(x) / sqrt(0.7 n + 0.3 n^2), worked by hand:
#   n = 1: sqrt(1) = 1             n = 2: sqrt(2.6) = 1.6124515
#   n = 3: sqrt(4.8) = 2.1908902   n = 5: sqrt(11) = 3.3166248


@pytest.mark.parametrize(
    ("attainment", "expected"), [(-2, 30.0), (-1, 40.0), (0, 50.0), (1, 60.0), (2, 70.0)]
)
def test_one_goal_every_option(attainment: int, expected: float) -> None:
    assert gas_t_score([attainment]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("attainments", "expected"),
    [
        ([-2, -2], 25.1931),  # 50 - 40 / 1.6124515, the lowest for two goals
        ([2, 2], 74.8069),  # the highest for two goals
        ([1, 0], 56.2017),
        ([2, -1, 0], 54.5644),  # 50 + 10 / 2.1908902
        ([0, 0, 0], 50.0),
        ([-2] * 5, 19.8489),  # 50 - 100 / 3.3166248: the lowest possible
        ([2] * 5, 80.1511),  # the highest possible
        ([1] * 5, 65.0756),
        ([2, -2, 1, -1, 0], 50.0),  # gains and losses cancel
    ],
)
def test_several_goals_hand_computed(attainments: list[int], expected: float) -> None:
    assert gas_t_score(attainments) == pytest.approx(expected, abs=1e-4)


def test_correlation_zero_is_the_plain_sum_over_root_n() -> None:
    assert gas_t_score([1, 1, 1, 1], correlation=0.0) == pytest.approx(50 + 10 * 4 / 2)
    assert gas_t_score([1, 1, 1, 1]) == pytest.approx(50 + 40 / math.sqrt(0.7 * 4 + 0.3 * 16))


def test_no_goals_or_an_option_off_the_scale_is_a_bug() -> None:
    with pytest.raises(ValueError):
        gas_t_score([])
    with pytest.raises(ValueError):
        gas_t_score([3])


def test_every_attainment_has_words() -> None:
    assert ATTAINMENT_WORDS[-2] == "much less than expected"
    assert ATTAINMENT_WORDS[0] == "as expected"
    assert ATTAINMENT_WORDS[2] == "much more than expected"
    assert sorted(ATTAINMENT_WORDS) == [-2, -1, 0, 1, 2]


def test_attainments_every_goal_once_in_range() -> None:
    goals = ["g1", "g2"]
    assert check_attainments(goals, [("g2", -2), ("g1", 2)]) == {"g2": -2, "g1": 2}
    cases = [
        ([("g1", 3), ("g2", 0)], "goals[0].attainment", "expected -2..2"),
        ([("g1", 0), ("g2", -3)], "goals[1].attainment", "got -3"),
        ([("g1", 0), ("gX", 0)], "goals[1].goalId", "a goal of this plan"),
        ([("g1", 0), ("g1", 1)], "goals[1].goalId", "once"),
        ([("g1", 0)], "goals", "each of the plan's 2 goals, missing 1"),
        ([], "goals", "missing 2"),
    ]
    for given, field, words in cases:
        result = check_attainments(goals, given)
        assert isinstance(result, ScoreError), given
        assert result.field == field
        assert words in result.message


@pytest.mark.parametrize(
    ("answer", "band"),
    [
        (0, "low"),
        (4, "low"),
        (5, "medium"),
        (6, "medium"),
        (7, "high"),
        (8, "high"),
        (9, "very high"),
        (10, "very high"),
    ],
)
def test_ons4_bands_of_the_three_positive_questions(answer: int, band: str) -> None:
    for index in range(3):
        assert ons4_band(index, answer) == band


@pytest.mark.parametrize(
    ("answer", "band"),
    [
        (0, "very low"),
        (1, "very low"),
        (2, "low"),
        (3, "low"),
        (4, "medium"),
        (5, "medium"),
        (6, "high"),
        (10, "high"),
    ],
)
def test_ons4_anxiety_bands(answer: int, band: str) -> None:
    assert ons4_band(3, answer) == band


def test_ons4_kept_as_answered_and_explained_in_words() -> None:
    assert check_ons4([0, 10, 5, 10]) == (0, 10, 5, 10)
    words = ons4_in_words([7, 9, 4, 6])
    assert words[0] == "Life satisfaction: 7 out of 10, high."
    assert words[1] == "Worthwhile: 9 out of 10, very high."
    assert words[2] == "Happiness: 4 out of 10, low."
    assert words[3].startswith("Anxiety yesterday: 6 out of 10, high.")
    assert "lower number means feeling calmer" in words[3]


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ([5, 5, 5], "ons4", "expected 4 answers (0..10), got 3"),
        ([5, 5, 5, 5, 5], "ons4", "got 5"),
        ([], "ons4", "got 0"),
        ([-1, 5, 5, 5], "ons4[0]", "life satisfaction as 0..10, got -1"),
        ([5, 11, 5, 5], "ons4[1]", "worthwhile as 0..10, got 11"),
        ([5, 5, 5, 11], "ons4[3]", "anxiety as 0..10, got 11"),
    ],
)
def test_bad_ons4_answers_name_the_field(answers: list[int], field: str, words: str) -> None:
    result = check_ons4(answers)
    assert isinstance(result, ScoreError)
    assert result.field == field
    assert words in result.message
