"""The word rules on their own: access features, prices and schedule entries (no store)."""

from __future__ import annotations

from datetime import date

import pytest

from graph.models import Schedule
from seed.oruk_mapping import coordinate_problem, graph_id, schedule_windows
from seed.oruk_rules import (
    ACCESS_PHRASES,
    CHARGED,
    INTERESTS,
    LOW_PRICE,
    TERM_RULES,
    access_features,
    cost_band,
    matching_rules,
    name_guess,
    price_in_words,
)
from seed.oruk_text import access_routes, age_range, cut_on_word, plain_text


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("Wheelchair access is possible on all levels.", ["step_free"]),
        ("The hall is on the first floor and there is no lift.", []),
        ("Not suitable for wheelchairs. Induction loop fitted.", ["hearing_loop"]),
        (
            "Accessible toilet; large-print menus; quiet room upstairs",
            ["accessible_toilet", "large_print", "quiet_space"],
        ),
        ("Transport can be arranged for members.", ["transport"]),
        ("There is one step at the door.", []),
    ],
)
def test_access_features_are_read_from_words_unless_negated(text: str, features: list[str]) -> None:
    assert access_features(text) == features


def test_each_exported_access_phrase_reads_back_as_its_own_feature() -> None:
    for feature, phrase in ACCESS_PHRASES.items():
        assert access_features(phrase) == [feature], phrase


@pytest.mark.parametrize(
    ("words", "price"),
    [
        ("Free for everyone", 0.0),
        ("Suggested donation", LOW_PRICE),
        ("£3.50 per class", 3.5),
        ("£26 a year", 0.5),
        ("Charged per session", CHARGED),
        ("fees_description", None),
    ],
)
def test_prices_in_words(words: str, price: float | None) -> None:
    assert price_in_words(words) == price


def test_the_dearest_option_decides_the_cost_band_and_free_means_every_option() -> None:
    assert cost_band([35.0, 0.0]) == "paid"  # members free, others 35: not "free"
    assert cost_band([3.5, 2.0]) == "low"
    assert cost_band([0.0, 0.0]) == "free"
    assert cost_band([5.01]) == "paid"


def test_every_rule_names_interests_that_exist() -> None:
    for rule in TERM_RULES:
        assert set(rule.interests) <= set(INTERESTS), rule.pattern


def test_term_rules_match_whole_words_only() -> None:
    assert [r.category for r in matching_rules("Housing advice")] == []  # not "sing"
    assert [r.category for r in matching_rules("Cardiac rehabilitation")] == []  # not "cards"
    assert [r.category for r in matching_rules("Nordic walking")] == ["walking_group"]


@pytest.mark.parametrize(
    ("entry", "windows"),
    [
        (
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:30:00", "closes_at": "11:00:00"},
            [
                Schedule(day=0, start="09:30", end="11:00"),
                Schedule(day=2, start="09:30", end="11:00"),
            ],
        ),
        (
            {"freq": "MONTHLY", "byday": "-1FR", "opens_at": "14:00", "closes_at": "15:00"},
            [Schedule(day=4, start="14:00", end="15:00", frequency="monthly", week_of_month=-1)],
        ),
        (  # the second and fourth Tuesday, from its first date
            {
                "freq": "MONTHLY",
                "byday": "2TU,4TU",
                "dtstart": "2026-01-13",
                "opens_at": "10:00",
                "closes_at": "12:00",
            },
            [
                Schedule(
                    day=1,
                    start="10:00",
                    end="12:00",
                    frequency="monthly",
                    week_of_month=week,
                    starts_on=date(2026, 1, 13),
                )
                for week in (2, 4)
            ],
        ),
        (  # every other Wednesday from 7 January 2026 (a date-time counts by its date)
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "WE",
                "dtstart": "2026-01-07T00:00:00Z",
                "opens_at": "10:00",
                "closes_at": "11:00",
            },
            [
                Schedule(
                    day=2,
                    start="10:00",
                    end="11:00",
                    frequency="fortnightly",
                    starts_on=date(2026, 1, 7),
                )
            ],
        ),
        (
            {"weekday": "Sunday", "opens_at": "10:00", "closes_at": "12:00"},  # ORUK v1
            [Schedule(day=6, start="10:00", end="12:00")],
        ),
    ],
)
def test_schedule_entries_become_windows(entry: dict[str, object], windows: list[Schedule]) -> None:
    assert schedule_windows(entry) == windows


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (
            {
                "freq": "WEEKLY",
                "interval": 3,
                "byday": "MO",
                "opens_at": "9:00",
                "closes_at": "10:00",
            },
            "freq WEEKLY with interval 3",
        ),
        (
            {"freq": "WEEKLY", "byday": "Mondays", "opens_at": "09:00", "closes_at": "10:00"},
            "byday 'Mondays': expected days like 'MO,WE' or '2TU', got 'MONDAYS'",
        ),
        ({"freq": "WEEKLY", "opens_at": "09:00", "closes_at": "10:00"}, "byday: missing"),
        (
            {"freq": "WEEKLY", "byday": "TU", "opens_at": "25:00", "closes_at": "26:00"},
            "opens_at: expected a time like '10:00:00', got '25:00'",
        ),
    ],
)
def test_schedule_entries_that_cannot_be_windows_say_why(
    entry: dict[str, object], reason: str
) -> None:
    result = schedule_windows(entry)
    assert isinstance(result, str) and result.startswith(reason)


