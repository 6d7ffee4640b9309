// The coordinator's page: opens on the next week that needs work; run the week's rota (solved
// on the server in a process of its own: the page polls the run, showing what the solver is
// doing, and can cancel it), see coverage and gaps with reasons, publish (after a confirmation
// saying which run is live and whose visits would change); once published, the week as it is
// now: each visit's state and the volunteer's note, what changed since publishing, and the
// visits that need a volunteer, each with ranked replacements to take in one click, anyone to
// assign by hand (with the rules they would break), or re-opened for claims; mark someone
// away; look at a person's circle.

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
    edges { node { id date start end earliest latest status personFirstName area changedAt
                   volunteers { volunteerId firstName status note reason at claimed } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const NEXT_WEEK = `query { nextWeekNeedingWork }`;
const PREVIEW = `query($id: ID!) {
  publishPreview(runId: $id) {
    liveRun { id publishedAt } changes { volunteerId firstName added withdrawn }
  }
}`;
const REPLACEMENTS = `query($id: ID!) {
  replacementsFor(visitId: $id, first: 5) { volunteer { id firstName } start inCircle distanceKm reasons }
}`;
const RULES = `query($visit: ID!, $volunteer: ID!) { rulesBrokenBy(visitId: $visit, volunteerId: $volunteer) }`;
const REASSIGN = `mutation($visit: ID!, $volunteer: ID!, $force: Boolean!) {
  reassignVisit(visitId: $visit, volunteerId: $volunteer, force: $force) {
    __typename
    ... on VisitReassigned { start rulesBroken }
    ... on ReassignRefused { message rulesBroken }
  }
}`;
const REOPEN = `mutation($id: ID!) {
  reopenVisit(visitId: $id) { __typename ... on VisitNotReopened { message } }
}`;
const VOLUNTEER_AWAY = `mutation($id: ID!, $from: String!, $to: String!, $reason: String) {
  markVolunteerAway(volunteerId: $id, fromDate: $from, toDate: $to, reason: $reason) { visitIds }
}`;
const PERSON_AWAY = `mutation($id: ID!, $from: String!, $to: String!, $reason: String) {
  markPersonAway(personId: $id, fromDate: $from, toDate: $to, reason: $reason) { visitIds }
}`;
const STATE_WORDS = {
  proposed: "Proposed",
  accepted: "Accepted",
  declined: "Declined",
  done: "Done",
  missed: "Missed",
  cancelled: "Cancelled",
  withdrawn: "Withdrawn",
  claimed: "Claimed",
  open: "Open for claims",
  needs_cover: "Needs a volunteer",
};
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

const askedWeek = new URLSearchParams(location.search).get("week");
weekInput.value = askedWeek ?? weekLabel();
let liveRun = null; // the week's published run

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
    liveRun = rotaRuns.find((r) => r.state === "PUBLISHED") ?? null;
    const unfinished = rotaRuns.find((r) => UNFINISHED.includes(r.state));
    if (unfinished && !following) follow(unfinished); // still being solved: show its progress
    if (made.length) {
      await show(liveRun ?? made[0], { runs: rotaRuns.filter((r) => [...WITH_ROTA, "SUPERSEDED"].includes(r.state)) });
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
    h("span", { class: `badge ${run.status}` }, { published: "Published", superseded: "Replaced" }[run.status] ?? "Draft"),
    ` Run ${run.id} · made ${dateTime(run.createdAt)}`,
    run.publishedAt ? ` · published ${dateTime(run.publishedAt)}` : "",
    ` · solver: ${solverWords(run.solverStatus)}`,
  );
  renderMetrics(run);
  publishButton.hidden = run.status !== "draft";
  publishButton.textContent = liveRun && run.status === "draft" ? "Publish instead of the live rota" : "Publish to volunteers";
  document.querySelector("#publish-confirm").hidden = true;
  document.querySelector("#live-line").textContent = liveRun
    ? liveRun.id === run.id
      ? `This is the live rota for ${run.week}, published ${dateTime(liveRun.publishedAt)}.`
      : `The live rota for ${run.week} is run ${liveRun.id}, published ${dateTime(liveRun.publishedAt)}. This one is not live.`
    : `Nothing is published for ${run.week} yet.`;
  say(publishStatus, "");
  if (runs) renderEarlier(runs);
  renderGaps(run);
  renderAssignments(run, volunteers);
  refreshCircle();
  // The what-if sections (coordinator-whatif.js) follow the week shown.
  document.dispatchEvent(new CustomEvent("rota-shown", { detail: { week: run.week } }));
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

function byDate(a, b) {
  return `${a.date}${a.start ?? a.earliest}`.localeCompare(`${b.date}${b.start ?? b.earliest}`);
}

// A draft: the visits it leaves uncovered, with the solver's reasons. The live rota: the visits
// of the week that need a volunteer now (open, or given up), with what to do about each.
function renderGaps(run) {
  const section = document.querySelector("#gaps-section");
  section.hidden = false;
  const reasons = new Map(run.gaps.map((g) => [g.visitId, g.reasons]));
  const live = run.status === "published";
  const visits = live
    ? [...visitsById.values()].filter((v) => v.status === "open" || v.status === "needs_cover")
    : run.gaps.map((g) => visitsById.get(g.visitId) ?? { id: g.visitId, date: "", earliest: "" });
  visits.sort(byDate);
  document.querySelector("#gaps-title").textContent = live
    ? `Visits that need a volunteer (${visits.length})`
    : `Uncovered visits (${visits.length})`;
  document.querySelector("#gaps-hint").textContent = live
    ? "Open visits and visits a volunteer gave up, soonest first. Find someone, or open a visit for volunteers to claim."
    : "Visits nobody could be given, and why, soonest first. They are open to volunteers once the rota is published.";
  const body = document.querySelector("#gaps tbody");
  if (!visits.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: 5 }, "Every visit is covered.")));
    return;
  }
  body.replaceChildren(
    ...visits.map((visit) => {
      const gave = (visit.volunteers ?? []).filter((v) => v.status === "cancelled");
      const why = [
        ...gave.map((v) => `${v.firstName} cancelled${v.reason ? `: “${v.reason}”` : ""}`),
        ...(reasons.get(visit.id) ?? []),
      ];
      const row = h(
        "tr",
        { "data-visit-id": visit.id, "data-status": visit.status ?? "" },
        h("td", {}, visit.personFirstName ?? visit.id),
        h("td", {}, visitWhen(visit)),
        h("td", {}, visit.area ?? ""),
        h("td", {}, h("ul", { class: "reasons" }, why.map((r) => h("li", {}, r)))),
        h("td", {}, live ? h("button", {
          type: "button",
          class: "secondary",
          "aria-expanded": "false",
          "aria-label": `Find someone for ${visit.personFirstName} on ${visitWhen(visit)}`,
          onclick: (e) => toggleRepair(e.currentTarget, row, visit),
        }, "Find someone") : ""),
      );
      return row;
    }),
  );
}

