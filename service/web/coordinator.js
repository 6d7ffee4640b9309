// The coordinator's page: run the week's rota (solved on the server in a process of its own:
// the page polls the run, showing what the solver is doing, and can cancel it), see coverage and
// gaps with reasons, publish; look at a person's circle.

import { allPages, gql, signedInAs, token } from "./api.js";
import { DAY_NAMES, busy, dateTime, dayOf, h, header, percent, say, shortDate, weekLabel } from "./ui.js";

const RUN_FIELDS = `id week status state solverStatus createdAt publishedAt csvUrl error
  timeLimitSeconds progress visitsTotal visitsCovered
  metrics { visitsTotal visitsCovered coverage needWeightedCoverage needWeightedUpperBound
            continuityShare newCircleMembers travelKm solveSeconds }
  assignments { visitId volunteerId start reasons }
  gaps { visitId reasons }`;
const RUNS = `query($week: String!) { rotaRuns(week: $week) { ${RUN_FIELDS} } }`;
const RUN = `mutation($week: String!, $limit: Float!) {
  runRota(week: $week, timeLimitSeconds: $limit) { id week state timeLimitSeconds }
}`;
const PROGRESS = `query($id: ID!) {
  rotaRun(id: $id) { id week state progress visitsTotal visitsCovered error timeLimitSeconds }
}`;
const ONE_RUN = `query($id: ID!) { rotaRun(id: $id) { ${RUN_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) {
  cancelRotaRun(id: $id) {
    __typename
    ... on RotaRunCancelled { run { id state } }
    ... on RotaRunNotCancelled { message state }
  }
}`;
const POLL_MS = 700;
const UNFINISHED = ["QUEUED", "RUNNING"];
const WITH_ROTA = ["DRAFT", "PUBLISHED"];
const PUBLISH = `mutation($id: ID!) {
  publishRota(runId: $id) {
    __typename
    ... on RotaPublished { proposed run { id status publishedAt } }
    ... on RotaNotPublished { message }
  }
}`;
const VISITS = `query($week: String!, $after: String) {
  visits(week: $week, first: 100, after: $after) {
    edges { node { id date start end earliest latest status personFirstName area
                   volunteers { volunteerId firstName status } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const VOLUNTEERS = `query($after: String) {
  volunteers(first: 100, after: $after) {
    edges { node { id firstName lastName } } pageInfo { hasNextPage endCursor }
  }
}`;
const PEOPLE = `query($after: String) {
  people(first: 100, after: $after) {
    edges { node { id firstName lastName area } } pageInfo { hasNextPage endCursor }
  }
}`;
const PERSON = `query($id: ID!) {
  person(id: $id) {
    id firstName lastName area visitsPerWeek visitMinutes
    visitWindows { day start end }
    circle { volunteerId firstName since }
  }
}`;

const me = await signedInAs("coordinator");
header(me);

const weekInput = document.querySelector("#week");
const limitInput = document.querySelector("#time-limit");
const runStatus = document.querySelector("#run-status");
const publishButton = document.querySelector("#publish");
const publishStatus = document.querySelector("#publish-status");
const runButton = document.querySelector("#run");
const cancelButton = document.querySelector("#cancel");
let shown = null;
let following = null; // the run being solved that this page follows: { id, week }
let visitsById = new Map();
let volunteerNames = null;

weekInput.value = new URLSearchParams(location.search).get("week") ?? weekLabel();

function fieldError(input, text) {
  say(document.querySelector(`#${input.id}-error`), text);
  input.setAttribute("aria-invalid", text ? "true" : "false");
}

async function names() {
  volunteerNames ??= allPages(async (after) => (await gql(VOLUNTEERS, { after })).volunteers).then(
    (all) => new Map(all.map((v) => [v.id, `${v.firstName} ${v.lastName}`])),
  );
  return volunteerNames;
}

async function weekVisits(week) {
  const all = await allPages(async (after) => (await gql(VISITS, { week, after })).visits);
  return new Map(all.map((v) => [v.id, v]));
}

// ---- Running ---------------------------------------------------------------------------------

