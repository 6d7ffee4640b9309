"""The partner's side of a referral over real HTTP: a link worker of one organisation refers a
person to a lunch club run by another; the club's partner user sees it in its inbox with only
what deciding needs, accepts within its weekly places or declines with a reason, reports
attendance; the link worker sees the outcome and suggestions learn from it. Every read of the
person by the partner is in the person's access log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from graph.models import Knows
from service.weeks import today
from tests.referrals.conftest import (
    INBOX,
    REFERRALS,
    consenting_person,
    partner_organisation,
    refer,
)
from tests.service.conftest import Api, World
from tests.world import save, saved

ACCEPT = """mutation($id: ID!) {
  acceptReferral(referralId: $id) {
    __typename
    ... on ReferralAccepted { referral { id status firstName area note phone } }
    ... on NoPlacesLeft { message weeklyPlaces acceptedThisWeek }
    ... on ReferralNotWaiting { message referral { status } }
  }
}"""
DECLINE = """mutation($id: ID!, $reason: DeclineReason!, $note: String) {
  declineReferral(referralId: $id, reason: $reason, note: $note) {
    __typename
    ... on ReferralDeclined { referral { id status declineReason declineNote firstName note } }
    ... on ReferralNotWaiting { message }
  }
}"""
ATTENDANCE = """mutation($id: ID!, $date: String!, $came: Boolean!) {
  recordAttendance(referralId: $id, date: $date, attended: $came) {
    __typename
    ... on AttendanceRecorded { referral { status attended missed } }
    ... on ReferralNotWaiting { message }
  }
}"""
PLACES = """mutation($id: ID!, $places: Int) {
  setWeeklyPlaces(serviceId: $id, places: $places) { id weeklyPlaces acceptedThisWeek }
}"""
SERVICES = "query { partnerServices { id name weeklyPlaces acceptedThisWeek } }"
SUGGEST = """query($id: ID!) {
  suggestConnections(personId: $id, first: 10) { service { id } score reasons }
}"""
MY_LOG = "query { myData { accessLog { actor purpose fields } } }"
PEOPLE = "query { people(first: 50) { edges { node { id } } } }"
RECORD = "query($id: ID!) { personRecord(personId: $id) { id } }"


def test_refer_inbox_accept_attendance_and_the_link_worker_sees_it(api: Api, world: World) -> None:
    lunch = partner_organisation(world, places=3)
    ann = consenting_person(world, "Ann")
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service, contact=True)

    waiting = api.data(INBOX, token=lunch.token)["referralInbox"]
    assert [r["id"] for r in waiting] == [referral]
    assert waiting[0] | {"id": None} == {
        "id": None,
        "serviceId": lunch.service.id,
        "serviceName": lunch.service.name,
        "status": "MADE",
        "referredFrom": f"Befriending {world.tag}",
        "area": f"Ward {world.tag}",
        "firstName": None,  # not before it accepts: no name, no address, no phone
        "note": "Loves a chat over lunch",
        "phone": None,
        "contactAgreed": True,
        "declineReason": None,
        "declineNote": None,
        "attended": [],
        "missed": [],
    }

    accepted = api.data(ACCEPT, {"id": referral}, token=lunch.token)["acceptReferral"]
    assert accepted["__typename"] == "ReferralAccepted"
    assert accepted["referral"] | {"id": None} == {
        "id": None,
        "status": "ACCEPTED",
        "firstName": "Ann",
        "area": f"Ward {world.tag}",
        "note": "Loves a chat over lunch",
        "phone": "020 7946 0000",
    }
    again = api.data(ACCEPT, {"id": referral}, token=lunch.token)["acceptReferral"]
    assert again["__typename"] == "ReferralNotWaiting"
    assert again["referral"]["status"] == "ACCEPTED"

    yesterday, day_before = today() - timedelta(days=1), today() - timedelta(days=2)
    missed = api.data(
        ATTENDANCE, {"id": referral, "date": day_before.isoformat(), "came": False}, lunch.token
    )["recordAttendance"]
    assert missed["referral"] == {
        "status": "ACCEPTED",
        "attended": [],
        "missed": [day_before.isoformat()],
    }
    came = api.data(
        ATTENDANCE, {"id": referral, "date": yesterday.isoformat(), "came": True}, lunch.token
    )["recordAttendance"]
    assert came["referral"] == {
        "status": "ATTENDED",
        "attended": [yesterday.isoformat()],
        "missed": [day_before.isoformat()],
    }

    seen = api.data(REFERRALS, {"id": ann.id}, token=worker)["referrals"]
    assert seen == [
        {
            "id": referral,
            "status": "attended",
            "declineReason": None,
            "declineInWords": None,
            "decidedAt": seen[0]["decidedAt"],
            "attended": [yesterday.isoformat()],
            "missed": [day_before.isoformat()],
            "contactAgreed": True,
        }
    ]
    assert seen[0]["decidedAt"]

    # Every partner read of Ann is in her access log, with what it was for.
    _, own = world.user("person", person_id=ann.id)
    log = api.data(MY_LOG, token=own)["myData"]["accessLog"]
    partner_reads = [e for e in log if e["actor"].startswith("partner")]
    purposes = {e["purpose"] for e in partner_reads}
    assert purposes == {
        f"deciding on a referral to {lunch.service.name}",
        f"accepted referral to {lunch.service.name}",
    }
    deciding = [e for e in partner_reads if e["purpose"].startswith("deciding")]
    assert all(e["fields"] == ["area", "referral_note"] for e in deciding)
    assert ["area", "first_name", "phone", "referral_note"] in [e["fields"] for e in partner_reads]


def test_attended_counts_as_a_tie_for_people_who_know_them(api: Api, world: World) -> None:
    lunch = partner_organisation(world)
    ann, bob = consenting_person(world, "Ann"), consenting_person(world, "Bob")
    save(api.store, Knows(from_id=bob.id, to_id=ann.id, kind="friend", strength=0.8))
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service)
    api.data(ACCEPT, {"id": referral}, token=lunch.token)
    api.data(ATTENDANCE, {"id": referral, "date": today().isoformat(), "came": True}, lunch.token)

    for_bob = api.data(SUGGEST, {"id": bob.id}, token=worker)["suggestConnections"]
    club = next(s for s in for_bob if s["service"]["id"] == lunch.service.id)
    assert "1 person they know goes here" in club["reasons"]
    for_ann = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    assert lunch.service.id not in [s["service"]["id"] for s in for_ann]  # she goes already


def _attends(api: Api, person_id: str, service_id: str) -> int | None:
    """How many times the person's ATTENDS tie to the service counts; None: no tie."""
    rows = api.store.run(
        "MATCH (:Person {id: $p})-[t:ATTENDS]->(:Service {id: $s}) RETURN t.times AS times",
        {"p": person_id, "s": service_id},
    )
    return int(rows[0]["times"]) if rows else None