// The repair of one visit: ranked replacements (one click takes one), anyone by hand with the
// rules they would break, or open for claims.
async function toggleRepair(button, row, visit) {
  const next = row.nextElementSibling;
  if (next?.classList.contains("repair")) {
    next.remove();
    button.setAttribute("aria-expanded", "false");
    return;
  }
  button.setAttribute("aria-expanded", "true");
  const message = h("p", { class: "message", role: "status", hidden: true });
  const box = h("div", { class: "repair-box", "aria-live": "polite" }, h("p", { class: "meta" }, "Looking for volunteers…"));
  const cell = h("td", { colspan: 5 }, box, message);
  row.after(h("tr", { class: "repair", "data-repair-for": visit.id }, cell));
  try {
    const [{ replacementsFor }, volunteers] = await Promise.all([gql(REPLACEMENTS, { id: visit.id }), names()]);
    const list = replacementsFor.length
      ? h("ol", { class: "replacements" }, replacementsFor.map((r) =>
          h("li", { "data-volunteer-id": r.volunteer.id },
            h("strong", {}, volunteers.get(r.volunteer.id) ?? r.volunteer.firstName),
            ` at ${r.start} · ${r.reasons.join(" · ")} `,
            h("button", {
              type: "button",
              onclick: (e) => reassign(e.currentTarget, visit, r.volunteer.id, false, message),
            }, `Give to ${r.volunteer.firstName}`),
          )))
      : h("p", {}, "Nobody else can take this visit as things stand. Assign someone by hand, or open it for claims.");
    const select = h("select", { id: `hand-${visit.id}` }, h("option", { value: "" }, "Choose a volunteer"),
      [...volunteers.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h("option", { value: id }, name)));
    const rules = h("ul", { class: "reasons", "data-rules-for": visit.id });
    const assign = h("button", { type: "button", class: "secondary", disabled: true }, "Assign");
    select.addEventListener("change", async () => {
      rules.replaceChildren();
      assign.disabled = !select.value;
      if (!select.value) return;
      const { rulesBrokenBy } = await gql(RULES, { visit: visit.id, volunteer: select.value });
      rules.replaceChildren(...(rulesBrokenBy.length
        ? rulesBrokenBy.map((r) => h("li", {}, `Breaks a rule: ${r}`))
        : [h("li", {}, "Breaks no rule.")]));
      assign.textContent = rulesBrokenBy.length ? "Assign anyway" : "Assign";
      assign.dataset.force = rulesBrokenBy.length ? "true" : "false";
    });
    assign.addEventListener("click", (e) => reassign(e.currentTarget, visit, select.value, assign.dataset.force === "true", message));
    box.replaceChildren(
      h("h3", {}, `Who could go to ${visit.personFirstName} on ${visitWhen(visit)}`),
      list,
      h("div", { class: "field" }, h("label", { for: select.id }, "Or assign someone by hand"), select, rules, assign),
      visit.status === "needs_cover"
        ? h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: (e) => reopen(e.currentTarget, visit, message) }, "Open it for volunteers to claim"))
        : null,
    );
  } catch (error) {
    say(message, error.message, "error");
  }
}

