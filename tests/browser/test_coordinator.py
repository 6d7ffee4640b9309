"""A coordinator in the browser: runs the week's rota on a seeded borough, sees coverage, the
gap to the bound and every uncovered visit with its reasons, publishes, looks at a circle."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from seed.borough import Borough, generate_borough
from seed.load import load_borough
from tests.browser.conftest import DESKTOP, snap
from tests.service.conftest import Api, World, next_monday

pytestmark = pytest.mark.browser

RUNS = """
query($week: String!) {
  rotaRuns(week: $week) {
    id status metrics { visitsTotal visitsCovered needWeightedUpperBound }
    assignments { visitId volunteerId } gaps { visitId reasons }
  }
}
"""
PERSON = "query($id: ID!) { person(id: $id) { firstName lastName circle { firstName } } }"
STATES = "query($week: String!) { rotaRuns(week: $week) { id state error progress } }"


@pytest.fixture(scope="module")
def borough(web_api: Api) -> Borough:
    tiny = generate_borough("tiny", 0, week_start=next_monday())
    load_borough(store=web_api.store, borough=tiny)
    return tiny


def test_coordinator_runs_checks_and_publishes_the_weeks_rota(
    web_api: Api, borough: Borough, signed_in: Callable[..., Page]
) -> None:
    world = World(web_api)
    _, coordinator = world.user("coordinator", organization_id=borough.coordinating_organization.id)
    year, number, _ = next_monday().isocalendar()
    week = f"{year}-W{number:02d}"
    page = signed_in(coordinator, DESKTOP)
    page.goto(f"/coordinator?week={week}")
    expect(page.locator("#run-status")).to_have_text(f"No rota has been run for {week} yet.")
    expect(page.get_by_label("Week", exact=True)).to_have_value(week)

    limit = page.get_by_label("Time to spend solving (seconds)")
    limit.fill("0")
    page.get_by_role("button", name="Run the rota").click()
    expect(page.locator("#time-limit-error")).to_have_text("Give a time between 1 and 120 seconds.")
    expect(limit).to_be_focused()

    limit.fill("1")
    page.get_by_role("button", name="Run the rota").click()
    expect(page.locator("#progress")).to_be_visible()
    expect(page.locator("#progress-text")).to_contain_text(f"Solving the rota for {week}")
    snap(page, "coordinator-running")
    expect(page.locator("#run-status")).to_contain_text("Done in", timeout=60_000)
    expect(page.locator("#progress")).to_be_hidden()

    [run] = web_api.data(RUNS, {"week": week}, token=coordinator)["rotaRuns"]
    metrics = run["metrics"]
    expect(page.locator("#coverage")).to_contain_text(
        f"{metrics['visitsCovered']} of {metrics['visitsTotal']} visits"
    )
    expect(page.locator("#gap")).to_contain_text(re.compile(r"\d+\.\d points"))
    expect(page.locator("#gap")).to_contain_text(
        f"no rota can cover more than {metrics['needWeightedUpperBound'] * 100:.1f}%"
    )
    expect(page.locator("#continuity")).to_contain_text("%")
    expect(page.locator("#run-line")).to_contain_text("Draft")
    assert run["gaps"], "the tiny borough leaves some visits uncovered"
    expect(page.locator("#gaps-title")).to_have_text(f"Uncovered visits ({len(run['gaps'])})")
    rows = page.locator("#gaps tbody tr")
    expect(rows).to_have_count(len(run["gaps"]))
    for gap in run["gaps"]:
        reasons = page.locator(f"#gaps tr[data-visit-id='{gap['visitId']}'] li")
        expect(reasons).to_have_text(gap["reasons"])
    snap(page, "coordinator-draft")

    expect(page.locator("#live-line")).to_have_text(f"Nothing is published for {week} yet.")
    page.get_by_role("button", name="Publish to volunteers").click()
    expect(page.locator("#publish-question")).to_have_text(
        f"Publish this rota for {week}? Volunteers will see their proposed visits and be told."
    )
    expect(page.locator("#publish-changes li")).to_have_count(
        len({a["volunteerId"] for a in run["assignments"]})
    )
    page.get_by_role("button", name="Yes, publish").click()
    expect(page.locator("#publish-status")).to_have_text(
        f"Published: {len(run['assignments'])} visits proposed to volunteers. "
        "Uncovered visits are open for volunteers to claim."
    )
    expect(page.locator("#run-line")).to_contain_text("Published")
    expect(page.get_by_role("button", name="Publish to volunteers")).to_be_hidden()
    assert web_api.data(RUNS, {"week": week}, token=coordinator)["rotaRuns"][0]["status"] == (
        "published"
    )
    expect(page.locator("#live-line")).to_contain_text(f"This is the live rota for {week}")

    # Running the week again: the new draft warns that the week is published, names the live
    # run, and publishing it replaces that run (never two published).
    page.get_by_role("button", name="Run the rota").click()
    expect(page.locator("#run-status")).to_contain_text("Done in", timeout=60_000)
    expect(page.locator("#live-line")).to_contain_text(
        f"The live rota for {week} is run {run['id']}"
    )
    page.get_by_role("button", name="Publish instead of the live rota").click()
    expect(page.locator("#publish-question")).to_contain_text(
        f"{week} is already published (run {run['id']}"
    )
    page.get_by_role("button", name="Yes, publish").click()
    expect(page.locator("#publish-status")).to_contain_text("Published:")
    states = sorted(
        r["state"] for r in web_api.data(STATES, {"week": week}, token=coordinator)["rotaRuns"]
    )
    assert states == ["PUBLISHED", "SUPERSEDED"]

    member = borough.members[0]
    person_id = next(c.person_id for c in borough.circles if c.id == member.circle_id)
    person = web_api.data(PERSON, {"id": person_id}, token=coordinator)["person"]
    # Moving through the list opens nobody (and logs no read); asking does.
    picker = page.get_by_label("Person", exact=True)
    logged = "MATCH (n:AccessLog {person_id: $id}) RETURN count(n) AS n"
    before = web_api.store.run(logged, {"id": person_id})[0]["n"]
    picker.select_option(person_id)
    picker.press("ArrowDown")
    picker.press("ArrowUp")
    expect(page.locator("#circle h3")).to_have_count(0)
    assert web_api.store.run(logged, {"id": person_id})[0]["n"] == before
    page.get_by_role("button", name="Show their circle").click()
    expect(page.locator("#circle h3")).to_have_text(f"{person['firstName']} {person['lastName']}")
    expect(page.locator("#circle ol li")).to_have_count(len(person["circle"]))
    snap(page, "coordinator-published")


def test_coordinator_follows_a_run_and_cancels_it(
    web_api: Api, borough: Borough, signed_in: Callable[..., Page]
) -> None:
    """The page polls a run the server solves, showing what the solver says, with a Cancel
    button that stops it (a week of its own, so the other test's week has one run). The demo
    borough is loaded over the tiny one first: the tiny week's half for one organisation is
    solved to optimality in about a second, before a click could reach Cancel; the demo's takes
    the whole time limit."""
    load_borough(store=web_api.store, borough=generate_borough("demo", 0, week_start=next_monday()))
    world = World(web_api)
    _, coordinator = world.user("coordinator", organization_id=borough.coordinating_organization.id)
    year, number, _ = (next_monday() + timedelta(weeks=1)).isocalendar()
    week = f"{year}-W{number:02d}"
    page = signed_in(coordinator, DESKTOP)
    page.goto(f"/coordinator?week={week}")
    expect(page.locator("#run-status")).to_have_text(f"No rota has been run for {week} yet.")

    page.get_by_label("Time to spend solving (seconds)").fill("120")
    page.get_by_role("button", name="Run the rota").click()
    expect(page.locator("#progress-text")).to_contain_text(f"Solving the rota for {week}")
    expect(page.get_by_role("button", name="Run the rota")).to_be_disabled()
    expect(page.locator("#progress-text")).to_contain_text("(up to about 120 s)")  # running
    snap(page, "coordinator-solving")
    page.get_by_role("button", name="Cancel the run").click()
    expect(page.locator("#run-status")).to_have_text(
        f"Stopped: cancelled by a coordinator. No rota was made for {week}."
    )
    expect(page.locator("#progress")).to_be_hidden()
    expect(page.get_by_role("button", name="Run the rota")).to_be_enabled()
    [run] = web_api.data(STATES, {"week": week}, token=coordinator)["rotaRuns"]
    assert run["state"] == "CANCELLED" and run["error"] == "cancelled by a coordinator"
    assert run["progress"] is None
