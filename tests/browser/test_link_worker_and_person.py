"""The link worker and the person in the browser, on the API around a person's record.

A link worker with the person's consent in force sees their circle, the loneliness trend chart,
suggestions with reasons; refers and records how it turned out; records a check-in (a typed bad
answer is shown next to its question and writes nothing), which joins the trend and, in the
loneliest band, raises an alert; says, with a note, that they have dealt with it, and it leaves
the list for the dealt-with list. The person sees their circle, what is held, the link worker's
read in "who looked", downloads their data and withdraws consent, after which the link worker's
page says there is no consent for check-ins. Consent grants and earlier check-ins are made
through the same use-case functions the API calls.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from graph.models import CareCircle, Interest, Knows, MemberOf, Person, Service, utc_now
from graph.repo.users import get_user, get_user_by_email
from service.accounts.users import to_current
from service.consent import policy
from service.context import CurrentUser
from service.wellbeing import checkins
from tests.browser.conftest import DESKTOP, snap
from tests.browser.test_accessibility import assert_plain_words
from tests.service.conftest import World
from tests.world import save, saved

pytestmark = pytest.mark.browser


def _circle_of(world: World, person: Person, *members: tuple[str, datetime]) -> None:
    circle = CareCircle(id=f"circle-{uuid.uuid4().hex[:8]}", person_id=person.id)
    save(
        world.api.store,
        circle,
        *(
            MemberOf(volunteer_id=world.volunteer(name).id, circle_id=circle.id, since=since)
            for name, since in members
        ),
    )


def _link_worker(world: World) -> tuple[str, str]:
    """A link worker of the world's organisation: (user id, token)."""
    email, token = world.user("link_worker")
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    return user.id, token


def _current(world: World, user_id: str) -> CurrentUser:
    found = get_user(store=world.api.store, user_id=user_id)
    assert found is not None
    return to_current(found)


def _grant(world: World, person: Person, user_id: str, *scopes: str, purpose: str) -> str:
    return policy.make_grant(
        store=world.api.store,
        person_id=person.id,
        grantee_user_id=user_id,
        grantee_organization_id=None,
        purpose=purpose,
        scopes=list(scopes),
        expires_at=utc_now() + timedelta(days=90),
    ).id


def _check_ins_of(world: World, person: Person) -> list[list[int]]:
    rows = world.api.store.run(
        "MATCH (:Person {id: $id})-[:REPORTED]->(c:CheckIn) RETURN c.answers AS a ORDER BY c.at",
        {"id": person.id},
    )
    return [list(r["a"]) for r in rows]


