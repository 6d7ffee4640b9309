"""acknowledgeAlert and the open alerts list: a link worker says they have dealt with an alert,
with a note; it leaves the open list and is listed, with who, when and the note, among those
dealt with. Only the first acknowledgement counts; an alert the caller may not see and one that
does not exist get the same answer; a bad note writes nothing; a later check-in raises a new,
open alert. Alerts are raised through the check-in use-case the API calls."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from graph.models import Person, utc_now
from graph.repo import alerts as alerts_repo
from graph.repo.users import get_user_by_email
from service.consent import my_data
from service.wellbeing import checkins
from tests.person_record_api.conftest import grant
from tests.service.conftest import Api, World

ALERT_FIELDS = """id personId personFirstName at reasons acknowledgedAt note
  acknowledgedBy { role name }"""
ALERTS = f"""query($all: Boolean) {{
  alerts(first: 100, includeAcknowledged: $all) {{ {ALERT_FIELDS} }}
}}"""
ACKNOWLEDGE = f"""mutation($id: ID!, $note: String) {{
  acknowledgeAlert(alertId: $id, note: $note) {{
    __typename
    ... on AlertAcknowledged {{ earlierAlerts alert {{ {ALERT_FIELDS} }} }}
    ... on AlertAlreadyAcknowledged {{ message alert {{ {ALERT_FIELDS} }} }}
    ... on AlertNotFound {{ message }}
  }}
}}"""
NOTE = "phoned Ada, arranged a lunch club visit"
ACKNOWLEDGEMENT = """
MATCH (a:Alert {id: $id})
RETURN a.acknowledged_at AS at, a.acknowledged_by AS by, a.acknowledged_role AS role,
       a.acknowledgement_note AS note
