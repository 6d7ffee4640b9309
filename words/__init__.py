"""The vocabulary for people: the one home of the words pages and explanations use.

Languages by name ("Polish", not "pl"), "DBS-checked" (not "checked"), access features and
needs, the loneliness scales and their levels, what a consent covers, a referral's outcome:
every page (through ``/assets/vocabulary.js``, made from ``for_pages``) and every explanation
(the solver's gap reasons, the link worker's suggestions, alerts) takes its words from here.
It imports nothing of the project, so ``solver`` and ``service`` may both import it (like
``clock``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# ISO 639-1 codes as people say them (the borough's and the directory's languages, and more).
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "cy": "Welsh",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "ku": "Kurdish",
    "lt": "Lithuanian",
    "nl": "Dutch",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "so": "Somali",
    "sq": "Albanian",
    "ta": "Tamil",
    "ti": "Tigrinya",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "zh": "Chinese",
}

# A volunteer's background check (the Disclosure and Barring Service), as coordinators say it.
CHECKED = "DBS-checked"
NOT_CHECKED = "not DBS-checked"

# Features of a place, and a person's needs, as stored; and in words.
ACCESS: dict[str, str] = {
    "step_free": "step-free",
    "hearing_loop": "hearing loop",
    "accessible_toilet": "accessible toilet",
    "large_print": "large print",
    "quiet_space": "quiet space",
    "transport": "transport offered",
    "wheelchair": "uses a wheelchair",
    "step-free": "needs step-free access",
    "hearing": "hard of hearing",
    "sight": "poor sight",
    "quiet": "prefers quiet places",
}

GENDER_PREFERENCE: dict[str, str] = {
    "female": "a woman",
    "male": "a man",
}

# The loneliness scales by what the person was asked, never by their codes.
SCALES: dict[str, str] = {
    "ONS1": "the one loneliness question",
    "UCLA3": "the three loneliness questions",
    "DJG6": "the six loneliness statements",
}

# What each consent scope lets someone see, said to the person.
SCOPES: dict[str, str] = {
    "contact": "how to contact you (address and phone)",
    "needs": "your needs (languages, interests, access needs, how much support)",
    "checkins": "your check-ins (how lonely you have said you feel)",
    "visit_notes": "volunteers' notes from visits",
    "plan": "your support plan (what matters to you, your goals and how they are going)",
}

# The same, said to someone the person chose to decide for them (a son or daughter, a friend).
SCOPES_THEIRS: dict[str, str] = {
    "contact": "how to contact them (address and phone)",
    "needs": "their needs (languages, interests, access needs, how much support)",
    "checkins": "their check-ins (how lonely they have said they feel)",
    "visit_notes": "volunteers' notes from visits to them",
    "plan": "their support plan (what matters to them, their goals and how they are going)",
}

# Fields of a person's record as the access log names them.
RECORD_PARTS: dict[str, str] = {
    "first_name": "first name",
    "last_name": "last name",
    "area": "area",
    "visits_per_week": "how often you are visited",
    "visit_minutes": "how long visits last",
    "visit_windows": "times that suit you",
    "circle": "who visits you",
    "address": "address",
    "postcode": "postcode",
    "phone": "phone number",
    "need": "how much support you need",
    "need_trend": "how your loneliness is changing",
    "languages": "languages",
    "interests": "interests",
    "access_needs": "access needs",
    "gender_preference": "who you prefer to visit you",
    "check_ins": "check-ins",
    "checkins": "check-ins",
    "visit_notes": "notes from visits",
    "alerts": "alerts from your check-ins",
    "referrals": "referrals",
    "plans": "support plan",
    "location": "where you live (roughly, to measure distances)",
    "relationships": "who you know",
    "ties": "who you know",
    "groups_attended": "groups you go to and who you met there",
}

REFERRAL_OUTCOMES: dict[str, str] = {
    "made": "referred",
    "attended": "went",
    "declined": "said no",
    "not_suitable": "not suitable",
}

TIES: dict[str, str] = {
    "family": "family",
    "friend": "friend",
    "neighbour": "neighbour",
    "volunteer": "volunteer",
    "group": "met at a group",
}

LONELINESS_LEVELS = ((0.67, "often lonely"), (0.34, "sometimes lonely"), (0.0, "rarely lonely"))


def language(code: str) -> str:
    """ "Polish" for "pl"; a code we have no name for is said as "a language we know as X"."""
    return LANGUAGES.get(code.lower(), f"a language we know as {code!r}")


def languages(codes: Iterable[str]) -> str:
    """ "Polish and English" for ["pl", "en"]."""
    return joined([language(c) for c in codes])


def speaking(codes: Iterable[str]) -> str:
    """ "Gujarati-speaking", "Polish- or English-speaking" (either will do)."""
    names = [language(c) for c in sorted(codes)]
    if len(names) <= 1:
        return f"{names[0] if names else 'any'}-speaking"
    return "- or ".join(names) + "-speaking"


def access(code: str) -> str:
    return ACCESS.get(code, code.replace("_", " "))


def loneliness(value: float) -> str:
    """A level between 0 (least) and 1 (most lonely) in words."""
    return next(words for floor, words in LONELINESS_LEVELS if value >= floor)


def joined(items: Sequence[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def for_pages() -> dict[str, Any]:
    """The tables the web pages use, as served in ``/assets/vocabulary.js``."""
    return {
        "languages": LANGUAGES,
        "checked": CHECKED,
        "access": ACCESS,
        "genderPreference": GENDER_PREFERENCE,
        "scales": SCALES,
        "scopes": SCOPES,
        "scopesTheirs": SCOPES_THEIRS,
        "recordParts": RECORD_PARTS,
        "referralOutcomes": REFERRAL_OUTCOMES,
        "ties": TIES,
        "lonelinessLevels": [list(level) for level in LONELINESS_LEVELS],
    }
