"""What-if on the coordinator's page in Chromium: the heat map of where one more volunteer would
help (a real table, the number in each cell, the colour repeating it) and a scenario shown beside
the week; axe-core finds nothing on a desktop and on a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, snap
from tests.service.conftest import Api, World
from tests.service.test_whatif import VISITS, _week, _week_with_a_gap_area

pytestmark = pytest.mark.browser


def test_the_heat_map_and_a_scenario_beside_the_week(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    coordinator, _, north, _ = _week_with_a_gap_area(web_api, world)
    week = _week()
    before = web_api.data(VISITS, {"week": week}, coordinator)
    page = signed_in(coordinator, DESKTOP)
    page.goto(f"/coordinator?week={week}")

    heat = page.locator("#heat-map")
    expect(page.locator("#heat-title")).to_have_text(
        f"Where would one more volunteer help most in {week}?"
    )
    north_row = heat.locator("tbody tr", has=page.locator("th", has_text=f"North {world.tag}"))
    ward_row = heat.locator("tbody tr", has=page.locator("th", has_text=f"Ward {world.tag}"))
    expect(heat.locator("tbody tr")).to_have_count(2)
    wednesday_morning = north_row.locator("td[data-label='Wednesday morning']")
    expect(wednesday_morning).to_have_text("2")
    expect(wednesday_morning).to_have_class("heat heat-4")
    expect(north_row.locator("td[data-label='Tuesday morning']")).to_have_text("0")
    expect(ward_row.locator("td.heat-0")).to_have_count(21)
    expect(heat.locator("thead th[scope=colgroup]")).to_have_count(7)
    expect(page.locator("#heat-best")).to_have_text(
        f"Most help: North {world.tag}, Wednesday morning: 2 visits by a volunteer "
        "(need-weighted cover +50.0%)."
    )
    assert_accessible(page, "the coordinator's heat map (desktop)")

    form = page.locator("#scenario-form")
    form.get_by_label("Like", exact=True).select_option(label="Val Jones")
    form.get_by_label("Living in", exact=True).select_option(label=f"North {world.tag}")
    page.get_by_role("button", name="Run the scenario").click()
    expect(page.locator("#scenario-status")).to_contain_text("The scenario beside", timeout=60_000)
    result = page.locator("#scenario-result")
    covered = result.locator("tr", has=page.locator("th", has_text="Visits covered"))
    expect(covered.locator("td")).to_have_text(["2 of 4", "4 of 4", "+2"])
    by_area = result.locator("table", has=page.locator("caption", has_text="Gaps by area"))
    expect(by_area.locator("tbody tr")).to_have_count(1)
    expect(by_area.locator("tbody tr td")).to_have_text(["2 of 2", "0 of 2", "−2"])
    snap(page, "coordinator-whatif")
    assert_accessible(page, "a scenario beside the week (desktop)")

    page.set_viewport_size(PHONE)
    expect(wednesday_morning).to_be_visible()
    assert_accessible(page, "the heat map and a scenario (phone)")
    assert web_api.data(VISITS, {"week": week}, coordinator) == before
    assert north  # the area the volunteers were added in