def test_correcting_came_to_missed_undoes_what_the_came_added(api: Api, world: World) -> None:
    lunch = partner_organisation(world)
    ann, bob = consenting_person(world, "Ann"), consenting_person(world, "Bob")
    save(api.store, Knows(from_id=bob.id, to_id=ann.id, kind="friend", strength=0.8))
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service)
    api.data(ACCEPT, {"id": referral}, token=lunch.token)
    days = [(today() - timedelta(days=n)).isoformat() for n in (1, 2)]

    def report(day: str, came: bool) -> dict[str, object]:
        variables = {"id": referral, "date": day, "came": came}
        result: dict[str, object] = api.data(ATTENDANCE, variables, lunch.token)[
            "recordAttendance"
        ]["referral"]
        return result

    def bob_hears_ann_goes() -> bool:
        found = api.data(SUGGEST, {"id": bob.id}, token=worker)["suggestConnections"]
        club = [s for s in found if s["service"]["id"] == lunch.service.id]
        return bool(club) and "1 person they know goes here" in club[0]["reasons"]

    report(days[0], True)
    report(days[1], True)
    report(days[1], True)  # said twice: counted once
    assert _attends(api, ann.id, lunch.service.id) == 2
    assert bob_hears_ann_goes()

    assert report(days[0], False) == {
        "status": "ATTENDED",
        "attended": [days[1]],
        "missed": [days[0]],
    }
    assert _attends(api, ann.id, lunch.service.id) == 1
    assert report(days[1], False)["status"] == "ACCEPTED"
    assert _attends(api, ann.id, lunch.service.id) is None  # nothing left of the wrong reports
    assert not bob_hears_ann_goes()
    report(days[1], False)  # missed again: nothing more to undo
    assert _attends(api, ann.id, lunch.service.id) is None

    # A tie she has from elsewhere (visits a volunteer went along to) keeps its own count.
    api.store.run(
        "MATCH (p:Person {id: $p}), (s:Service {id: $s}) "
        "CREATE (p)-[:ATTENDS {times: 3, since: $at, last: $at}]->(s)",
        {"p": ann.id, "s": lunch.service.id, "at": "2026-01-01T00:00:00Z"},
    )
    report(days[0], True)
    assert _attends(api, ann.id, lunch.service.id) == 4
    report(days[0], False)
    assert _attends(api, ann.id, lunch.service.id) == 3


