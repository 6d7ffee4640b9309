// The link worker's plan page, for sitting with the person (on a tablet): without a person,
// who to see this week (and a search; with ?person=ID, their current plan, a
// review to fill in together (how each goal went, the four wellbeing questions), pausing,
// completing or ending it, the groups they have been to and who they met there, earlier
// plans, or a form to write a new plan.

import { allPages, gql, signedInAs } from "./api.js";
import { busy, h, header, say, shortDate } from "./ui.js";

const PLAN_FIELDS = `id whatMatters status endReason reviewDates nextReview createdAt
  goals { id text expected steps targetDate status pastDate
          activities { kind serviceId serviceName who accompaniedVisits note } }
  reviews { id at gasTScore ons4 ons4InWords note goals { goalId attainment inWords } }`;
const PERSON = `query($id: ID!) { person(id: $id) { id firstName } }`;
const PLANS = `query($id: ID!) { plans(personId: $id) { ${PLAN_FIELDS} } }`;
const SERVICES = `query($after: String) { services(first: 100, after: $after) {
  edges { node { id name area } } pageInfo { hasNextPage endCursor } } }`;
const CASELOAD = `query { caseload { personId firstName planId reasons } }`;
const FIND = `query($q: String!) { people(first: 10, search: $q) { edges { node { id firstName lastName } } } }`;
const CREATE = `mutation($input: PlanInput!) { createPlan(input: $input) { __typename
  ... on PlanCreated { plan { id } } ... on InvalidPlan { field message }
  ... on PlanAlreadyOpen { message } } }`;
const REVIEW = `mutation($input: PlanReviewInput!) { reviewPlan(input: $input) { __typename
  ... on PlanReviewed { review { gasTScore ons4InWords } }
  ... on InvalidReview { field message } ... on PlanNotOpen { message } } }`;
const STATUS = `mutation($id: ID!, $status: PlanStatus!, $reason: String) {
  setPlanStatus(planId: $id, status: $status, reason: $reason) { __typename
    ... on InvalidPlan { field message } ... on PlanNotOpen { message } } }`;

const GROUPS = `query($id: ID!) { groupsAttended(personId: $id) {
  serviceId serviceName times people { personId firstName knownAs } } }`;
const MET = `mutation($input: PeopleMetInput!) { recordPeopleMet(input: $input) { __typename
  ... on PeopleMetRecorded { group { serviceId serviceName times people { personId firstName knownAs } } }
  ... on InvalidPlan { field message } ... on NotAttended { message } } }`;

const ATTAINMENT = [
  [-2, "Much less than expected"],
  [-1, "Less than expected"],
  [0, "As expected"],
  [1, "More than expected"],
  [2, "Much more than expected"],
];
const ONS4 = [
  "How satisfied are you with your life nowadays?",
  "How much do you feel the things you do in your life are worthwhile?",
  "How happy did you feel yesterday?",
  "How anxious did you feel yesterday?",
];
const ONS4_ENDS = [
  ["not at all", "completely"],
  ["not at all", "completely"],
  ["not at all", "completely"],
  ["not at all anxious", "completely anxious"],
];
const STATUS_WORDS = { ACTIVE: "going", PAUSED: "paused", COMPLETED: "completed", ENDED: "ended" };
const KIND_WORDS = { SERVICE: "A group or service", CIRCLE_VISIT: "A visit from the circle", RECONNECT: "Getting back in touch with someone" };

const $ = (selector) => document.querySelector(selector);
let services = []; // the directory, for choosing a group or service in a goal
const message = $("#page-message");
const me = await signedInAs("link_worker");
header(me);

const personId = new URLSearchParams(location.search).get("person");
try {
  if (personId) await openPerson(personId);
  else await showWhoToSee();
} catch (error) {
  say(message, error.message, "error");
}
document.body.dataset.ready = "true";

// ---- Who to see this week -------------------------------------------------------------------