"""


def _lonely_check_in(world: World, person: Person, at: datetime | None = None) -> str:
    """A check-in in the loneliest band ("often or always" lonely); the id of its alert."""
    recorded = checkins.record_check_in(
        store=world.api.store,
        person_id=person.id,
        scale="ONS1",
        answers=[1],
        recorded_by="test",
        at=at or utc_now(),
    )
    assert isinstance(recorded, checkins.Recorded) and recorded.alert_reasons
    rows = world.api.store.run(
        "MATCH (a:Alert {check_in_id: $id}) RETURN a.id AS id", {"id": recorded.check_in.id}
    )
    return str(rows[0]["id"])


def _link_worker(world: World, **links: Any) -> tuple[str, str, str]:
    """A link worker (of the world's organisation unless told): (user id, email, token)."""
    email, token = world.user("link_worker", **links)
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    return user.id, email, token


def _alerts(api: Api, token: str, person: Person, *, everything: bool = False) -> list[Any]:
    found = api.data(ALERTS, {"all": everything}, token=token)["alerts"]
    return [a for a in found if a["personId"] == person.id]


def _acknowledge(api: Api, token: str, alert_id: str, note: str | None = None) -> Any:
    return api.data(ACKNOWLEDGE, {"id": alert_id, "note": note}, token=token)["acknowledgeAlert"]


def _stored(api: Api, alert_id: str) -> dict[str, Any]:
    return dict(api.store.run(ACKNOWLEDGEMENT, {"id": alert_id})[0])


def test_a_dealt_with_alert_leaves_the_open_list_with_who_when_and_the_note(
    api: Api, world: World
) -> None:
    ada = world.person("Ada")
    grant(world, ada, organization_id=world.organization_id)
    worker_id, email, worker = _link_worker(world)
    alert_id = _lonely_check_in(world, ada)

    [listed] = _alerts(api, worker, ada)
    assert listed["id"] == alert_id
    assert (listed["acknowledgedAt"], listed["acknowledgedBy"], listed["note"]) == (
        None,
        None,
        None,
    )

    before = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
    done = _acknowledge(api, worker, alert_id, f"  {NOTE}\n")
    assert done["__typename"] == "AlertAcknowledged"
    assert done["earlierAlerts"] == 0
    assert done["alert"]["id"] == alert_id
    assert done["alert"]["note"] == NOTE  # trimmed
    assert done["alert"]["acknowledgedAt"] >= before
    assert done["alert"]["acknowledgedBy"] == {
        "role": "link_worker",
        "name": f"link worker at Befriending {world.tag} ({email})",
    }
    stored = _stored(api, alert_id)
    assert stored == {
        "at": done["alert"]["acknowledgedAt"],
        "by": worker_id,
        "role": "link_worker",
        "note": NOTE,
    }

    # The person's own alerts say so too (for their view and export of what is held).
    [own] = alerts_repo.list_alerts_of_person(store=api.store, person_id=ada.id)
    assert (own.id, own.acknowledged_at, own.note) == (alert_id, stored["at"], NOTE)
    assert own.acknowledged_by is not None and own.acknowledged_by.email == email
    _, ada_token = world.user("person", person_id=ada.id)
    [mine] = api.data(
        "query { myData { alerts { id reasons acknowledgedAt acknowledgedBy { name } note } } }",
        token=ada_token,
    )["myData"]["alerts"]
    assert (mine["id"], mine["note"], mine["acknowledgedAt"]) == (alert_id, NOTE, stored["at"])
    assert email in mine["acknowledgedBy"]["name"] and mine["reasons"]
    exported = json.loads(my_data.export_json(store=api.store, person_id=ada.id) or "{}")
    [in_export] = exported["alerts"]
    assert (in_export["id"], in_export["note"]) == (alert_id, NOTE)
    assert in_export["acknowledged_by"]["email"] == email
    # The acknowledgement returned the alert: a read of Ada's check-in data, logged for her.
    logged = api.store.run(
        "MATCH (n:AccessLog {person_id: $id}) WHERE 'alerts' IN n.fields RETURN count(n) AS n",
        {"id": ada.id},
    )
    assert logged[0]["n"] == 2  # the list, then the acknowledgement

    # Open alerts only, by default; with includeAcknowledged, the dealt-with one as it was.
    assert _alerts(api, worker, ada) == []
    assert _alerts(api, worker, ada, everything=True) == [done["alert"]]
    # A coordinator of the organisation sees who dealt with it too.
    coordinator = world.user("coordinator")[1]
    assert _alerts(api, coordinator, ada, everything=True) == [done["alert"]]


def test_only_the_first_acknowledgement_counts_and_says_who_and_when(
    api: Api, world: World
) -> None:
    ben = world.person("Ben")
    grant(world, ben, organization_id=world.organization_id)
    first_id, first_email, first = _link_worker(world)
    second = _link_worker(world)[2]
    alert_id = _lonely_check_in(world, ben)
    done = _acknowledge(api, first, alert_id, NOTE)
    assert done["__typename"] == "AlertAcknowledged"
    stored = _stored(api, alert_id)

    again = _acknowledge(api, second, alert_id, "I rang him too")
    assert again["__typename"] == "AlertAlreadyAcknowledged"
    when = datetime.fromisoformat(done["alert"]["acknowledgedAt"])
    assert again["message"] == (
        f"Link worker at Befriending {world.tag} ({first_email}) dealt with this alert on "
        f"{when:%-d %b %Y at %H:%M} UTC."
    )
    assert again["alert"]["acknowledgedBy"] == done["alert"]["acknowledgedBy"]
    assert again["alert"]["note"] == NOTE
    mine = _acknowledge(api, first, alert_id)
    assert mine["__typename"] == "AlertAlreadyAcknowledged"
    assert mine["message"].startswith("You dealt with this alert on ")
    assert _stored(api, alert_id) == stored  # neither changed anything
    assert stored["by"] == first_id


def test_an_alert_the_caller_may_not_see_is_not_found_like_an_unknown_one(
    api: Api, world: World
) -> None:
    elsewhere = World(api)  # another organisation, with its own person and link worker
    cara = elsewhere.person("Cara")
    grant(elsewhere, cara, organization_id=elsewhere.organization_id)
    their_alert = _lonely_check_in(elsewhere, cara)
    dan = world.person("Dan")
    grant(world, dan, organization_id=world.organization_id)
    _, _, worker = _link_worker(world)
    eve = world.person("Eve")  # consent to see her needs, not her check-ins
    grant(world, eve, organization_id=world.organization_id, scopes=("needs",))
    no_checkins_consent = _lonely_check_in(world, eve)

    answers = [
        _acknowledge(api, worker, alert_id, NOTE)
        for alert_id in (their_alert, "alert-0000000000000000", no_checkins_consent)
    ]
    assert (
        answers
        == [
            {
                "__typename": "AlertNotFound",
                "message": "There is no such alert about the people you support.",
            }
        ]
        * 3
    )
    assert _stored(api, their_alert)["at"] is None
    assert _stored(api, no_checkins_consent)["at"] is None
    # Their own link worker can.
    theirs = _link_worker(elsewhere)[2]
    assert _acknowledge(api, theirs, their_alert)["__typename"] == "AlertAcknowledged"

    # Not staff at all: an error, not a typed answer. A malformed id names the field.
    person = world.user("person", person_id=dan.id)[1]
    body = api.gql(ACKNOWLEDGE, {"id": their_alert}, token=person)
    assert body["errors"][0]["message"].startswith("Not allowed")
    body = api.gql(ACKNOWLEDGE, {"id": "alert'}) DETACH DELETE a //"}, token=worker)
    assert body["errors"][0]["message"].startswith("alertId: expected an id")


def test_a_note_too_long_is_an_error_naming_note_and_writes_nothing(api: Api, world: World) -> None:
    fay = world.person("Fay")
    grant(world, fay, organization_id=world.organization_id)
    _, _, worker = _link_worker(world)
    alert_id = _lonely_check_in(world, fay)
    body = api.gql(ACKNOWLEDGE, {"id": alert_id, "note": "x" * 501}, token=worker)
    assert body["data"] is None
    assert body["errors"][0]["message"] == "note: expected at most 500 characters, got 501"
    assert _stored(api, alert_id) == {"at": None, "by": None, "role": None, "note": None}
    assert [a["id"] for a in _alerts(api, worker, fay)] == [alert_id]
    # 500 characters after trimming is fine.
    done = _acknowledge(api, worker, alert_id, f" {'x' * 500}\n")
    assert done["__typename"] == "AlertAcknowledged" and done["alert"]["note"] == "x" * 500


def test_dealing_with_the_newest_alert_closes_earlier_ones_and_a_later_check_in_reopens(
    api: Api, world: World
) -> None:
    gus = world.person("Gus")
    grant(world, gus, organization_id=world.organization_id)
    _, _, worker = _link_worker(world)
    now = utc_now()
    oldest, older, newest = (
        _lonely_check_in(world, gus, now - timedelta(days=days)) for days in (9, 6, 3)
    )
    assert [a["id"] for a in _alerts(api, worker, gus)] == [newest, older, oldest]

    # The older one alone: the oldest goes with it, the newest stays open.
    done = _acknowledge(api, worker, older, "visited on Tuesday")
    assert done["earlierAlerts"] == 1
    assert [a["id"] for a in _alerts(api, worker, gus)] == [newest]
    assert _stored(api, oldest)["note"] == "visited on Tuesday"
    done = _acknowledge(api, worker, newest, NOTE)
    assert done["earlierAlerts"] == 0
    blank = _acknowledge(api, worker, newest, "   ")  # no note (and too late anyway)
    assert blank["__typename"] == "AlertAlreadyAcknowledged"
    assert _alerts(api, worker, gus) == []

    # A later check-in raises a new alert: open, although the earlier ones were dealt with.
    latest = _lonely_check_in(world, gus)
    [listed] = _alerts(api, worker, gus)
    assert listed["id"] == latest and listed["acknowledgedAt"] is None
    everything = _alerts(api, worker, gus, everything=True)
    assert [(a["id"], a["note"]) for a in everything] == [
        (latest, None),
        (newest, NOTE),
        (older, "visited on Tuesday"),
        (oldest, "visited on Tuesday"),
    ]
