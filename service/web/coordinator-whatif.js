// What-if on the coordinator's page, for the week the page shows (coordinator.js says which
// with a "rota-shown" event): where one more volunteer would help most, as a heat map that is
// a real table (areas by day and time of day, the number of visits in each cell, the colour
// only repeating it), and a scenario of the week (recruit volunteers like one of the week's,
// someone leaving, new referrals, a person's visits changed) solved on the server and shown
// beside the week. Nothing of a scenario is saved.

import { allPages, gql } from "./api.js";
import { DAY_NAMES, busy, h, percent, say } from "./ui.js";

const HEAT_MAP = `query($week: String!) {
  recruitmentHeatMap(week: $week) {
    week runId method gaps areas { id name } cells { areaId day band visits needShare volunteer }
  }
}`;
const SCENARIO = `mutation($input: ScenarioInput!) {
  runScenario(input: $input) {
    __typename
    ... on ScenarioRefused { message }
    ... on ScenarioComparison { week runId solverStatus solveSeconds real { ...summary } scenario { ...summary } }
  }
}
fragment summary on WeekSummary {
  visitsTotal visitsCovered coverage needWeightedCoverage continuityShare keptByCircle volunteers
  gapsByArea { key name visits gaps } gapsByTime { key name visits gaps }
}`;
const VOLUNTEERS = `query($after: String) {
  volunteers(first: 100, after: $after) { edges { node { id firstName lastName } } pageInfo { hasNextPage endCursor } }
}`;
const PEOPLE = `query($after: String) {
  people(first: 100, after: $after) { edges { node { id firstName lastName } } pageInfo { hasNextPage endCursor } }
}`;
const BANDS = ["MORNING", "AFTERNOON", "EVENING"];
const BAND_WORDS = { MORNING: "morning", AFTERNOON: "afternoon", EVENING: "evening" };
const SHORT_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LEVELS = 4; // colour steps above zero (style.css: .heat-1 .. .heat-4)

const heatSection = document.querySelector("#heat-section");
const scenarioSection = document.querySelector("#scenario-section");
const scenarioStatus = document.querySelector("#scenario-status");
const scenarioButton = document.querySelector("#scenario-run");
let week = null;
let listsFilled = false;

document.addEventListener("rota-shown", (event) => {
  if (event.detail.week === week) return;
  week = event.detail.week;
  document.querySelector("#scenario-result").replaceChildren();
  say(scenarioStatus, "");
  loadHeatMap(week);
});
document.querySelector("#week").addEventListener("change", () => {
  week = null;
  heatSection.hidden = true;
  scenarioSection.hidden = true;
});

async function loadHeatMap(shownWeek) {
  let heat;
  try {
    ({ recruitmentHeatMap: heat } = await gql(HEAT_MAP, { week: shownWeek }));
  } catch (error) {
    heatSection.hidden = false;
    say(document.querySelector("#heat-best"), error.message, "error");
    return;
  }
  if (shownWeek !== week) return; // the page moved on meanwhile
  heatSection.hidden = !heat;
  scenarioSection.hidden = !heat;
  if (!heat) return;
  renderHeatMap(heat);
  fillAreas(heat.areas);
  if (!listsFilled) {
    listsFilled = true;
    await fillPeopleAndVolunteers();
  }
}