def test_coordinates_must_be_a_place_on_earth() -> None:
    assert coordinate_problem(51.5, -0.05) is None
    assert coordinate_problem(100, 101) == ("latitude", "100 is outside -90..90 (longitude 101)")
    assert coordinate_problem(51.5, None) == ("longitude", "expected a number, got None")
    assert coordinate_problem("51.5", 0.1) == ("latitude", "expected a number, got '51.5'")


def test_ids_are_stable_and_valid_even_for_odd_oruk_ids() -> None:
    assert graph_id("oruk-service-", "abc-123") == "oruk-service-abc-123"
    odd = graph_id("oruk-service-", "lbh/services/42 (old)")
    assert odd == graph_id("oruk-service-", "lbh/services/42 (old)")
    assert odd.startswith("oruk-service-") and "/" not in odd


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Centre for Countering Digital Hate", None),  # was digital skills
        ("Lip Reading Class", None),  # was a reading group
        ("Walking Tennis", "exercise_class"),  # was a walking group
        ("Warm Space at St Mary's Church", "social_club"),  # was a faith group
        ("Brookfield Park Health Walk", "walking_group"),
        ("Get Online: Digital Skills Drop-in", "digital_skills"),
        ("Northgate Library Reading Group", "library_group"),
    ],
)
def test_name_guesses_need_a_phrase_naming_the_activity(name: str, category: str | None) -> None:
    guesses = [rule.category for rule in name_guess(name) if rule.category]
    assert (guesses[0] if guesses else None) == category


def test_terms_do_not_match_walking_sports_or_lip_reading() -> None:
    assert [r.category for r in matching_rules("Walking football")] == ["exercise_class"]
    assert [r.category for r in matching_rules("Lip reading")] == []
    assert [r.category for r in matching_rules("Lip-reading classes")] == []
    assert [r.category for r in matching_rules("Reading groups")] == ["library_group"]


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("Partial wheelchair access", []),
        ("Limited step-free access; hearing loop", ["hearing_loop"]),
        ("Wheelchair accessible throughout", ["step_free"]),
    ],
)
def test_qualified_access_is_kept_in_words_but_claims_no_feature(
    text: str, features: list[str]
) -> None:
    assert access_features(text) == features


@pytest.mark.parametrize(
    ("html_text", "plain"),
    [
        ("Tea&nbsp;&amp;&nbsp;cake", "Tea & cake"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n\n- b"),
        ("<b>Bold</b> <script>x()</script>text", "Bold text"),
        ("Ages 5 < 10 stay plain", "Ages 5 < 10 stay plain"),
        ("Already\n\n\n\nplain   text", "Already\n\nplain text"),
    ],
)
def test_plain_text_converts_html_and_is_idempotent(html_text: str, plain: str) -> None:
    assert plain_text(html_text) == plain
    assert plain_text(plain) == plain


def test_text_is_cut_on_a_word_boundary() -> None:
    text = "word " * 500
    cut = cut_on_word(text, 2000)
    assert len(cut) <= 2000 and cut.endswith("word…")
    assert cut_on_word("short", 2000) == "short"


@pytest.mark.parametrize(
    ("words", "routes"),
    [
        ("Drop-in, no need to book", ["drop_in"]),
        ("Self referral or referral from your GP", ["professional_referral", "self_referral"]),
        ("Professional referral only", ["professional_referral"]),
        ("By appointment", ["appointment"]),
        ("Just turn up", ["drop_in"]),
    ],
)
def test_how_to_get_in_is_read_from_words(words: str, routes: list[str]) -> None:
    assert access_routes(words) == routes


@pytest.mark.parametrize(
    ("band", "ages"),
    [
        ("65+", (65, None)),
        ("Adults 18-64", (18, 64)),
        ("Over 50s", (50, None)),
        ("Under 25", (None, 24)),
        ("Older people", None),
    ],
)
def test_age_bands_are_read_as_ranges(band: str, ages: tuple[int | None, int | None]) -> None:
    assert age_range(band) == ages


@pytest.mark.parametrize(
    ("words", "price"),
    [
        ("£3.50 per session", 3.5),
        ("Free, donations of £1 welcome", 1.0),
        ("GBP 12 per term", 12.0),
    ],
)
def test_a_sum_in_pounds_wins_over_words(words: str, price: float) -> None:
    assert price_in_words(words) == price