def test_decline_with_a_reason_reaches_the_link_worker_and_ranks_the_club_lower(
    api: Api, world: World
) -> None:
    lunch = partner_organisation(world)
    twin = saved(
        api.store,
        lunch.service.model_copy(
            update={"id": f"{lunch.service.id}-twin", "name": f"{lunch.service.name} twin"}
        ),
    )
    ann = consenting_person(world, "Ann")
    _, worker = world.user("link_worker")
    before = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    scores = {s["service"]["id"]: s["score"] for s in before}
    assert scores[lunch.service.id] == scores[twin.id]

    referral = refer(api, worker, ann, lunch.service)
    declined = api.data(
        DECLINE,
        {"id": referral, "reason": "NOT_SUITABLE", "note": "we meet upstairs, no lift"},
        token=lunch.token,
    )["declineReferral"]
    assert declined["__typename"] == "ReferralDeclined"
    assert declined["referral"] | {"id": None} == {
        "id": None,
        "status": "DECLINED",
        "declineReason": "NOT_SUITABLE",
        "declineNote": "we meet upstairs, no lift",
        "firstName": None,
        "note": None,  # after a decline the partner keeps nothing about the person
    }
    accept_late = api.data(ACCEPT, {"id": referral}, token=lunch.token)["acceptReferral"]
    assert accept_late["__typename"] == "ReferralNotWaiting"

    seen = api.data(REFERRALS, {"id": ann.id}, token=worker)["referrals"][0]
    assert seen["status"] == "declined" and seen["declineReason"] == "NOT_SUITABLE"
    assert seen["declineInWords"] == "not suitable for them (we meet upstairs, no lift)"

    after = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    ids = [s["service"]["id"] for s in after]
    assert ids.index(twin.id) < ids.index(lunch.service.id)
    club = after[ids.index(lunch.service.id)]
    assert (
        "the service declined a referral here: not suitable for them (we meet upstairs, no lift)"
        in club["reasons"]
    )


def test_a_decline_for_want_of_places_does_not_count_against_the_person(
    api: Api, world: World
) -> None:
    lunch = partner_organisation(world)
    ann = consenting_person(world, "Ann")
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service)
    api.data(DECLINE, {"id": referral, "reason": "NO_PLACES"}, token=lunch.token)
    seen = api.data(REFERRALS, {"id": ann.id}, token=worker)["referrals"][0]
    assert seen["declineInWords"] == "no places left"
    after = api.data(SUGGEST, {"id": ann.id}, token=worker)["suggestConnections"]
    club = next(s for s in after if s["service"]["id"] == lunch.service.id)
    assert not any("declined" in r for r in club["reasons"])