async function showWhoToSee() {
  $("#to-see-section").hidden = false;
  const { caseload } = await gql(CASELOAD);
  $("#to-see").replaceChildren(
    ...caseload.map((entry) =>
      h(
        "li",
        { "data-person-id": entry.personId },
        h("p", {}, h("strong", {}, entry.firstName)),
        h("ul", { class: "reasons" }, ...entry.reasons.map((r) => h("li", {}, r))),
        h("a", { class: "button secondary", href: `/plan?person=${encodeURIComponent(entry.personId)}` },
          entry.planId ? `Open ${entry.firstName}'s plan` : `Write a plan with ${entry.firstName}`),
      ),
    ),
  );
  say($("#to-see-status"), caseload.length ? "" : "Nobody needs looking at this week.", "info");
  let timer;
  $("#plan-find").addEventListener("input", (event) => {
    clearTimeout(timer);
    const q = event.target.value.trim();
    timer = setTimeout(async () => {
      if (!q) return $("#plan-matches").replaceChildren();
      const { people } = await gql(FIND, { q });
      $("#plan-matches").replaceChildren(
        ...people.edges.map(({ node }) =>
          h("li", {}, h("a", { href: `/plan?person=${encodeURIComponent(node.id)}` }, `${node.firstName} ${node.lastName}`)),
        ),
      );
    }, 250);
  });
}

// ---- One person's plans ----------------------------------------------------------------------

async function openPerson(id) {
  let person;
  try {
    ({ person } = await gql(PERSON, { id }));
  } catch (error) {
    return say(message, error.message, "error");
  }
  if (!person) return say(message, "There is nobody here you may see.", "error");
  document.title = `${person.firstName}'s plan · CareCircles`;
  $("#plan-title").textContent = `${person.firstName}'s plan`;
  let plans;
  try {
    ({ plans } = await gql(PLANS, { id }));
  } catch (error) {
    if (error.message.startsWith("Not allowed")) {
      return say(message, `${person.firstName} has not agreed to share a plan with you. Ask them first: they can agree on their own page, or a coordinator can record it.`, "error");
    }
    throw error;
  }
  const current = plans.find((p) => p.status === "ACTIVE" || p.status === "PAUSED");
  const earlier = plans.filter((p) => p !== current);
  if (current) showCurrent(current);
  else await showBuilder(person);
  await showGroups(person);
  $("#earlier-section").hidden = earlier.length === 0;
  $("#earlier").replaceChildren(
    ...earlier.map((p) =>
      h("li", {}, h("p", {}, h("strong", {}, p.whatMatters)),
        h("p", { class: "meta" }, `Started ${shortDate(p.createdAt)}, ${STATUS_WORDS[p.status]}${p.endReason ? `: ${p.endReason}` : ""}`),
        h("p", {}, `${p.goals.length} goal${p.goals.length === 1 ? "" : "s"}, ${p.reviews.length} review${p.reviews.length === 1 ? "" : "s"}`),
        ...p.reviews.map((r) => h("p", { class: "meta" }, `Review on ${shortDate(r.at)}: goal score ${r.gasTScore.toFixed(1)}`))),
    ),
  );
}

function activityWords(a) {
  if (a.kind === "SERVICE") {
    const along = a.accompaniedVisits ? `, a volunteer goes along the first ${a.accompaniedVisits === 1 ? "time" : `${a.accompaniedVisits} times`}` : "";
    return `${a.serviceName ?? "A group"}${along}`;
  }
  if (a.kind === "RECONNECT") return `Get back in touch with ${a.who}`;
  return KIND_WORDS[a.kind];
}