def test_link_worker_sees_trend_and_suggestions_refers_and_records_a_check_in(
    world: World, signed_in: Callable[..., Page]
) -> None:
    store = world.api.store
    gardening = saved(store, Interest(id=f"gardening-{world.tag}", name="gardening"))
    garden, chess = (
        saved(
            store,
            Service(
                id=f"svc-{name}-{world.tag}",
                name=f"{name.title()} club {world.tag}",
                category=f"{name}_club",
                lat=51.551,
                lon=-0.061,
                area_id=world.area_id,
                interests=[gardening.id] if name == "garden" else [],
            ),
        )
        for name in ("garden", "chess")
    )
    rosalind = world.person("Rosalind", last_name="Okafor", interests=[gardening.id])
    rosemary = world.person("Rosemary", last_name="Quinn")
    harold = world.person("Harold", last_name="Bates")
    _circle_of(
        world,
        rosalind,
        ("Priya", datetime(2026, 3, 2, tzinfo=UTC)),
        ("Tom", datetime(2025, 10, 14, tzinfo=UTC)),
    )
    worker_id, worker = _link_worker(world)
    _grant(world, rosalind, worker_id, "checkins", "needs", purpose="finding local groups")
    for days_ago, answer in ((21, 4), (7, 5)):  # hardly ever, then never lonely: no alert
        checkins.record_check_in(
            store=store,
            person_id=rosalind.id,
            scale="ONS1",
            answers=[answer],
            recorded_by=worker_id,
            at=utc_now() - timedelta(days=days_ago),
        )

    page = signed_in(worker, DESKTOP)
    page.goto("/link-worker")
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    # Opening the page reads nobody's record: the list is read once the link worker types.
    logged = "MATCH (n:AccessLog {person_id: $id}) RETURN count(n) AS n"
    assert store.run(logged, {"id": rosemary.id})[0]["n"] == 0
    name = page.get_by_label("Name", exact=True)
    name.fill("ros")
    expect(page.locator("#matches li")).to_have_count(2)
    name.fill("ros oka")
    expect(page.locator("#matches li")).to_have_count(1)
    # The search runs in the graph: only people whose names match were read (and logged).
    assert store.run(logged, {"id": rosemary.id})[0]["n"] == 1
    assert store.run(logged, {"id": harold.id})[0]["n"] == 0
    page.get_by_role("button", name="Rosalind Okafor").click()
    expect(page.locator("#person-title")).to_have_text("Rosalind Okafor")
    expect(page.locator("#person-section")).to_be_focused()
    # Each person at an address of their own; who they are beside the suggestions.
    expect(page).to_have_url(re.compile(rf"/link-worker/people/{rosalind.id}$"))
    expect(page).to_have_title("Rosalind Okafor · CareCircles")
    about = page.locator("#about")
    expect(about.locator(".fact").filter(has_text="Interests")).to_contain_text("gardening")
    expect(page.locator("#person-line")).to_contain_text(f"Ward {world.tag}")
    expect(page.locator("#person-circle li")).to_have_text(
        ["Tom · since 14 Oct 2025", "Priya · since 2 Mar 2026"]
    )

    # The trend: two check-ins, getting better.
    chart = page.get_by_role("img", name="Loneliness over time for Rosalind")
    expect(chart.locator("circle.dot")).to_have_count(2)
    expect(page.locator("#trend figcaption")).to_contain_text("2 check-ins")
    expect(page.locator("#trend figcaption")).to_contain_text(
        "At the last check-in Rosalind felt less lonely than the time before: rarely lonely."
    )
    # The chart has its scale, in words.
    expect(chart.locator("text")).to_contain_text(
        ["often lonely", "sometimes lonely", "rarely lonely"]
    )

    # Suggestions, best first, with reasons from the graph.
    first = page.locator("#suggestions > li").first
    expect(first.get_by_role("heading", level=4)).to_have_text(garden.name)
    expect(first.get_by_role("list", name=f"Why {garden.name}")).to_contain_text("gardening")
    expect(first.locator(".rank")).to_have_text(
        re.compile("^First: the most closely tied to them, through their interest")
    )
    expect(page.locator(f"#suggestions > li[data-service-id='{chess.id}'] .rank")).to_have_text(
        re.compile(f"^Below {garden.name}: ")
    )
    expect(page.locator(f"#suggestions > li[data-service-id='{chess.id}']")).to_be_visible()
    snap(page, "link-worker")

    # Refer to the garden club; after a reload the referral is still listed, and the link worker
    # records that Rosalind went.
    expect(page.locator("#referrals-status")).to_have_text(re.compile("^No referrals for Rosalind"))
    first.get_by_label("Note for the referral (optional)").fill("Call her on Monday")
    first.get_by_role("button", name=f"Refer Rosalind to {garden.name}").click()
    expect(first.locator(".message")).to_contain_text(f"Referred Rosalind to {garden.name}.")
    referral = page.locator("#referrals > li")
    expect(referral).to_have_count(1)
    expect(referral.locator("strong")).to_have_text(garden.name)
    expect(first.locator(".message")).to_be_focused()  # focus stays where the link worker acted
    page.reload()  # the person's address opens the person again
    expect(page.locator("#person-title")).to_have_text("Rosalind Okafor")
    expect(referral).to_have_count(1)
    expect(referral.locator("strong")).to_have_text(garden.name)
    expect(referral.locator(".badge")).to_have_text("Referred")
    expect(referral.locator(".note")).to_have_text("Note: Call her on Monday")
    expect(page.locator("#referrals-status")).to_be_hidden()
    expect(page.locator(f"#suggestions > li[data-service-id='{garden.id}']")).to_have_count(0)
    referral.get_by_label("Attended").check()
    referral.get_by_role("button", name="Save the outcome").click()
    expect(referral.locator(".badge")).to_have_text("Attended")
    stored = store.run(
        "MATCH (r:Referral)-[:FOR]->(:Person {id: $id}) RETURN r.status AS s, r.note AS n",
        {"id": rosalind.id},
    )
    assert [(r["s"], r["n"]) for r in stored] == [("attended", "Call her on Monday")]

    # A check-in: an answer the API rejects is shown next to its question and writes nothing.
    form = page.locator("#check-in")
    form.get_by_text("Record a check-in with Rosalind").click()
    form.get_by_label("Questions").select_option("UCLA3")
    questions = form.locator("fieldset")
    expect(questions).to_have_count(3)
    # Nothing chosen: every question says so at once.
    form.get_by_role("button", name="Record the check-in").click()
    expect(questions.locator(".field-error")).to_have_text(
        ["Choose an answer to this question."] * 3
    )
    for question in questions.all():
        question.get_by_label("Often").check()
    # An out-of-date page offering an option the scale does not have.
    questions.nth(1).get_by_label("Often").evaluate("radio => { radio.value = '4'; }")
    form.get_by_role("button", name="Record the check-in").click()
    expect(questions.nth(1).locator(".field-error")).to_have_text(
        "answers[1]: expected 1..3 (hardly ever, some of the time, often), got 4"
    )
    expect(questions.nth(0).locator(".field-error")).to_be_hidden()
    assert _check_ins_of(world, rosalind) == [[4], [5]]

    # Often or always lonely: the loneliest band. It joins the trend and raises an alert.
    form.get_by_label("Questions").select_option("ONS1")
    form.get_by_label("Often or always").check()
    form.get_by_role("button", name="Record the check-in").click()
    expect(page.locator("#lw-check-in-message")).to_contain_text("It raised an alert")
    expect(chart.locator("circle.dot")).to_have_count(3)
    expect(page.locator("#trend figcaption")).to_contain_text("3 check-ins")
    expect(page.locator("#trend figcaption")).to_contain_text("felt lonelier than the time before")
    expect(page.locator("#trend-status")).to_contain_text("often lonely")
    alert = page.locator(f"#alerts > li[data-person-id='{rosalind.id}']")
    expect(alert).to_contain_text("Rosalind")
    expect(alert.locator(".reasons li").first).to_have_text(
        "Rosalind said they feel lonely often or always."
    )
    assert _check_ins_of(world, rosalind) == [[4], [5], [1]]
    # Another: the alerts list still has one item for Rosalind, her newest, and counts the rest.
    form.get_by_label("Often or always").check()
    form.get_by_role("button", name="Record the check-in").click()
    expect(chart.locator("circle.dot")).to_have_count(4)
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("and 1 earlier alert")
    snap(page, "link-worker-after-check-in")

    # Back to the list (and its address); the link worker deals with it, from the keyboard: the
    # note field opens and takes the focus; Escape closes it again; confirming takes Rosalind off
    # the list, said in words.
    page.get_by_role("link", name="Back to alerts and finding a person").click()
    expect(page).to_have_url(re.compile(r"/link-worker$"))
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    deal = alert.get_by_role("button", name="I've dealt with this: Rosalind")
    deal.focus()
    page.keyboard.press("Enter")
    note = alert.get_by_label("What did you do? (optional)")
    expect(note).to_be_focused()
    expect(alert.get_by_text("This covers Rosalind's earlier alert too.")).to_be_visible()
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(deal).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("Phoned Rosalind, arranged a lunch club visit")
    alert.get_by_role("button", name="Confirm: dealt with").click()
    expect(page.locator("#alerts-message")).to_have_text(
        re.compile("^Dealt with: Rosalind's alert and the earlier one. It has left the list")
    )
    expect(alert).to_have_count(0)
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    expect(page.locator("#alerts-title")).to_be_focused()
    acknowledged = store.run(
        "MATCH (a:Alert)-[:ABOUT]->(:Person {id: $id}) "
        "RETURN a.acknowledged_by AS by, a.acknowledgement_note AS note",
        {"id": rosalind.id},
    )
    assert [(r["by"], r["note"]) for r in acknowledged] == [
        (worker_id, "Phoned Rosalind, arranged a lunch club visit")
    ] * 2
    # Still there after a reload, listed with who, when and the note among those dealt with.
    page.reload()
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    page.get_by_label("Show dealt-with alerts").check()
    done = page.locator(f"#alerts-done > li[data-person-id='{rosalind.id}']")
    expect(done).to_have_count(2)
    expect(done.locator(".dealt")).to_have_text([re.compile(r"^Dealt with .+ by you$")] * 2)
    expect(done.locator(".note")).to_have_text(
        ["Note: Phoned Rosalind, arranged a lunch club visit"] * 2
    )
    snap(page, "link-worker-dealt-with")