def test_capacity_full_until_the_partner_sets_more_places(api: Api, world: World) -> None:
    lunch = partner_organisation(world, places=1)
    _, worker = world.user("link_worker")
    first, second = (
        refer(api, worker, consenting_person(world, name), lunch.service) for name in ("Ann", "Bea")
    )
    assert api.data(ACCEPT, {"id": first}, lunch.token)["acceptReferral"]["__typename"] == (
        "ReferralAccepted"
    )
    full = api.data(ACCEPT, {"id": second}, token=lunch.token)["acceptReferral"]
    assert full == {
        "__typename": "NoPlacesLeft",
        "message": "No places left this week: 1 a week, 1 accepted already.",
        "weeklyPlaces": 1,
        "acceptedThisWeek": 1,
    }
    waiting = api.data(INBOX, {"status": ["MADE"]}, token=lunch.token)["referralInbox"]
    assert [r["id"] for r in waiting] == [second]

    more = api.data(PLACES, {"id": lunch.service.id, "places": 2}, token=lunch.token)
    assert more["setWeeklyPlaces"] == {
        "id": lunch.service.id,
        "weeklyPlaces": 2,
        "acceptedThisWeek": 1,
    }
    assert api.data(ACCEPT, {"id": second}, lunch.token)["acceptReferral"]["__typename"] == (
        "ReferralAccepted"
    )
    assert api.data(SERVICES, token=lunch.token)["partnerServices"] == [
        {
            "id": lunch.service.id,
            "name": lunch.service.name,
            "weeklyPlaces": 2,
            "acceptedThisWeek": 2,
        }
    ]


def test_eight_partners_accepting_at_once_fill_three_places_exactly(api: Api, world: World) -> None:
    lunch = partner_organisation(world, places=3)
    _, worker = world.user("link_worker")
    referrals = [
        refer(api, worker, consenting_person(world, f"P{i}"), lunch.service) for i in range(8)
    ]

    def accept(referral: str) -> str:
        answer = api.data(ACCEPT, {"id": referral}, token=lunch.token)
        return str(answer["acceptReferral"]["__typename"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(accept, referrals))
    assert sorted(outcomes) == ["NoPlacesLeft"] * 5 + ["ReferralAccepted"] * 3
    accepted = api.data(INBOX, {"status": ["ACCEPTED"]}, token=lunch.token)["referralInbox"]
    assert len(accepted) == 3


def test_a_partner_of_another_organisation_can_neither_see_nor_act(api: Api, world: World) -> None:
    lunch = partner_organisation(world)
    other = partner_organisation(world)
    ann = consenting_person(world, "Ann")
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service)

    assert api.data(INBOX, token=other.token)["referralInbox"] == []
    not_theirs = "referralId: no referral with this id in your organisation's inbox"
    for query, variables in (
        (ACCEPT, {"id": referral}),
        (DECLINE, {"id": referral, "reason": "NOT_SUITABLE"}),
        (ATTENDANCE, {"id": referral, "date": today().isoformat(), "came": True}),
    ):
        answer = api.gql(query, variables, token=other.token)
        assert answer["errors"][0]["message"] == not_theirs, answer
    places = api.gql(PLACES, {"id": lunch.service.id, "places": 0}, token=other.token)
    assert places["errors"][0]["message"] == (
        "serviceId: your organisation offers no service with this id"
    )
    # Nor may a partner list or read people, and only partners have an inbox.
    for query, variables in ((PEOPLE, {}), (RECORD, {"id": ann.id})):
        assert api.gql(query, variables, token=lunch.token)["errors"][0]["message"].startswith(
            "Not allowed"
        )
    assert api.gql(INBOX, token=worker)["errors"][0]["message"] == "Not allowed."

    still = api.data(INBOX, token=lunch.token)["referralInbox"]
    assert [(r["id"], r["status"]) for r in still] == [(referral, "MADE")]
    services = api.data(SERVICES, token=lunch.token)["partnerServices"]
    assert services[0]["weeklyPlaces"] is None


