"""Referral updates through the outbox, delivered to a real SMTP server (aiosmtpd): a referral
tells the offering organisation's partner users, an accept or decline tells the link worker who
referred; each e-mail says no more than a first name, a day and a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message

import pytest

from graph.repo.erasure import erase_person
from graph.repo.notices import notices_about
from graph.repo.users import get_user, get_user_by_email
from service.notices.delivery import SmtpServer, deliver_due
from tests.conftest import GraphServer
from tests.referrals.conftest import consenting_person, partner_organisation, refer
from tests.service.conftest import Api, Inbox, World, running_api
from tests.service.conftest import inbox as inbox  # noqa: F401  (fixture)

ACCEPT = "mutation($id: ID!) { acceptReferral(referralId: $id) { __typename } }"
DECLINE = """mutation($id: ID!, $note: String) {
  declineReferral(referralId: $id, reason: OTHER, note: $note) { __typename }
}"""
# What must never be in a referral e-mail: the person's last name, address, postcode and phone,
# the link worker's note, the decline note, the service.
PERSONAL = ("Smith", "Mare Street", "E8 1AB", "020 7946", "Loves a chat", "too far", "lunch")


@pytest.fixture
def fresh_api(graph_server: GraphServer) -> Iterator[Api]:
    """An API on a graph of this test's own: its outbox holds only what the test wrote."""
    with running_api(graph_server, name="referral_notices") as served:
        yield served


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _email_of(api: Api, user_id: str) -> str:
    user = get_user(store=api.store, user_id=user_id)
    assert user is not None
    return str(user.email)


def _deliver(api: Api, server: SmtpServer) -> list[str]:
    return deliver_due(store=api.store, server=server, now=datetime.now(UTC)).sent


def test_partners_hear_of_referrals_and_link_workers_of_decisions(
    fresh_api: Api, inbox: tuple[Inbox, SmtpServer]
) -> None:
    received, server = inbox
    world = World(fresh_api)
    lunch = partner_organisation(world)
    colleague, _ = world.user("partner", organization_id=lunch.organization_id)
    world.user("partner", organization_id=world.organization("Elsewhere"))  # not told
    worker_email, worker = world.user("link_worker")
    ann = consenting_person(world, "Ann")
    bob = consenting_person(world, "Bob")

    # A referral: every partner user of the organisation offering the service is told, without
    # the person's name (a partner sees it only once they accept).
    ann_referral = refer(fresh_api, worker, ann, lunch.service, contact=True)
    assert len(_deliver(fresh_api, server)) == 2
    assert {m["To"] for m in received.messages} == {_email_of(fresh_api, lunch.user_id), colleague}
    for message in received.messages:
        assert message["Subject"].startswith("A new referral on ")
        body = _body(message)
        assert "A new referral to your organisation arrived on " in body
        for personal in ("Ann", *PERSONAL):
            assert personal not in body

    # Accepted: the link worker who referred is told, with the person's first name.
    assert (
        fresh_api.data(ACCEPT, {"id": ann_referral}, token=lunch.token)["acceptReferral"][
            "__typename"
        ]
        == "ReferralAccepted"
    )
    assert (
        fresh_api.data(ACCEPT, {"id": ann_referral}, token=lunch.token)["acceptReferral"][
            "__typename"
        ]
        == "ReferralNotWaiting"
    )
    assert len(_deliver(fresh_api, server)) == 1
    accepted = received.messages[-1]
    assert accepted["To"] == worker_email and accepted["Subject"] == "A referral was accepted"
    body = _body(accepted)
    assert "Hello there," in body and "The referral you made for Ann was accepted on " in body
    now = datetime.now(UTC)
    assert f"{now:%A} {now.day} {now:%B} at " in body
    for personal in PERSONAL:
        assert personal not in body

    # Declined, with a note: the link worker is told, the note stays on the page.
    bob_referral = refer(fresh_api, worker, bob, lunch.service)
    declined = fresh_api.data(DECLINE, {"id": bob_referral, "note": "too far"}, token=lunch.token)
    assert declined["declineReferral"]["__typename"] == "ReferralDeclined"
    assert len(_deliver(fresh_api, server)) == 3  # two partners told of Bob's, one decline
    to_worker = [m for m in received.messages if m["Subject"] == "A referral was declined"]
    assert [m["To"] for m in to_worker] == [worker_email]
    body = _body(to_worker[0])
    assert "The referral you made for Bob was declined on " in body
    for personal in PERSONAL:
        assert personal not in body

    # Each notice once, each sent: a second pass sends nothing.
    assert _deliver(fresh_api, server) == []
    assert len(received.messages) == 6
    worker_user = get_user_by_email(store=fresh_api.store, email=worker_email)
    assert worker_user is not None
    for user_id in (lunch.user_id, worker_user.id):
        notices = notices_about(store=fresh_api.store, recipient_id=user_id)
        assert notices and {n["status"] for n in notices} == {"sent"}

    # Erasing a person erases the notices about their referrals (they hold a first name).
    erase_person(store=fresh_api.store, person_id=ann.id, requested_by="test", at=datetime.now(UTC))
    left = notices_about(store=fresh_api.store, recipient_id=worker_user.id)
    assert [n["other_first_name"] for n in left] == ["Bob"]