# Every field of Person as a link worker may ask for it; which come back non-null says what they
# can read of the person now.
PERSON_AS_STAFF = """
query($id: ID!) {
  person(id: $id) {
    firstName lastName area visitsPerWeek visitMinutes visitWindows { day } circle { firstName }
    address phone need needTrend languages interests accessNeeds ties { kind }
    checkIns { id } visitNotes { note }
  }
}
"""
# The API's field names and the access log's (what myData.seenWithoutConsent lists).
API_FIELD = {
    "firstName": "first_name",
    "lastName": "last_name",
    "area": "area",
    "visitsPerWeek": "visits_per_week",
    "visitMinutes": "visit_minutes",
    "visitWindows": "visit_windows",
    "circle": "circle",
    "address": "address",
    "phone": "phone",
    "need": "need",
    "needTrend": "need_trend",
    "languages": "languages",
    "interests": "interests",
    "accessNeeds": "access_needs",
    "ties": "ties",
    "checkIns": "check_ins",
    "visitNotes": "visit_notes",
}


def _readable(world: World, token: str, person: Person) -> set[str]:
    """The parts of the person's record the holder of ``token`` reads through the API now."""
    found = world.api.data(PERSON_AS_STAFF, {"id": person.id}, token=token)["person"]
    return {API_FIELD[name] for name, value in found.items() if value is not None}


