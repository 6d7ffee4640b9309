"""How Open Referral UK words become CareCircles values: taxonomy terms, access, cost, schedules.

The mapping is a short, readable list on purpose: a coordinator who meets a term the import
reports as unmapped adds a line to ``TERM_RULES`` and imports again. Interest ids and names are
the ones the synthetic borough uses (``seed/catalogue.py``); categories are its service kinds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from seed.catalogue import INTERESTS as CATALOGUE_INTERESTS

Cost = Literal["free", "low", "paid", "not_stated"]
Frequency = Literal["weekly", "fortnightly", "monthly"]

# id -> (name, category) of every interest an import may create when it is missing.
INTERESTS: dict[str, tuple[str, str]] = {
    interest_id: (name, category) for interest_id, name, category, _ in CATALOGUE_INTERESTS
}
DEFAULT_CATEGORY = "other"
CARECIRCLES_INTERESTS = "CareCircles interests"  # the vocabularies the export writes
CARECIRCLES_CATEGORIES = "CareCircles service categories"


@dataclass(frozen=True)
class TermRule:
    """Taxonomy terms whose text matches ``pattern`` (whole words, any case)."""

    pattern: str
    category: str | None
    interests: tuple[str, ...]

    def matches(self, text: str) -> bool:
        return re.search(rf"\b(?:{self.pattern})\b", text, re.IGNORECASE) is not None


# The first matching rule with a category gives the category; every matching rule adds its
# interests. Order matters where patterns overlap ("memory cafe" before "cafe"-like terms).
# Patterns match whole words only, and say what they must not be part of: "walking" is not a
# walk in "walking tennis", "reading" is not a reading group in "lip reading".
WALKING_SPORTS = r"(?!\s+(?:tennis|football|netball|rugby|cricket|basketball|hockey))"
TERM_RULES: tuple[TermRule, ...] = (
    TermRule(r"lunch(?:eon)? clubs?|lunch", "lunch_club", ("cooking", "conversation")),
    TermRule(r"men'?s sheds?|sheds?", "mens_shed", ("woodwork", "crafts", "conversation")),
    TermRule(r"memory caf[eé]s?|dementia caf[eé]s?", "memory_cafe", ("conversation", "music")),
    TermRule(r"befriend\w*", "befriending_line", ("conversation",)),
    TermRule(
        rf"health walks?|(?:walks?|walking){WALKING_SPORTS}|rambl\w*|hik\w*",
        "walking_group",
        ("walking",),
    ),
    TermRule(r"choirs?|sing\w*", "choir", ("singing", "music")),
    TermRule(
        r"digital (?:skills|inclusion|support|help)|computers?|internet|tablets?|smartphones?"
        r"|online skills|getting online|get online",
        "digital_skills",
        ("technology",),
    ),
    TermRule(
        r"reading groups?|book clubs?|(?<!lip )(?<!lip-)reading|books?",
        "library_group",
        ("reading",),
    ),
    TermRule(r"garden\w*|allotments?|growing", "allotment", ("gardening",)),
    TermRule(r"knit\w*|crochet|sewing", "craft_group", ("knitting",)),
    TermRule(r"arts and crafts|crafts?", "craft_group", ("crafts",)),
    TermRule(r"painting|drawing", "craft_group", ("painting",)),
    TermRule(
        r"chair[- ]based exercise|exercise|keep fit|fitness|yoga|pilates|tai chi"
        r"|strength and balance|walking (?:tennis|football|netball|rugby|cricket|basketball)",
        "exercise_class",
        ("exercise",),
    ),
    TermRule(r"tea dances?|danc\w*", "social_club", ("dancing", "music")),
    TermRule(
        r"social clubs?|coffee mornings?|friendship groups?|warm (?:spaces?|hubs?|welcome)",
        "social_club",
        ("conversation",),
    ),
    TermRule(r"card games?|cards|dominoes", "games_club", ("cards",)),
    TermRule(r"chess|draughts", "games_club", ("chess",)),
    TermRule(r"crosswords?|puzzles?", "games_club", ("puzzles",)),
    TermRule(r"bingo|quiz\w*", None, ("bingo",)),
    TermRule(r"faith|worship|church|mosque|gurdwara|temple|prayer", "faith_group", ("faith",)),
    TermRule(r"local history|heritage", None, ("local_history",)),
    TermRule(r"woodwork\w*|carpentry|diy", None, ("woodwork",)),
    TermRule(r"cook\w*|baking", None, ("cooking",)),
    TermRule(r"films?|cinema", None, ("films",)),
    TermRule(r"music", None, ("music",)),
)

# Guessing from a service's name is weaker than a term: a name says where a group meets ("Warm
# Space at St Mary's Church") or uses an activity's word for something else ("Centre for
# Countering Digital Hate", "Lip Reading Class", "Walking Tennis"). So a guess needs a phrase
# that names the activity itself; a guess is marked as one and never overrides a term.
NAME_RULES: tuple[TermRule, ...] = (
    TermRule(r"lunch(?:eon)? clubs?", "lunch_club", ("cooking", "conversation")),
    TermRule(r"men'?s sheds?", "mens_shed", ("woodwork", "crafts", "conversation")),
    TermRule(r"memory caf[eé]s?|dementia caf[eé]s?", "memory_cafe", ("conversation", "music")),
    TermRule(r"befriending", "befriending_line", ("conversation",)),
    TermRule(
        r"health walks?|walking (?:groups?|clubs?)|ramblers|rambling", "walking_group", ("walking",)
    ),
    TermRule(r"choirs?|singing (?:groups?|clubs?)", "choir", ("singing", "music")),
    TermRule(
        r"digital (?:skills|inclusion|drop[- ]ins?)|computer (?:clubs?|classes|courses?)"
        r"|get(?:ting)? online",
        "digital_skills",
        ("technology",),
    ),
    TermRule(r"reading groups?|book clubs?|readers'? groups?", "library_group", ("reading",)),
    TermRule(r"gardening (?:groups?|clubs?)|allotments?", "allotment", ("gardening",)),
    TermRule(
        r"knit(?:ting)? (?:and|&) natter|knitting (?:groups?|clubs?)", "craft_group", ("knitting",)
    ),
    TermRule(r"craft (?:groups?|clubs?)|arts and crafts", "craft_group", ("crafts",)),
    TermRule(
        r"chair[- ]based exercise|exercise class(?:es)?|keep fit|yoga|pilates|tai chi"
        r"|strength and balance|walking (?:tennis|football|netball)",
        "exercise_class",
        ("exercise",),
    ),
    TermRule(r"tea dances?", "social_club", ("dancing", "music")),
    TermRule(
        r"social clubs?|coffee mornings?|friendship groups?|warm (?:spaces?|hubs?|welcome)",
        "social_club",
        ("conversation",),
    ),
    TermRule(r"chess clubs?", "games_club", ("chess",)),
    TermRule(r"bingo", None, ("bingo",)),
    TermRule(r"prayer (?:groups?|meetings?)|bible study|faith groups?", "faith_group", ("faith",)),
)


def name_guess(name: str) -> list[TermRule]:
    """The ``NAME_RULES`` a service's name matches, in order (a guess, not a term)."""
    return [rule for rule in NAME_RULES if rule.matches(name)]