function renderHeatMap(heat) {
  document.querySelector("#heat-title").textContent = `Where would one more volunteer help most in ${heat.week}?`;
  document.querySelector("#heat-method").textContent = heat.method;
  const cell = new Map(heat.cells.map((c) => [`${c.areaId}|${c.day}|${c.band}`, c]));
  const most = Math.max(0, ...heat.cells.map((c) => c.visits));
  const table = document.querySelector("#heat-map");
  table.querySelector("thead").replaceChildren(
    h("tr", {}, h("td", {}), ...SHORT_DAYS.map((day, i) => h("th", { scope: "colgroup", colspan: 3 }, h("abbr", { title: DAY_NAMES[i] }, day)))),
    h(
      "tr",
      {},
      h("th", { scope: "col" }, "Area"),
      ...SHORT_DAYS.flatMap(() => BANDS.map((band) => h("th", { scope: "col", class: "band" }, h("abbr", { title: BAND_WORDS[band] }, band[0] + band.slice(1, 3).toLowerCase())))),
    ),
  );
  table.querySelector("tbody").replaceChildren(
    ...heat.areas.map((area) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, area.name),
        ...SHORT_DAYS.flatMap((day, d) =>
          BANDS.map((band) => {
            const found = cell.get(`${area.id}|${d}|${band}`);
            const visits = found?.visits ?? 0;
            const level = visits && most ? Math.max(1, Math.ceil((visits / most) * LEVELS)) : 0;
            return h(
              "td",
              {
                class: `heat heat-${level}`,
                "data-label": `${DAY_NAMES[d]} ${BAND_WORDS[band]}`,
                title: `${area.name}, ${DAY_NAMES[d]} ${BAND_WORDS[band]}: ${visits} visit${visits === 1 ? "" : "s"}${visits ? ` by ${found.volunteer}` : ""}`,
              },
              String(visits),
              visits && found.volunteer !== "a volunteer" ? h("span", { class: "sr-only" }, ` (${found.volunteer})`) : null,
            );
          }),
        ),
      ),
    ),
  );
  const best = heat.cells.filter((c) => c.visits > 0).sort((a, b) => b.needShare - a.needShare || b.visits - a.visits).slice(0, 3);
  const names = new Map(heat.areas.map((a) => [a.id, a.name]));
  document.querySelector("#heat-best").textContent = best.length
    ? `Most help: ${best
        .map((c) => `${names.get(c.areaId)}, ${DAY_NAMES[c.day]} ${BAND_WORDS[c.band]}: ${c.visits} visit${c.visits === 1 ? "" : "s"} by ${c.volunteer} (need-weighted cover +${percent(c.needShare, 1)})`)
        .join("; ")}.`
    : heat.gaps
      ? `None of this week's ${heat.gaps} gaps could be taken by one more volunteer living at an area's centre (they need two volunteers at once, are beyond the usual range of every centre, or the person's circle is full).`
      : "This week has no gaps: one more volunteer would not cover more visits.";
}

function fillAreas(areas) {
  for (const id of ["#add-area", "#ref-area"]) {
    const select = document.querySelector(id);
    const chosen = select.value;
    select.replaceChildren(...areas.map((a) => h("option", { value: a.id }, a.name)));
    if (areas.some((a) => a.id === chosen)) select.value = chosen;
  }
}

async function fillPeopleAndVolunteers() {
  const [volunteers, people] = await Promise.all([
    allPages(async (after) => (await gql(VOLUNTEERS, { after })).volunteers),
    allPages(async (after) => (await gql(PEOPLE, { after })).people),
  ]);
  const options = (list) => list.map((x) => h("option", { value: x.id }, `${x.firstName} ${x.lastName}`));
  document.querySelector("#add-like").append(...options(volunteers));
  document.querySelector("#remove-who").append(...options(volunteers));
  document.querySelector("#change-person").append(...options(people));
}

function number(id) {
  const value = document.querySelector(id).value;
  return value === "" ? null : Number(value);
}

function scenarioInput() {
  const input = { week, addVolunteers: [], removeVolunteerIds: [], referrals: [], visitChanges: [] };
  const like = document.querySelector("#add-like").value;
  if (like) input.addVolunteers.push({ likeVolunteerId: like, areaId: document.querySelector("#add-area").value, count: number("#add-count") ?? 1 });
  const gone = document.querySelector("#remove-who").value;
  if (gone) input.removeVolunteerIds.push(gone);
  const referred = number("#ref-count") ?? 0;
  if (referred > 0) {
    input.referrals.push({
      areaId: document.querySelector("#ref-area").value,
      count: referred,
      visitsPerWeek: number("#ref-visits") ?? 1,
      minutes: number("#ref-minutes") ?? 60,
      band: document.querySelector("#ref-band").value,
    });
  }
  const person = document.querySelector("#change-person").value;
  if (person) input.visitChanges.push({ personId: person, count: number("#change-count"), minutes: number("#change-minutes") });
  return input;
}