document.querySelector("#run-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (following) return;
  say(runStatus, "");
  const week = weekInput.value;
  const limit = Number(limitInput.value);
  fieldError(weekInput, /^\d{4}-W\d{2}$/.test(week) ? "" : "Choose the week to plan, like 2026-W48.");
  fieldError(limitInput, limit >= 1 && limit <= 120 ? "" : "Give a time between 1 and 120 seconds.");
  const invalid = document.querySelector("#run-form [aria-invalid=true]");
  if (invalid) {
    invalid.focus();
    return;
  }
  let run;
  try {
    runButton.disabled = true;
    ({ runRota: run } = await gql(RUN, { week, limit }));
  } catch (error) {
    runButton.disabled = false;
    if (error.message.startsWith("week")) fieldError(weekInput, error.message);
    else if (error.message.startsWith("timeLimitSeconds")) fieldError(limitInput, error.message);
    else say(runStatus, error.message, "error");
    return;
  }
  history.replaceState(null, "", `?week=${week}`);
  await follow(run);
});

// Polls a queued or running run until it ends, showing what the solver says; then shows the
// draft, or says why there is none.
async function follow(run) {
  following = { id: run.id, week: run.week };
  runButton.disabled = true;
  cancelButton.disabled = false;
  const started = performance.now();
  const limit = run.timeLimitSeconds ?? Number(limitInput.value);
  const bar = document.querySelector("#progress-bar");
  const text = document.querySelector("#progress-text");
  const progress = document.querySelector("#progress");
  let latest = run;
  bar.max = limit;
  const tick = () => {
    const seconds = (performance.now() - started) / 1000;
    if (latest.state === "QUEUED") {
      bar.removeAttribute("value");
      text.textContent = `Solving the rota for ${run.week}… waiting for the solver to start`;
      return;
    }
    bar.value = Math.min(seconds, limit);
    const words = [`Solving the rota for ${run.week}… ${Math.floor(seconds)} s (up to about ${limit} s)`];
    // The best rota so far, once the solver says; until then, what it is doing.
    if (latest.visitsCovered && latest.visitsTotal) {
      words.push(`the best rota so far covers ${latest.visitsCovered} of ${latest.visitsTotal} visits`);
    } else if (latest.progress) {
      words.push(latest.progress);
    }
    text.textContent = words.join(" · ");
  };
  tick();
  progress.hidden = false;
  const timer = setInterval(tick, 500);
  try {
    while (UNFINISHED.includes(latest.state)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const { rotaRun } = await gql(PROGRESS, { id: run.id });
      if (!rotaRun) throw new Error(`The run ${run.id} has gone.`);
      latest = rotaRun;
      tick();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (WITH_ROTA.includes(latest.state)) {
      const { rotaRun } = await gql(ONE_RUN, { id: run.id });
      await show(rotaRun, { fresh: true });
      say(runStatus, `Done in ${seconds} s: a draft rota for ${run.week}. Check it, then publish it.`, "ok");
    } else if (latest.state === "CANCELLED") {
      say(runStatus, `Stopped: ${latest.error ?? "cancelled"}. No rota was made for ${run.week}.`, "info");
    } else {
      say(runStatus, `The rota could not be made: ${latest.error ?? "no reason given"}.`, "error");
    }
  } catch (error) {
    say(runStatus, error.message, "error");
  } finally {
    clearInterval(timer);
    progress.hidden = true;
    following = null;
    runButton.disabled = false;
  }
}

cancelButton.addEventListener("click", () =>
  busy(cancelButton, async () => {
    if (!following) return;
    try {
      const { cancelRotaRun } = await gql(CANCEL, { id: following.id });
      if (cancelRotaRun.__typename === "RotaRunNotCancelled") say(runStatus, cancelRotaRun.message, "error");
    } catch (error) {
      say(runStatus, error.message, "error");
    }
  }),
);

weekInput.addEventListener("change", () => {
  if (/^\d{4}-W\d{2}$/.test(weekInput.value)) loadWeek(weekInput.value);
});

async function loadWeek(week) {
  try {
    const { rotaRuns } = await gql(RUNS, { week });
    const made = rotaRuns.filter((r) => WITH_ROTA.includes(r.state));
    const unfinished = rotaRuns.find((r) => UNFINISHED.includes(r.state));
    if (unfinished && !following) follow(unfinished); // still being solved: show its progress
    if (made.length) {
      await show(made[0], { runs: made });
    } else if (unfinished) {
      shown = null;
      for (const id of ["#result", "#gaps-section", "#visits-section"]) document.querySelector(id).hidden = true;
    } else {
      shown = null;
      for (const id of ["#result", "#gaps-section", "#visits-section"]) document.querySelector(id).hidden = true;
      say(runStatus, `No rota has been run for ${week} yet.`, "info");
    }
  } catch (error) {
    if (error.message.startsWith("week")) fieldError(weekInput, error.message);
    else say(runStatus, error.message, "error");
  }
}

// ---- Showing a run ---------------------------------------------------------------------------

async function show(run, { runs = null } = {}) {
  shown = run;
  const [visits, volunteers] = await Promise.all([weekVisits(run.week), names()]);
  visitsById = visits;
  const result = document.querySelector("#result");
  result.hidden = false;
  document.querySelector("#result-title").textContent = `Rota for ${run.week}`;
  document.querySelector("#run-line").replaceChildren(
    h("span", { class: `badge ${run.status}` }, run.status === "published" ? "Published" : "Draft"),
    ` Run ${run.id} · made ${dateTime(run.createdAt)}`,
    run.publishedAt ? ` · published ${dateTime(run.publishedAt)}` : "",
    ` · solver: ${solverWords(run.solverStatus)}`,
  );
  renderMetrics(run);
  publishButton.hidden = run.status !== "draft";
  say(publishStatus, "");
  if (runs) renderEarlier(runs);
  renderGaps(run);
  renderAssignments(run, volunteers);
  refreshCircle();
}

function solverWords(status) {
  return { OPTIMAL: "best possible", FEASIBLE: "good, not proven best" }[status] ?? status.toLowerCase();
}

function renderMetrics(run) {
  const m = run.metrics;
  const box = document.querySelector("#metrics");
  if (!m) {
    box.replaceChildren(h("p", {}, "No figures for this run."));
    return;
  }
  const gap = Math.max(0, m.needWeightedUpperBound - m.needWeightedCoverage);
  const metric = (id, label, value, sub) =>
    h("div", { class: "metric", id }, h("dt", {}, label), h("dd", {}, value, sub ? h("div", { class: "sub" }, sub) : null));
  box.replaceChildren(
    metric("coverage", "Visits covered", percent(m.coverage), `${m.visitsCovered} of ${m.visitsTotal} visits`),
    metric("need-coverage", "Need-weighted coverage", percent(m.needWeightedCoverage, 1), "more weight to people who need more support"),
    metric("gap", "Gap to the best possible", `${(gap * 100).toFixed(1)} points`, `no rota can cover more than ${percent(m.needWeightedUpperBound, 1)}`),
    metric("continuity", "Continuity", percent(m.continuityShare), "visits by someone already in the person's circle"),
    metric("new-members", "New circle members", String(m.newCircleMembers), "volunteers meeting someone for the first time"),
    metric("travel", "Travel", `${m.travelKm.toFixed(1)} km`, `solved in ${m.solveSeconds.toFixed(1)} s`),
  );
}

function renderEarlier(runs) {
  const box = document.querySelector("#earlier");
  if (runs.length < 2) {
    box.replaceChildren();
    return;
  }
  const select = h(
    "select",
    { id: "earlier-runs" },
    runs.map((r) => h("option", { value: r.id }, `${dateTime(r.createdAt)} · ${r.status} · ${percent(r.metrics?.coverage ?? 0)} covered`)),
  );
  select.addEventListener("change", () => show(runs.find((r) => r.id === select.value)));
  box.replaceChildren(h("div", { class: "field" }, h("label", { for: "earlier-runs" }, `Runs for ${runs[0].week} (${runs.length})`), select));
}

function visitWhen(visit, start) {
  if (!visit) return "";
  const time = start ?? visit.start;
  return time ? `${dayOf(visit.date)}, ${time}` : `${dayOf(visit.date)}, ${visit.earliest}–${visit.latest}`;
}

function renderGaps(run) {
  const section = document.querySelector("#gaps-section");
  section.hidden = false;
  document.querySelector("#gaps-title").textContent = `Uncovered visits (${run.gaps.length})`;
  const body = document.querySelector("#gaps tbody");
  if (!run.gaps.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: 4 }, "Every visit is covered.")));
    return;
  }
  body.replaceChildren(
    ...run.gaps.map((gap) => {
      const visit = visitsById.get(gap.visitId);
      return h(
        "tr",
        { "data-visit-id": gap.visitId },
        h("td", {}, visit?.personFirstName ?? gap.visitId),
        h("td", {}, visitWhen(visit)),
        h("td", {}, visit?.area ?? ""),
        h("td", {}, h("ul", { class: "reasons" }, gap.reasons.map((r) => h("li", {}, r)))),
      );
    }),
  );
}

