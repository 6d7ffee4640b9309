"""Directory text as plain words: HTML converted safely, entities decoded, cut on a word.

Pure functions, no store. ``plain_text`` is idempotent (plain text comes back as it went in), so
importing our own export changes nothing; ``cut_on_word`` never cuts inside a word or a tag.
Also here: how to get in (``access_routes``) and who a service is for by age (``age_range``),
read from the directory's words.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
)
SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})
SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
BLANK_LINES = re.compile(r"\n\s*\n+")
LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z/!][^>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


class _Text(HTMLParser):
    """Collects the text of an HTML fragment; block tags become line breaks, list items
    bullets, and the content of scripts and styles is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(value: str) -> str:
    """``value`` as plain text: tags removed (blocks as line breaks), entities decoded
    (``&nbsp;`` a space), runs of spaces one space, at most one blank line in a row."""
    if LOOKS_LIKE_HTML.search(value):
        parser = _Text()
        parser.feed(value)
        parser.close()
        value = html.unescape("".join(parser.parts))
    lines = [SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines)
    return BLANK_LINES.sub("\n\n", joined).strip()


def one_line(value: str) -> str:
    """``plain_text`` on one line (for names, addresses and short notes)."""
    return SPACES.sub(" ", plain_text(value).replace("\n", " ")).strip()


def cut_on_word(value: str, limit: int) -> str:
    """``value`` if it fits in ``limit`` characters, else cut at the last space before the limit
    with an ellipsis (within ``limit``, ellipsis included)."""
    if len(value) <= limit:
        return value
    head = value[: limit - 1]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-\n") + "…"


# --- how to get in -----------------------------------------------------------------------------

ROUTE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "drop_in",
        re.compile(r"\bdrop[- ]?in\b|\bjust (?:turn|come) (?:up|along)\b|\bwalk[- ]in\b", re.I),
    ),
    (
        "self_referral",
        re.compile(r"\bself[- ]?refer\w*|\brefer (?:yourself|themselves)\b|\bcontact us\b", re.I),
    ),
    (
        "professional_referral",
        re.compile(
            r"\b(?:professional|gp|doctor|social worker|health professional|agency|clinician)s?"
            r"(?:'s)? referr?\w*|\breferr?\w* (?:by|from|through) (?:a |your |the )?"
            r"(?:professional|gp|doctor|social worker|health|nurse|link worker|agency)"
            r"|\breferral only\b|\bby referral\b|^referral$",
            re.I,
        ),
    ),
    (
        "appointment",
        re.compile(r"\bappointments?\b|\bbook(?:ing)? (?:a place|ahead|in advance)", re.I),
    ),
)


def access_routes(words: str) -> list[str]:
    """How a service says people get in: ``drop_in``, ``self_referral``,
    ``professional_referral``, ``appointment`` (each part of ``words`` separately)."""
    found = set()
    for part in re.split(r"[;\n]+", words):
        for route, pattern in ROUTE_RULES:
            if pattern.search(part.strip()):
                found.add(route)
    return sorted(found)


# --- ages --------------------------------------------------------------------------------------

AGE_RANGE = re.compile(r"\b(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\b")
AGE_FROM = re.compile(r"\b(\d{1,3})\s*(?:\+|plus\b|and over\b|and above\b|years and over\b)")
AGE_OVER = re.compile(r"\b(?:over|aged over|over the age of)\s*(\d{1,3})s?\b", re.I)
AGE_UNDER = re.compile(r"\b(?:under|up to|aged under)\s*(\d{1,3})s?\b", re.I)
MAX_AGE = 130


def age_range(words: str) -> tuple[int | None, int | None] | None:
    """(youngest, oldest) an age band names ("65+", "18-64", "Over 50s", "Under 25"), or
    None when it names no age."""
    if match := AGE_RANGE.search(words):
        low, high = int(match.group(1)), int(match.group(2))
        if low <= high <= MAX_AGE:
            return low, high
    if match := AGE_FROM.search(words):
        return min(int(match.group(1)), MAX_AGE), None
    if match := AGE_OVER.search(words):
        return min(int(match.group(1)), MAX_AGE), None
    if match := AGE_UNDER.search(words):
        return None, max(int(match.group(1)) - 1, 0)
    return None