document.querySelector("#scenario-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!week) return;
  busy(scenarioButton, async () => {
    say(scenarioStatus, `Solving the scenario of ${week}…`, "info");
    const started = performance.now();
    try {
      const { runScenario } = await gql(SCENARIO, { input: scenarioInput() });
      if (runScenario.__typename === "ScenarioRefused") {
        say(scenarioStatus, runScenario.message, "error");
        return;
      }
      say(scenarioStatus, `The scenario beside ${runScenario.week} as it was run (answered in ${((performance.now() - started) / 1000).toFixed(1)} s).`, "ok");
      renderComparison(runScenario);
    } catch (error) {
      say(scenarioStatus, error.message, "error");
    }
  });
});

function signed(n, digits = 0) {
  const text = n.toFixed(digits);
  return n > 0 ? `+${text}` : n < 0 ? `−${text.slice(1)}` : "no change";
}

function renderComparison(compared) {
  const { real, scenario } = compared;
  const rows = [
    ["Visits covered", `${real.visitsCovered} of ${real.visitsTotal}`, `${scenario.visitsCovered} of ${scenario.visitsTotal}`, signed(scenario.visitsCovered - real.visitsCovered)],
    ["Share covered", percent(real.coverage), percent(scenario.coverage), signed(100 * (scenario.coverage - real.coverage), 1) + (scenario.coverage !== real.coverage ? " points" : "")],
    ["Covered, weighted by need", percent(real.needWeightedCoverage), percent(scenario.needWeightedCoverage), signed(100 * (scenario.needWeightedCoverage - real.needWeightedCoverage), 1) + (scenario.needWeightedCoverage !== real.needWeightedCoverage ? " points" : "")],
    ["Visits kept by circle members", String(real.keptByCircle), String(scenario.keptByCircle), signed(scenario.keptByCircle - real.keptByCircle)],
    ["Volunteers", String(real.volunteers), String(scenario.volunteers), signed(scenario.volunteers - real.volunteers)],
  ];
  const table = (caption, head, body) =>
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "comparison" },
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, ...head.map((words) => h("th", { scope: "col" }, words)))),
        h("tbody", {}, ...body.map((cells) => h("tr", {}, h("th", { scope: "row" }, cells[0]), ...cells.slice(1).map((c, i) => h("td", { "data-label": head[i + 1] }, c))))),
      ),
    );
  const gapRows = (key) => {
    const before = new Map(real[key].map((t) => [t.key, t]));
    const after = new Map(scenario[key].map((t) => [t.key, t]));
    const keys = [...new Set([...before.keys(), ...after.keys()])];
    return keys
      .filter((k) => (before.get(k)?.gaps ?? 0) || (after.get(k)?.gaps ?? 0))
      .map((k) => {
        const a = before.get(k);
        const b = after.get(k);
        return [(a ?? b).name, a ? `${a.gaps} of ${a.visits}` : "none", b ? `${b.gaps} of ${b.visits}` : "none", signed((b?.gaps ?? 0) - (a?.gaps ?? 0))];
      });
  };
  const byArea = gapRows("gapsByArea");
  const byTime = gapRows("gapsByTime");
  document.querySelector("#scenario-result").replaceChildren(
    table("The week and the scenario", ["Figure", "The week", "Scenario", "Change"], rows),
    byArea.length ? table("Gaps by area (visits without a volunteer)", ["Area", "The week", "Scenario", "Change"], byArea) : h("p", {}, "No gaps in any area, in either."),
    byTime.length ? table("Gaps by day and time", ["When", "The week", "Scenario", "Change"], byTime) : null,
  );
}