function renderAssignments(run, volunteers) {
  document.querySelector("#visits-section").hidden = false;
  document.querySelector("#visits-summary").textContent = `Show all ${run.assignments.length} planned visits`;
  const rows = [...run.assignments].sort((a, b) => {
    const va = visitsById.get(a.visitId);
    const vb = visitsById.get(b.visitId);
    return `${va?.date}${a.start}`.localeCompare(`${vb?.date}${b.start}`);
  });
  document.querySelector("#visits tbody").replaceChildren(
    ...rows.map((a) => {
      const visit = visitsById.get(a.visitId);
      return h(
        "tr",
        {},
        h("td", {}, visit?.personFirstName ?? a.visitId),
        h("td", {}, visitWhen(visit, a.start)),
        h("td", {}, volunteers.get(a.volunteerId) ?? a.volunteerId),
        h("td", {}, a.reasons.join("; ")),
      );
    }),
  );
}

publishButton.addEventListener("click", () =>
  busy(publishButton, async () => {
    if (!shown) return;
    try {
      const { publishRota } = await gql(PUBLISH, { id: shown.id });
      if (publishRota.__typename === "RotaNotPublished") {
        say(publishStatus, publishRota.message, "error");
        return;
      }
      await loadWeek(shown.week);
      say(publishStatus, `Published: ${publishRota.proposed} visits proposed to volunteers. Uncovered visits are open for volunteers to claim.`, "ok");
    } catch (error) {
      say(publishStatus, error.message, "error");
    }
  }),
);