def matching_rules(text: str) -> list[TermRule]:
    """The rules whose pattern occurs in ``text``, in ``TERM_RULES`` order."""
    return [rule for rule in TERM_RULES if rule.matches(text)]


# --- accessibility -----------------------------------------------------------------------------

ACCESS_RULES: dict[str, str] = {
    "step_free": r"step[- ]free|level access|level entrance|wheelchairs?|ramps?|lifts?"
    r"|automatic doors?",
    "hearing_loop": r"induction loops?|hearing loops?|loop system|t-?coil",
    "accessible_toilet": r"accessible (?:toilets?|wc|loo)|disabled (?:toilets?|wc)"
    r"|changing places",
    "large_print": r"large[- ]print",
    "quiet_space": r"quiet (?:rooms?|spaces?|areas?|corners?)",
    "transport": r"transport (?:can be |is )?(?:arranged|provided|available)|minibus"
    r"|door[- ]to[- ]door",
}
# How the export describes each feature; each phrase matches its own rule and no other.
ACCESS_PHRASES: dict[str, str] = {
    "step_free": "Step-free access.",
    "hearing_loop": "Hearing loop fitted.",
    "accessible_toilet": "Accessible toilet.",
    "large_print": "Large print materials.",
    "quiet_space": "Quiet room available.",
    "transport": "Transport can be arranged.",
}
NEGATION = re.compile(r"\b(?:no|not|without|cannot|can't|isn't|aren't|unfortunately)\b", re.I)
# "partial wheelchair access", "limited step-free access": the words are kept for the link
# worker to read, but they do not claim the feature.
QUALIFIED = re.compile(r"\b(?:partial(?:ly)?|limited|some|restricted|part)\b", re.I)