async function reassign(button, visit, volunteerId, force, message) {
  await busy(button, async () => {
    try {
      const { reassignVisit } = await gql(REASSIGN, { visit: visit.id, volunteer: volunteerId, force });
      if (reassignVisit.__typename === "ReassignRefused") {
        say(message, `${reassignVisit.message} ${reassignVisit.rulesBroken.join("; ")}`.trim(), "error");
        return;
      }
      const name = (await names()).get(volunteerId) ?? volunteerId;
      await refreshWeek();
      say(publishStatus, `${visit.personFirstName}'s visit on ${visitWhen(visit)} is proposed to ${name} at ${reassignVisit.start}. Both have been told.`, "ok");
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

async function reopen(button, visit, message) {
  await busy(button, async () => {
    try {
      const { reopenVisit } = await gql(REOPEN, { id: visit.id });
      if (reopenVisit.__typename === "VisitNotReopened") {
        say(message, reopenVisit.message, "error");
        return;
      }
      await refreshWeek();
      say(publishStatus, `${visit.personFirstName}'s visit on ${visitWhen(visit)} is open for volunteers to claim.`, "ok");
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

async function refreshWeek() {
  if (!shown) return;
  visitsById = await weekVisits(shown.week);
  renderGaps(shown);
  renderAssignments(shown, await names());
}

// A draft: its assignments and why. The live rota: every visit someone is (or was) on, as it
// is now, with the volunteer's note; what changed since publishing is marked.
function renderAssignments(run, volunteers) {
  document.querySelector("#visits-section").hidden = false;
  const reasons = new Map(run.assignments.map((a) => [a.visitId, a]));
  let rows;
  if (run.status === "published") {
    rows = [...visitsById.values()]
      .filter((v) => v.volunteers.length)
      .sort(byDate)
      .map((visit) => {
        const current = visit.volunteers.find((v) => !["declined", "withdrawn"].includes(v.status)) ?? visit.volunteers[0];
        const state = current.claimed && current.status === "accepted" ? "claimed" : current.status;
        return { visit, volunteerId: current.volunteerId, state, note: current.note ?? current.reason ?? "", start: visit.start, why: reasons.get(visit.id)?.reasons ?? [], changed: Boolean(visit.changedAt) || current.status === "declined" };
      });
  } else {
    rows = run.assignments
      .map((a) => ({ visit: visitsById.get(a.visitId) ?? { id: a.visitId, date: "" }, volunteerId: a.volunteerId, state: "planned", note: "", start: a.start, why: a.reasons, changed: false }))
      .sort((a, b) => `${a.visit.date}${a.start}`.localeCompare(`${b.visit.date}${b.start}`));
  }
  const changed = rows.filter((r) => r.changed).length;
  document.querySelector("#visits-summary").textContent =
    `Show all ${rows.length} planned visits` + (changed ? ` (${changed} changed since publishing)` : "");
  document.querySelector("#visits tbody").replaceChildren(
    ...rows.map((r) =>
      h(
        "tr",
        { "data-visit-id": r.visit.id, class: r.changed ? "changed" : null },
        h("td", {}, r.visit.personFirstName ?? r.visit.id),
        h("td", {}, visitWhen(r.visit, r.start)),
        h("td", {}, volunteers.get(r.volunteerId) ?? r.volunteerId),
        h("td", {}, h("span", { class: `badge ${r.state}` }, STATE_WORDS[r.state] ?? (r.state === "planned" ? "In the draft" : r.state)),
          r.changed ? h("span", { class: "badge changed" }, "Changed since publishing") : null),
        h("td", {}, r.note),
        h("td", {}, r.why.join("; ")),
      ),
    ),
  );
}

// Publishing asks first: whether the week is published already (and which run is live), and
// whose proposed visits would change.
publishButton.addEventListener("click", () =>
  busy(publishButton, async () => {
    if (!shown) return;
    try {
      const { publishPreview } = await gql(PREVIEW, { id: shown.id });
      const live = publishPreview.liveRun;
      const question = live
        ? `${shown.week} is already published (run ${live.id}, published ${dateTime(live.publishedAt)}). Publish this run instead? The live rota is replaced; accepted visits stay as they are.`
        : `Publish this rota for ${shown.week}? Volunteers will see their proposed visits and be told.`;
      document.querySelector("#publish-question").textContent = question;
      const changes = publishPreview.changes;
      document.querySelector("#publish-changes").replaceChildren(
        ...(changes.length
          ? changes.map((c) => h("li", {}, `${c.firstName}: ${[c.added ? `${c.added} new` : null, c.withdrawn ? `${c.withdrawn} taken back` : null].filter(Boolean).join(", ")}`))
          : [h("li", {}, "Nobody's proposed visits change.")]),
      );
      const confirm = document.querySelector("#publish-confirm");
      confirm.hidden = false;
      document.querySelector("#publish-yes").focus();
    } catch (error) {
      say(publishStatus, error.message, "error");
    }
  }),
);

document.querySelector("#publish-no").addEventListener("click", () => {
  document.querySelector("#publish-confirm").hidden = true;
  publishButton.focus();
});

document.querySelector("#publish-yes").addEventListener("click", (event) =>
  busy(event.currentTarget, async () => {
    if (!shown) return;
    try {
      const { publishRota } = await gql(PUBLISH, { id: shown.id });
      document.querySelector("#publish-confirm").hidden = true;
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
  const volunteers = await names();
  const who = document.querySelector("#away-who");
  who.append(
    h("optgroup", { label: "Volunteers" }, [...volunteers.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h("option", { value: `volunteer:${id}` }, name))),
    h("optgroup", { label: "People" }, people.map((p) => h("option", { value: `person:${p.id}` }, `${p.firstName} ${p.lastName}`))),
  );
}

document.querySelector("#away-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const status = document.querySelector("#away-status");
  const [kind, id] = document.querySelector("#away-who").value.split(":");
  const from = document.querySelector("#away-from").value;
  const to = document.querySelector("#away-to").value;
  const reason = document.querySelector("#away-reason").value.trim() || null;
  if (!id || !from || !to) {
    say(status, "Choose who, and the first and last day.", "error");
    return;
  }
  busy(event.submitter ?? document.querySelector("#away-form button"), async () => {
    try {
      const data = kind === "volunteer"
        ? (await gql(VOLUNTEER_AWAY, { id, from, to, reason })).markVolunteerAway
        : (await gql(PERSON_AWAY, { id, from, to, reason })).markPersonAway;
      const count = data.visitIds.length;
      say(status, kind === "volunteer"
        ? `Marked away. ${count} visit(s) need a volunteer now; they are listed above with who could go instead.`
        : `Marked away. ${count} visit(s) called off; their volunteers have been told.`, "ok");
      await refreshWeek();
    } catch (error) {
      say(status, error.message, "error");
    }
  });
});

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
  if (!askedWeek) {
    const { nextWeekNeedingWork } = await gql(NEXT_WEEK);
    weekInput.value = nextWeekNeedingWork;
  }
  await Promise.all([loadWeek(weekInput.value), loadPeople()]);
} catch (error) {
  say(document.querySelector("#page-message"), error.message, "error");
}
document.body.dataset.ready = "true";