document.querySelector("#csv").addEventListener("click", (event) =>
  busy(event.currentTarget, async () => {
    if (!shown) return;
    const response = await fetch(shown.csvUrl, { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) {
      say(publishStatus, `The CSV could not be made (HTTP ${response.status}).`, "error");
      return;
    }
    const link = h("a", { href: URL.createObjectURL(await response.blob()), download: `${shown.id}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }),
);

// ---- A person's circle -----------------------------------------------------------------------

const personSelect = document.querySelector("#person");
const circleBox = document.querySelector("#circle");

async function loadPeople() {
  const people = await allPages(async (after) => (await gql(PEOPLE, { after })).people);
  people.sort((a, b) => `${a.firstName} ${a.lastName}`.localeCompare(`${b.firstName} ${b.lastName}`));
  personSelect.append(...people.map((p) => h("option", { value: p.id }, `${p.firstName} ${p.lastName}${p.area ? ` (${p.area})` : ""}`)));
}

async function refreshCircle() {
  if (!personSelect.value) {
    circleBox.replaceChildren();
    return;
  }
  try {
    const { person } = await gql(PERSON, { id: personSelect.value });
    circleBox.replaceChildren(...circleOf(person));
  } catch (error) {
    circleBox.replaceChildren(h("p", { class: "message", "data-kind": "error" }, error.message));
  }
}

function circleOf(person) {
  const members = [...person.circle].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  const windows = person.visitWindows.map((w) => `${DAY_NAMES[w.day]} ${w.start}–${w.end}`).join(", ");
  return [
    h("h3", {}, `${person.firstName} ${person.lastName}`),
    h("p", { class: "meta" }, [person.area, `${person.visitsPerWeek} visit(s) a week of ${person.visitMinutes} minutes`, windows ? `can be visited ${windows}` : null].filter(Boolean).join(" · ")),
    h("h4", {}, `Circle (${members.length})`),
    members.length
      ? h("ol", { class: "timeline" }, members.map((m) => h("li", {}, h("strong", {}, m.firstName), m.since ? ` — in the circle since ${shortDate(m.since)}` : "")))
      : h("p", {}, `${person.firstName} has no circle yet: the next rota will start one.`),
  ];
}

// Only on asking: moving through the list with the arrow keys opens (and logs a read of) nobody.
document.querySelector("#person-form").addEventListener("submit", (event) => {
  event.preventDefault();
  refreshCircle();
});

// Disabled until now: a press before the listeners above were attached would submit the form
// as a plain page load.
runButton.disabled = false;
try {
  await Promise.all([loadWeek(weekInput.value), loadPeople()]);
} catch (error) {
  say(document.querySelector("#page-message"), error.message, "error");
}
document.body.dataset.ready = "true";