def test_bad_input_names_the_field_and_writes_nothing(api: Api, world: World) -> None:
    lunch = partner_organisation(world)
    ann = consenting_person(world, "Ann")
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service)
    tomorrow = (today() + timedelta(days=1)).isoformat()

    cases = [
        (DECLINE, {"id": referral, "reason": "OTHER"}, "note: expected a few words"),
        (DECLINE, {"id": referral, "reason": "MAYBE"}, "NOT_SUITABLE, NO_PLACES, OTHER"),
        (DECLINE, {"id": referral, "reason": "OTHER", "note": "x" * 501}, "note: expected at"),
        (ACCEPT, {"id": "bad id!"}, "referralId"),
        (PLACES, {"id": lunch.service.id, "places": -1}, "places: expected 0..1000"),
        ("query { referralInbox(first: 0) { id } }", {}, "first: expected 1..200"),
    ]
    for query, variables, expected in cases:
        answer = api.gql(query, variables, token=lunch.token)
        assert expected in answer["errors"][0]["message"], answer

    api.data(ACCEPT, {"id": referral}, token=lunch.token)
    for date, expected in (
        ("2026-13-45", "date: expected a date like 2026-12-03, got '2026-13-45'"),
        (tomorrow, f"date: expected a session that has happened, got {tomorrow}"),
        ("2001-01-01", "date: expected a session in the last 120 days"),
    ):
        answer = api.gql(ATTENDANCE, {"id": referral, "date": date, "came": True}, lunch.token)
        assert answer["errors"][0]["message"].startswith(expected), answer
    after = api.data(INBOX, token=lunch.token)["referralInbox"][0]
    assert (after["status"], after["attended"], after["missed"]) == ("ACCEPTED", [], [])
    assert api.data(SERVICES, token=lunch.token)["partnerServices"][0]["weeklyPlaces"] is None


def test_attendance_only_once_accepted(api: Api, world: World) -> None:
    lunch = partner_organisation(world)
    _, worker = world.user("link_worker")
    referral = refer(api, worker, consenting_person(world, "Ann"), lunch.service)
    answer = api.data(
        ATTENDANCE, {"id": referral, "date": today().isoformat(), "came": True}, lunch.token
    )["recordAttendance"]
    assert answer == {
        "__typename": "ReferralNotWaiting",
        "message": "Attendance is reported only for a referral your organisation accepted.",
    }


def test_an_accepted_referral_opens_nothing_else_of_the_person(api: Api, world: World) -> None:
    """The referral's basis is the inbox only: the partner reads no record, list or visit."""
    lunch = partner_organisation(world)
    ann = consenting_person(world, "Ann")
    world.visit(ann)
    _, worker = world.user("link_worker")
    referral = refer(api, worker, ann, lunch.service, contact=True)
    api.data(ACCEPT, {"id": referral}, token=lunch.token)
    week = f"{today().isocalendar()[0]}-W{today().isocalendar()[1]:02d}"
    for query, variables in (
        ("query($id: ID!) { person(id: $id) { firstName address phone } }", {"id": ann.id}),
        (RECORD, {"id": ann.id}),
        (PEOPLE, {}),
        ("query($id: ID!) { checkIns(personId: $id) { id } }", {"id": ann.id}),
        ("query($id: ID!) { referrals(personId: $id) { id } }", {"id": ann.id}),
        (SUGGEST, {"id": ann.id}),
        ("query($w: String!) { visits(week: $w) { edges { node { id } } } }", {"w": week}),
        ("query { volunteers { edges { node { id } } } }", {}),
        ("query { alerts { id } }", {}),
        (
            "mutation($id: ID!) { updateReferral(referralId: $id, status: ATTENDED) { id } }",
            {"id": referral},
        ),
    ):
        body = api.gql(query, variables, token=lunch.token)
        assert body["errors"][0]["message"].startswith("Not allowed"), (query, body)
        assert "Mare Street" not in str(body) and "Smith" not in str(body)