def access_features(text: str) -> list[str]:
    """The access features a description claims; a mention negated or qualified earlier in its
    sentence ("no lift", "not suitable for wheelchairs", "partial wheelchair access") does not
    count."""
    found: set[str] = set()
    for sentence in re.split(r"[.;!?\n]+", text):
        for feature, pattern in ACCESS_RULES.items():
            for match in re.finditer(rf"\b(?:{pattern})\b", sentence, re.IGNORECASE):
                before = sentence[: match.start()]
                if not NEGATION.search(before) and not QUALIFIED.search(before):
                    found.add(feature)
                    break
    return sorted(found)


# --- cost --------------------------------------------------------------------------------------

LOW_COST_MAX_GBP = 5.0  # per session; yearly and monthly fees are spread over the weeks
FREE_WORDS = re.compile(r"\b(?:free|no charge|no cost)\b", re.I)
LOW_WORDS = re.compile(r"\b(?:donations?|pay what you can|low[- ]cost|subsidised)\b", re.I)
PAID_WORDS = re.compile(r"\b(?:paid|charged?|fees?|per session)\b", re.I)
POUNDS = re.compile(r"(?:£|\bGBP\b)\s*(\d+(?:\.\d{1,2})?)", re.I)
PER_YEAR = re.compile(r"\b(?:per year|a year|annual\w*|yearly)\b", re.I)
PER_MONTH = re.compile(r"\b(?:per month|a month|monthly)\b", re.I)
LOW_PRICE = LOW_COST_MAX_GBP  # a price known only to be low
CHARGED = math.inf  # a price known only to be charged


def weekly_price(amount: float, words: str) -> float:
    """``amount`` per session or week: yearly and monthly fees spread over the weeks."""
    if PER_YEAR.search(words):
        return amount / 52
    if PER_MONTH.search(words):
        return amount * 12 / 52
    return amount


def price_in_words(words: str) -> float | None:
    """A price read from text alone ("£3", "free", "donation"), or None if it says none. A sum
    in pounds wins over words ("free, donations of £1 welcome" is not free)."""
    if pounds := POUNDS.search(words):
        return weekly_price(float(pounds.group(1)), words)
    if FREE_WORDS.search(words):
        return 0.0
    if LOW_WORDS.search(words):
        return LOW_PRICE
    if PAID_WORDS.search(words):
        return CHARGED
    return None


def cost_band(prices: list[float]) -> Cost:
    """The band of the dearest price a person may be asked to pay (a concession or members'
    price is in ``cost_words`` for the link worker to read): free only when every price is."""
    dearest = max(prices)
    if dearest == 0:
        return "free"
    return "low" if dearest <= LOW_COST_MAX_GBP else "paid"


# --- schedules ---------------------------------------------------------------------------------

RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BYDAY_TOKEN = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
FREQUENCIES: dict[tuple[str, int], Frequency] = {
    ("WEEKLY", 1): "weekly",
    ("WEEKLY", 2): "fortnightly",
    ("MONTHLY", 1): "monthly",
}
RRULE_OF: dict[Frequency, tuple[str, int]] = {value: key for key, value in FREQUENCIES.items()}