def test_person_sees_who_looked_downloads_and_withdraws_consent(
    world: World, signed_in: Callable[..., Page]
) -> None:
    store = world.api.store
    pets = saved(store, Interest(id=f"pets-{world.tag}", name="Pets"))
    ada = world.person(
        "Ada", last_name="Mensah", languages=["pl", "en"], interests=[pets.id], need=0.8
    )
    daughter = world.person("Efua", last_name="Mensah")
    save(store, Knows(from_id=daughter.id, to_id=ada.id, kind="family", strength=0.9))
    lunch = saved(
        store,
        Service(
            id=f"svc-lunch-{world.tag}",
            name=f"Lunch club {world.tag}",
            category="lunch_club",
            lat=51.551,
            lon=-0.061,
            area_id=world.area_id,
        ),
    )
    _circle_of(world, ada, ("Priya", datetime(2026, 3, 2, tzinfo=UTC)))
    visit = world.visit(ada)  # next Tuesday, nobody on it yet
    worker_id, worker = _link_worker(world)
    # Ada gave her consent by phone; her link worker (of an organisation that supports her)
    # records it, marked as recorded by them.
    staff = _current(world, worker_id)
    policy.grant_access(
        store=world.api.store,
        user=staff,
        access=policy.access_to_person(store=world.api.store, user=staff, person_id=ada.id),
        grantee_user_id=worker_id,
        grantee_organization_id=None,
        purpose="support after a hospital stay",
        scopes=["checkins", "needs"],
        expires_at=None,
        given_how="by phone",
    )
    world.api.data(
        "mutation($p: ID!, $s: ID!, $n: String) { referToService(personId: $p, serviceId: $s,"
        " note: $n) { referral { id } } }",
        {"p": ada.id, "s": lunch.id, "n": "her daughter can drive her on Thursdays"},
        token=worker,
    )

    # The link worker looks at Ada (logged reads: arranging visits, her needs, her check-ins).
    lw_page = signed_in(worker, DESKTOP)
    lw_page.goto(f"/link-worker/people/{ada.id}")
    expect(lw_page.locator("#person-title")).to_have_text("Ada Mensah")
    expect(lw_page.locator("#trend-status")).to_have_text("No check-ins with Ada yet.")
    expect(lw_page.locator("#about")).to_contain_text("Polish and English")
    expect(lw_page.locator("#about")).to_contain_text("Efua (family)")
    # Later Ada says she often feels lonely; her link worker deals with the alert, with a note.
    recorded = checkins.record_check_in(
        store=store, person_id=ada.id, scale="ONS1", answers=[1], recorded_by=worker_id
    )
    assert isinstance(recorded, checkins.Recorded) and recorded.alert_reasons
    [alert] = checkins.alerts_for(store=store, user=_current(world, worker_id))
    checkins.acknowledge_alert(
        store=store,
        user=_current(world, worker_id),
        alert_id=alert.id,
        note="phoned Ada, lunch club on Thursday",
    )

    _, token = world.user("person", person_id=ada.id)
    page = signed_in(token)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada")
    expect(page.locator("#summary")).to_contain_text(
        "You have one visit coming: 1 where we are still finding someone."
    )
    expect(page.locator("#circle li")).to_have_text(
        ["Priya has been visiting you since 2 Mar 2026."]
    )
    coming = page.locator(f"#visits > li[data-visit-id='{visit.id}']")
    expect(coming).to_contain_text("Tuesday")
    expect(coming).to_contain_text("We are still finding someone for this visit.")
    # What is held: everything the download holds, in words (languages by name, the tie, the
    # referral's note, the check-in and its alert), no codes and no 0..1 numbers.
    held = page.locator("#held")
    expect(held).to_contain_text("Ada Mensah")
    expect(held).to_contain_text("E8 1AB")
    expect(held.locator(".fact").filter(has_text="Languages")).to_contain_text("Polish and English")
    expect(held.locator(".fact").filter(has_text="Interests")).to_contain_text("Pets")
    expect(held.locator(".fact").filter(has_text="People who know you")).to_contain_text(
        "Efua (family)"
    )
    expect(held.locator(".fact").filter(has_text="referred to")).to_contain_text(
        "“her daughter can drive her on Thursdays”"
    )
    expect(
        held.locator(".fact").filter(has=page.locator("dt", has_text=re.compile("^Check-ins$")))
    ).to_contain_text("you answered the one loneliness question; you said you felt often lonely")
    held_alert = held.locator(".fact").filter(
        has=page.locator("dt", has_text=re.compile("^Alerts"))
    )
    expect(held_alert).to_contain_text("Ada said they feel lonely often or always.")
    expect(held_alert).to_contain_text("Your link worker (link worker at")
    expect(held_alert).to_contain_text("“phoned Ada, lunch club on Thursday”")
    assert_plain_words(page, "the person's page", person_page=True)
    # Who looked: one item per person and day (everything they saw, why, how often), with a
    # summary first; the raw log holds one entry per read.
    expect(page.locator("#log-summary")).to_contain_text("One person has looked at your record")
    looked = page.locator("#access-log > li")
    expect(looked).to_have_count(1)
    actor = re.compile(rf"^link worker at Befriending {world.tag} \(link_worker-\w+@example\.org\)")
    expect(looked.locator(".who")).to_have_text(actor)
    expect(looked.locator(".what")).to_contain_text("check-ins")
    expect(looked.locator(".what")).to_contain_text("languages")
    expect(looked.locator(".what")).to_contain_text(re.compile(r"\(\d+ looks that day\)"))
    expect(looked.locator(".why")).to_contain_text("for “support after a hospital stay”")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download everything we hold (JSON file)").click()
    download = downloading.value
    assert download.suggested_filename == "my-carecircles-record.json"
    exported = json.loads(Path(download.path()).read_text())
    assert "Mensah" in json.dumps(exported)
    assert [t["first_name"] for t in exported["known_by"]] == ["Efua"]
    assert exported["referrals"][0]["note"] == "her daughter can drive her on Thursdays"
    snap(page, "person")

    # Before withdrawing, what the page says staff see without consent is what they read with
    # no consent at all (the parts named in myData.seenWithoutConsent, from the policy).
    without = page.locator("#without-consent-text")
    expect(without).to_contain_text("Without your consent, coordinators and link workers")
    seen = world.api.data("{ myData { seenWithoutConsent } }", token=token)["myData"]
    staff_without_consent = set(seen["seenWithoutConsent"])
    _, coordinator = world.user("coordinator")
    assert _readable(world, coordinator, ada) == staff_without_consent
    expect(without).to_contain_text(
        "your first name, last name, area, how often you are visited, how long visits last, "
        "times that suit you and who visits you, and your visits, so that your visits can be "
        "arranged"
    )
    assert _readable(world, worker, ada) > staff_without_consent  # the consent adds to it

    # Withdraw consent: asked first, then done; focus stays with what was said.
    grant = page.locator("#grants > li")
    expect(grant).to_have_count(1)
    expect(grant).to_contain_text("support after a hospital stay")
    expect(grant).to_contain_text("Recorded for you by link worker at")
    expect(grant).to_contain_text("as you gave it by phone")
    grant.get_by_role("button", name=re.compile("^Withdraw consent from link worker")).click()
    expect(grant.get_by_role("group")).to_contain_text(
        "will no longer see your check-ins (how lonely you have said you feel) and your needs"
    )
    grant.get_by_role("button", name="No, keep it").click()
    expect(grant.get_by_role("group")).to_have_count(0)
    expect(grant.get_by_role("button", name=re.compile("^Withdraw consent from"))).to_be_focused()
    grant.get_by_role("button", name=re.compile("^Withdraw consent from")).click()
    grant.get_by_role("button", name="Yes, withdraw it").click()
    ended = page.locator("#ended > li")
    expect(ended).to_have_count(1)
    said = ended.locator(".message")
    expect(said).to_contain_text("can no longer see your check-ins")
    expect(said).to_contain_text("Without your consent, coordinators and link workers")
    expect(said).to_be_focused()
    expect(page.locator("#grants > li")).to_have_count(0)
    expect(ended).to_contain_text("You withdrew it on")
    expect(page.locator("#summary")).to_contain_text(
        "You have not let anyone see more of your record than it takes to arrange your visits."
    )
    snap(page, "person-withdrawn")

    # What the page says staff still see is exactly what the link worker now reads.
    assert _readable(world, worker, ada) == staff_without_consent
    page.reload()
    expect(page.locator("#without-consent-text")).to_contain_text(
        "still see your first name, last name, area"
    )
    expect(page.locator("#consent-status")).to_have_text(
        "You have not let anyone see more of your record."
    )
    expect(page.locator("#summary")).to_contain_text(
        "You have not let anyone see more of your record than it takes to arrange your visits."
    )

    lw_page.reload()
    expect(lw_page.locator("#trend-status")).to_have_text(
        "Ada has not given you consent to see their check-ins."
    )
    expect(lw_page.locator("#about-status")).to_contain_text("has not given you consent")
    expect(lw_page.locator("#check-in")).to_be_hidden()
    expect(lw_page.locator("#suggestions-status")).to_contain_text("no suggestions")
    expect(lw_page.locator("#referrals-status")).to_contain_text("referrals are not shown")

    # Consent can be given again, as it was; the link worker reads her needs again.
    page.locator("#ended > li").get_by_role("button", name="Give consent again").click()
    expect(page.locator("#grants > li")).to_have_count(1)
    expect(page.locator("#consent-status")).to_contain_text("Given again")
    expect(page.locator("#ended > li")).to_have_count(0)
    assert _readable(world, worker, ada) > staff_without_consent


def test_the_search_waits_until_the_page_can_hear_it(
    world: World, signed_in: Callable[..., Page]
) -> None:
    """Typing before the page's script is listening used to be lost (the sign-in check is awaited
    first): the search field stays disabled until then, so nothing typed goes nowhere."""
    world.person("Wilhelmina", last_name="Osei")
    _, worker = _link_worker(world)
    page = signed_in(worker, DESKTOP)
    held: list[Route] = []
    page.route(
        "**/graphql",
        lambda route: (
            held.append(route) if "me {" in (route.request.post_data or "") else route.continue_()
        ),
    )
    with page.expect_request(lambda request: "me {" in (request.post_data or "")):
        page.goto("/link-worker", wait_until="domcontentloaded")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_disabled()  # the sign-in check has not answered yet
    for _ in range(100):  # each round trip lets Playwright hand the request to the route
        if held:
            break
        page.evaluate("0")
    assert held, "the page asks who is signed in first"
    held.pop().continue_()
    name.fill("wilhelmina")  # waits until the field is enabled
    page.get_by_role("button", name="Wilhelmina Osei").click()
    expect(page.get_by_role("heading", name=re.compile("Wilhelmina"))).to_be_visible()
