"""The vocabulary for people (``words``): languages by name, "DBS-checked", in the solver's
explanations (the pages' ``/assets/vocabulary.js`` is checked in tests/browser/test_routes.py)."""

from __future__ import annotations

import words
from solver.models import Availability, Person, Problem, Visit, Volunteer
from solver.solve import solve


def test_languages_by_name() -> None:
    assert words.language("pl") == "Polish"
    assert words.languages(["pl", "en"]) == "Polish and English"
    assert words.speaking({"gu"}) == "Gujarati-speaking"
    assert words.speaking({"pl", "en"}) == "English- or Polish-speaking"
    assert words.joined(["a", "b", "c"]) == "a, b and c"
    assert words.loneliness(0.9) == "often lonely"
    assert words.loneliness(0.1) == "rarely lonely"


def test_a_gap_reason_names_the_language_and_the_dbs_check() -> None:
    """A visit only a DBS-checked Gujarati speaker may take, with nobody who fits."""
    problem = Problem(
        format="carecircles.rota/1",
        week_start="2026-11-23",
        volunteers=[
            Volunteer(
                id="v1",
                lat=51.55,
                lon=-0.06,
                max_km=5,
                max_minutes=600,
                availability=[Availability(day=0, start="09:00", end="17:00")],
                languages=["gu"],
                checked=False,
            )
        ],
        people=[Person(id="p1", lat=51.55, lon=-0.06, languages=["gu"])],
        visits=[
            Visit(
                id="p1-mon", person="p1", day=0, earliest="10:00", latest="12:00",
                duration_minutes=60, requires_check=True,
            )
        ],
    )  # fmt: skip
    solution = solve(problem, time_limit=5)
    [gap] = solution.unassigned
    assert gap.reasons == ["no DBS-checked volunteer within range of p1"]
    # A DBS-checked volunteer who speaks only English: the language is said by name.
    english = problem.volunteers[0].model_copy(update={"id": "v2", "languages": ["en"]})
    problem.volunteers.append(english.model_copy(update={"checked": True}))
    [gap] = solve(problem, time_limit=5).unassigned
    assert gap.reasons == ["no DBS-checked, Gujarati-speaking volunteer within range of p1"]
