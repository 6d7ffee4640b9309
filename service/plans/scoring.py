"""How a plan review is scored: Goal Attainment Scaling and ONS4 personal wellbeing. The one home
of both; answers are kept raw beside what is computed from them.

**Goal Attainment Scaling** (Kiresuk and Sherman, 1968). Each goal is rated -2 much less than
expected, -1 less than expected, 0 as expected (the outcome written down when the goal was
set), +1 more than expected, +2 much more than expected. Over the n goals reviewed::

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum(w_i))^2)

We assume **equal weights** (w_i = 1: the person's goals are not ranked against each other) and
an **inter-goal correlation rho = 0.3**, the value Kiresuk and Sherman recommend, so::

    T = 50 + 10 * sum(x) / sqrt(0.7 * n + 0.3 * n^2)

T is 50 when every goal went as expected; about 10 points is one "step" across the goals.

**ONS4** (the Office for National Statistics' four personal wellbeing questions), each 0-10:
life satisfaction, worthwhile, happiness (higher is better) and anxiety (lower is better).
Kept as answered: nothing is summed or reversed. Each answer is put in words with the ONS
bands: for the first three 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; for anxiety 0-1 very
low, 2-3 low, 4-5 medium, 6-10 high.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GAS_CORRELATION = 0.3
GAS_LOWEST, GAS_HIGHEST = -2, 2
ATTAINMENT_WORDS = {
    -2: "much less than expected",
    -1: "less than expected",
    0: "as expected",
    1: "more than expected",
    2: "much more than expected",
}

ONS4_LOWEST, ONS4_HIGHEST = 0, 10
# (name, the question as asked, what the answer is about in a sentence)
ONS4_QUESTIONS = (
    ("life satisfaction", "Overall, how satisfied are you with your life nowadays?"),
    (
        "worthwhile",
        "Overall, to what extent do you feel the things you do in your life are worthwhile?",
    ),
    ("happiness", "Overall, how happy did you feel yesterday?"),
    ("anxiety", "Overall, how anxious did you feel yesterday?"),
)
# Upper bound of each band, inclusive.
POSITIVE_BANDS = ((4, "low"), (6, "medium"), (8, "high"), (10, "very high"))
ANXIETY_BANDS = ((1, "very low"), (3, "low"), (5, "medium"), (10, "high"))


@dataclass(frozen=True)
class ScoreError:
    """A bad answer: ``field`` as the API names it, ``message`` what was expected."""

    field: str
    message: str


def gas_t_score(attainments: Sequence[int], correlation: float = GAS_CORRELATION) -> float:
    """The GAS T-score of ``attainments`` (each -2..2), equal weights; at least one goal."""
    n = len(attainments)
    if n == 0:
        raise ValueError("a GAS T-score needs at least one goal")
    if any(not GAS_LOWEST <= x <= GAS_HIGHEST for x in attainments):
        raise ValueError(f"attainments must be in {GAS_LOWEST}..{GAS_HIGHEST}: {attainments}")
    spread = math.sqrt((1 - correlation) * n + correlation * n * n)
    return 50 + 10 * sum(attainments) / spread


def check_attainments(
    goal_ids: Sequence[str], given: Sequence[tuple[str, int]]
) -> dict[str, int] | ScoreError:
    """The attainment of each of the plan's goals (``goal_ids``), from ``given`` (goal id,
    attainment) pairs in the order sent; every goal exactly once, each -2..2."""
    scored: dict[str, int] = {}
    for index, (goal_id, attainment) in enumerate(given):
        if goal_id not in goal_ids:
            return ScoreError(f"goals[{index}].goalId", "expected a goal of this plan")
        if goal_id in scored:
            return ScoreError(f"goals[{index}].goalId", "expected each goal once, got it twice")
        if not GAS_LOWEST <= attainment <= GAS_HIGHEST:
            return ScoreError(
                f"goals[{index}].attainment",
                f"expected {GAS_LOWEST}..{GAS_HIGHEST} (-2 much less than expected .. 0 as "
                f"expected .. 2 much more than expected), got {attainment}",
            )
        scored[goal_id] = attainment
    missing = [g for g in goal_ids if g not in scored]
    if missing:
        return ScoreError(
            "goals",
            f"expected an attainment for each of the plan's {len(goal_ids)} goals, "
            f"missing {len(missing)}",
        )
    return scored


def check_ons4(answers: Sequence[int]) -> tuple[int, int, int, int] | ScoreError:
    """The four ONS4 answers as given, or what is wrong with them."""
    if len(answers) != len(ONS4_QUESTIONS):
        return ScoreError("ons4", f"expected 4 answers (0..10), got {len(answers)}")
    for index, answer in enumerate(answers):
        if not ONS4_LOWEST <= answer <= ONS4_HIGHEST:
            name = ONS4_QUESTIONS[index][0]
            return ScoreError(
                f"ons4[{index}]",
                f"expected {name} as {ONS4_LOWEST}..{ONS4_HIGHEST}, got {answer}",
            )
    return (answers[0], answers[1], answers[2], answers[3])


def ons4_band(index: int, answer: int) -> str:
    """The ONS band of one answer: "low" .. "very high" (anxiety: "very low" .. "high")."""
    bands = ANXIETY_BANDS if ONS4_QUESTIONS[index][0] == "anxiety" else POSITIVE_BANDS
    return next(word for upper, word in bands if answer <= upper)


def ons4_in_words(answers: Sequence[int]) -> list[str]:
    """One sentence per answer, e.g. "Life satisfaction: 7 out of 10, high." Anxiety is
    reported as answered, with what its number means (lower is better)."""
    sentences = []
    for index, answer in enumerate(answers):
        name = ONS4_QUESTIONS[index][0]
        band = ons4_band(index, answer)
        if name == "anxiety":
            sentences.append(
                f"Anxiety yesterday: {answer} out of 10, {band}. "
                "For this question a lower number means feeling calmer."
            )
        else:
            sentences.append(f"{name.capitalize()}: {answer} out of 10, {band}.")
    return sentences