function showCurrent(plan) {
  $("#current-section").hidden = false;
  $("#status-section").hidden = false;
  $("#current").replaceChildren(
    h("p", { class: "plan-status" }, `This plan is ${STATUS_WORDS[plan.status]}.`),
    h("h3", {}, "What matters"),
    h("p", { id: "what-matters-text" }, plan.whatMatters),
    h("ol", { id: "current-goals", class: "plain" },
      ...plan.goals.map((g, i) =>
        h("li", { class: "goal-card", "data-goal-id": g.id },
          h("h3", {}, `Goal ${i + 1}: ${g.text}`),
          h("p", {}, `As expected: ${g.expected}`),
          h("p", { class: "meta" }, `By ${shortDate(g.targetDate)}`, g.pastDate ? h("span", { class: "badge missed" }, " past its date") : null),
          g.steps.length ? h("ul", {}, ...g.steps.map((s) => h("li", {}, s))) : null,
          ...g.activities.map((a) => h("p", { class: "activity" }, activityWords(a))),
        ),
      ),
    ),
    h("h3", {}, "Reviews"),
    h("p", { id: "next-review" }, plan.nextReview ? `Next review: ${shortDate(plan.nextReview)}` : "No more reviews planned."),
    h("ul", { id: "reviews", class: "plain items" },
      ...plan.reviews.map((r) => h("li", {}, h("p", {}, `${shortDate(r.at)}: goal score ${r.gasTScore.toFixed(1)}`),
        h("ul", {}, ...r.ons4InWords.map((w) => h("li", {}, w))))),
    ),
  );
  $("#pause").hidden = plan.status !== "ACTIVE";
  $("#resume").hidden = plan.status !== "PAUSED";
  for (const [button, status] of [["#pause", "PAUSED"], ["#resume", "ACTIVE"], ["#complete", "COMPLETED"], ["#end", "ENDED"]]) {
    $(button).onclick = (event) => busy(event.target, () => changeStatus(plan, status));
  }
  if (plan.status === "ACTIVE") showReview(plan);
}

async function changeStatus(plan, status) {
  const reason = $("#end-reason").value.trim() || null;
  const { setPlanStatus } = await gql(STATUS, { id: plan.id, status, reason: status === "ENDED" ? reason : null });
  if (setPlanStatus.__typename === "PlanUpdated") return location.reload();
  const field = setPlanStatus.field === "reason" ? $("#end-reason") : null;
  field?.setAttribute("aria-invalid", "true");
  field?.focus();
  say($("#status-message"), setPlanStatus.field === "reason" ? "Say why the plan is ending." : setPlanStatus.message, "error");
}

function radioScale(name, options) {
  return h("div", { class: "scale" },
    ...options.map(([value, label]) => h("label", {}, h("input", { type: "radio", name, value: String(value) }), label)));
}

function showReview(plan) {
  $("#review-section").hidden = false;
  $("#review-goals").replaceChildren(
    ...plan.goals.map((g, i) =>
      h("fieldset", { "data-goal-id": g.id },
        h("legend", {}, `Goal ${i + 1}: ${g.text}`),
        h("p", { class: "hint" }, `As expected: ${g.expected}`),
        radioScale(`goal-${i}`, ATTAINMENT)),
    ),
  );
  $("#review-ons4").replaceChildren(
    ...ONS4.map((question, i) =>
      h("fieldset", { "data-ons4": i },
        h("legend", {}, question),
        h("p", { class: "hint" }, `0 = ${ONS4_ENDS[i][0]}, 10 = ${ONS4_ENDS[i][1]}`),
        radioScale(`ons4-${i}`, Array.from({ length: 11 }, (_, n) => [n, String(n)]))),
    ),
  );
  $("#review-form").onsubmit = (event) => {
    event.preventDefault();
    busy($("#review-save"), () => saveReview(plan));
  };
}

function chosen(name) {
  const input = document.querySelector(`input[name="${name}"]:checked`);
  return input ? Number(input.value) : null;
}

