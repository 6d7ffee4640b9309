"""What a notice says, in an e-mail: a first name, a day and a time, nothing more personal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.weeks import visit_date

# kind -> (subject, body); {first} the recipient, {other} the other party's first name, {when}
# e.g. "Tuesday 24 November at 10:00".
TEXTS: dict[str, tuple[str, str]] = {
    "visit_cancelled": (
        "Your visit on {day} has changed",
        "The volunteer who was coming on {when} cannot come. We are finding someone else "
        "and will tell you who.",
    ),
    "visit_changed": (
        "Your visit on {day} has changed",
        "Your visit on {when} will now be with {other}.",
    ),
    "visit_offered": (
        "Could you visit on {day}?",
        "Your coordinator has asked you to make a visit on {when}. Please accept or decline it "
        "on your CareCircles page.",
    ),
    "visit_proposed": (
        "A visit proposed to you on {day}",
        "A visit on {when} has been proposed to you. Please accept or decline it on your "
        "CareCircles page.",
    ),
    "visit_withdrawn": (
        "A visit on {day} is no longer yours",
        "The visit on {when} is no longer proposed to you. There is nothing you need to do.",
    ),
    "visit_called_off": (
        "Your visit on {day} is called off",
        "The visit on {when} is called off: the person cannot be visited then. There is nothing "
        "you need to do.",
    ),
    "alert": (
        "A check-in needs your attention",
        "A check-in with {other} on {when} raised an alert. Please look at it on your "
        "CareCircles page.",
    ),
    "referral_made": (
        "A new referral on {day}",
        "A new referral to your organisation arrived on {when}. Please look at it on your "
        "CareCircles page.",
    ),
    "referral_accepted": (
        "A referral was accepted",
        "The referral you made for {other} was accepted on {when}. You can see more on your "
        "CareCircles page.",
    ),
    "referral_declined": (
        "A referral was declined",
        "The referral you made for {other} was declined on {when}. You can see why on your "
        "CareCircles page.",
    ),
    "reminder": (
        "Reminder: your visit tomorrow",
        "A reminder that you are visiting {other} tomorrow, {when}.",
    ),
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def message_of(notice: dict[str, Any]) -> Message:
    """The e-mail for a notice (its kind's text with first names, the day and the time)."""
    subject, body = TEXTS[notice["kind"]]
    day = visit_date(str(notice["week_start"]), int(notice["day"]))
    day_words = f"{day:%A} {day.day} {day:%B}"
    when = f"{day_words} at {notice.get('time') or 'the agreed time'}"
    values = {"day": day_words, "when": when, "other": notice.get("other_first_name") or "someone"}
    greeting = f"Hello {notice.get('first_name') or 'there'},"
    text = "\n\n".join(
        [
            greeting,
            body.format(**values),
            "CareCircles",
            "You can turn these e-mails off on your page.",
        ]
    )
    return Message(subject=subject.format(**values), body=text + "\n")