async function saveReview(plan) {
  const out = $("#review-message");
  const goals = plan.goals.map((g, i) => ({ goalId: g.id, attainment: chosen(`goal-${i}`) }));
  const missingGoal = goals.findIndex((g) => g.attainment === null);
  if (missingGoal >= 0) return say(out, `Choose how goal ${missingGoal + 1} went.`, "error");
  const ons4 = ONS4.map((_, i) => chosen(`ons4-${i}`));
  const missing = ons4.indexOf(null);
  if (missing >= 0) return say(out, `Choose an answer to "${ONS4[missing]}"`, "error");
  const note = $("#review-note").value.trim() || null;
  const { reviewPlan } = await gql(REVIEW, { input: { planId: plan.id, goals, ons4, note } });
  if (reviewPlan.__typename !== "PlanReviewed") return say(out, reviewPlan.message, "error");
  const t = reviewPlan.review.gasTScore;
  say(out, `Saved. Goal score ${t.toFixed(1)} (50 means every goal went as expected, above 50 better than expected). ${reviewPlan.review.ons4InWords.join(" ")}`, "ok");
  const { plans } = await gql(PLANS, { id: personId });
  showCurrent(plans[0]);
  $("#review-form").reset();
}

// ---- Groups and the people met there -----------------------------------------------------------

async function showGroups(person) {
  const { groupsAttended } = await gql(GROUPS, { id: person.id });
  $("#met-section").hidden = false;
  if (!groupsAttended.length) {
    return $("#met-groups").replaceChildren(h("p", {}, `No group visits are recorded for ${person.firstName} yet.`));
  }
  $("#met-groups").replaceChildren(...groupsAttended.map((group, i) => groupCard(person, group, i)));
}

function groupCard(person, group, i) {
  const times = group.times === 1 ? "once" : `${group.times} times`;
  const card = h("fieldset", { class: "goal-card", "data-service-id": group.serviceId },
    h("legend", {}, `${group.serviceName} (been ${times})`));
  if (!group.people.length) {
    card.append(h("p", {}, "Nobody else who goes there is someone you can name here yet."));
    return card;
  }
  card.append(
    h("p", { class: "hint" }, `Who did ${person.firstName} meet there?`),
    ...group.people.map((p, j) =>
      h("label", { class: "choice" },
        h("input", { type: "checkbox", id: `met-${i}-${j}`, value: p.personId }),
        p.knownAs ? `${p.firstName} (${p.knownAs})` : p.firstName)),
  );
  const save = h("button", { type: "button" }, `Save who ${person.firstName} met at ${group.serviceName}`);
  save.onclick = (event) => busy(event.target, () => saveMet(person, group, card));
  card.append(h("div", { class: "actions" }, save));
  return card;
}

async function saveMet(person, group, card) {
  const out = $("#met-message");
  const ids = Array.from(card.querySelectorAll("input[type=checkbox]:checked"), (box) => box.value);
  if (!ids.length) return say(out, `Tick at least one person ${person.firstName} met.`, "error");
  const input = { personId: person.id, serviceId: group.serviceId, metPersonIds: ids };
  const { recordPeopleMet: done } = await gql(MET, { input });
  if (done.__typename !== "PeopleMetRecorded") return say(out, done.message, "error");
  const names = done.group.people.filter((p) => ids.includes(p.personId)).map((p) => p.firstName);
  const i = Array.from($("#met-groups").children).indexOf(card);
  card.replaceWith(groupCard(person, done.group, i));
  say(out, `Saved: ${person.firstName} met ${names.join(" and ")} at ${done.group.serviceName}.`, "ok");
}

// ---- Writing a new plan ----------------------------------------------------------------------


async function showBuilder(person) {
  $("#builder-section").hidden = false;
  $("#builder-title").textContent = `Write a plan with ${person.firstName}`;
  $("#builder").onsubmit = (event) => {
    event.preventDefault();
    busy($("#create"), () => createPlan(person));
  };
  $("#add-goal").onclick = () => addGoal();
  services = await allPages(async (after) => (await gql(SERVICES, { after })).services);
  addGoal();
}

function field(label, control, hint) {
  const id = control.id;
  return h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "hint" }, hint) : null, control);
}

function addGoal() {
  const box = $("#goals");
  const i = box.children.length;
  if (i >= 5) return say($("#builder-message"), "A plan has at most five goals: small and concrete works best.", "info");
  const inSixWeeks = new Date(Date.now() + 42 * 86400000).toISOString().slice(0, 10);
  const kind = h("select", { id: `goal-${i}-kind`, "data-field": `goals[${i}].activities[0].kind` },
    h("option", { value: "" }, "Nothing yet"),
    ...Object.entries(KIND_WORDS).map(([value, words]) => h("option", { value }, words)));
  const service = h("select", { id: `goal-${i}-service`, "data-field": `goals[${i}].activities[0].serviceId` },
    h("option", { value: "" }, "Choose a group or service"),
    ...services.map((s) => h("option", { value: s.id }, s.area ? `${s.name} (${s.area})` : s.name)));
  const along = h("select", { id: `goal-${i}-along`, "data-field": `goals[${i}].activities[0].accompaniedVisits` },
    ...[0, 1, 2, 3].map((n) => h("option", { value: String(n) }, n === 0 ? "No" : `Yes, the first ${n === 1 ? "time" : `${n} times`}`)));
  const who = h("input", { id: `goal-${i}-who`, type: "text", maxlength: "100", "data-field": `goals[${i}].activities[0].who` });
  const serviceBox = h("div", { hidden: true }, field("Which group or service", service), field("Would you like a volunteer to go along?", along));
  const whoBox = h("div", { hidden: true }, field("Who would you like to get back in touch with?", who));
  kind.addEventListener("change", () => {
    serviceBox.hidden = kind.value !== "SERVICE";
    whoBox.hidden = kind.value !== "RECONNECT";
  });
  box.append(
    h("fieldset", { class: "goal-card", "data-goal": i },
      h("legend", {}, `Goal ${i + 1}`),
      h("div", { class: "goal-grid" },
        field("The goal, in the person's words", h("input", { id: `goal-${i}-text`, type: "text", maxlength: "300", "data-field": `goals[${i}].text` })),
        field("What would 'as expected' look like?", h("input", { id: `goal-${i}-expected`, type: "text", maxlength: "300", "data-field": `goals[${i}].expected` }),
          "At the review, each goal is marked against this."),
        field("By when", h("input", { id: `goal-${i}-date`, type: "date", value: inSixWeeks, "data-field": `goals[${i}].targetDate` })),
        field("Steps (one a line)", h("textarea", { id: `goal-${i}-steps`, rows: "3", "data-field": `goals[${i}].steps` })),
        field("Something to do towards it", kind),
      ),
      serviceBox,
      whoBox,
    ),
  );
}

function goalInput(i) {
  const value = (suffix) => $(`#goal-${i}-${suffix}`).value;
  const steps = value("steps").split("\n").map((s) => s.trim()).filter(Boolean);
  const kind = value("kind");
  const activities = [];
  if (kind === "SERVICE") activities.push({ kind, serviceId: value("service") || null, accompaniedVisits: Number(value("along")) });
  else if (kind === "RECONNECT") activities.push({ kind, who: value("who") });
  else if (kind) activities.push({ kind });
  return { text: value("text"), expected: value("expected"), targetDate: value("date"), steps, activities };
}

async function createPlan(person) {
  const out = $("#builder-message");
  for (const marked of document.querySelectorAll("#builder [aria-invalid]")) marked.removeAttribute("aria-invalid");
  const goals = Array.from($("#goals").children, (_, i) => goalInput(i));
  if (goals.some((g) => !g.targetDate)) return say(out, "Give each goal a date.", "error");
  const input = { personId: person.id, whatMatters: $("#what-matters").value, goals };
  const { createPlan: made } = await gql(CREATE, { input });
  if (made.__typename === "PlanCreated") return location.reload();
  if (made.__typename === "InvalidPlan") {
    const control = document.querySelector(`[data-field="${made.field}"]`) ?? document.querySelector(`[data-field^="${made.field.replace(/\[\d+\]$/, "")}"]`);
    const label = control ? document.querySelector(`label[for="${control.id}"]`)?.textContent : null;
    control?.setAttribute("aria-invalid", "true");
    control?.focus();
    return say(out, `${label ?? made.field}: ${made.message}`, "error");
  }
  say(out, made.message, "error");
}
