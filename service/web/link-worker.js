// The link worker's page: alerts (saying one has been dealt with, and those dealt with), find a
// person. Each person opens at an address of their own (/link-worker/people/ID): who they are
// (interests, languages, access needs, the people they know), their circle, their loneliness
// trend (and recording a check-in), suggested connections with reasons and why each ranks where
// it does, a search of the whole directory, referrals and their outcomes.
// What a person's consent does not cover is said in words where it would have been.

import { gql, signedInAs } from "./api.js";
import { SCALES, answers, scalePicker, showInvalid, showMissing } from "./check-in.js";
import { DAY_NAMES, busy, dateTime, h, header, say, shortDate } from "./ui.js";
import * as words from "./words.js";
import { trendChart } from "./trend-chart.js";

const MATCHES_SHOWN = 12;
const PEOPLE = `query($search: String!) {
  people(first: ${MATCHES_SHOWN}, search: $search) {
    edges { node { id firstName lastName area } } pageInfo { hasNextPage }
  }
}`;
const PERSON = `query($id: ID!) {
  person(id: $id) {
    id firstName lastName area visitsPerWeek circle { firstName since }
    interests languages accessNeeds ties { firstName kind }
  }
}`;
const CHECK_INS = `query($id: ID!) { checkIns(personId: $id) { id at scale score loneliness } }`;
const SUGGEST = `query($id: ID!) {
  suggestConnections(personId: $id, first: 5) {
    service {
      id name cost costWords howToGetIn audiences ages accessibilityWords scheduleNotes
      places { address postcode } contacts { name phone }
    }
    score distanceKm reasons rankReason
  }
}`;
const ALERTS = `query { alerts(first: 20) { id personId personFirstName at reasons } }`;
const DEALT_WITH = `query {
  alerts(first: 50, includeAcknowledged: true) {
    id personId personFirstName at reasons acknowledgedAt acknowledgedBy { name } note
  }
}`;
const ACKNOWLEDGE = `mutation($id: ID!, $note: String) {
  acknowledgeAlert(alertId: $id, note: $note) {
    __typename
    ... on AlertAcknowledged { earlierAlerts }
    ... on AlertAlreadyAcknowledged { message }
    ... on AlertNotFound { message }
  }
}`;
const RECORD = `mutation($input: CheckInInput!) {
  recordCheckIn(input: $input) {
    __typename
    ... on CheckInRecorded { checkIn { id at score loneliness } alertReasons }
    ... on InvalidAnswers { field message }
  }
}`;
const SEARCH = `query($id: ID!, $name: String!, $kind: String!, $day: Int, $maxKm: Float, $maxCost: String!) {
  searchServices(personId: $id, name: $name, kind: $kind, day: $day, maxKm: $maxKm, maxCost: $maxCost) {
    matches { service { id name category cost } distanceKm when }
    kinds
  }
}`;
const REFERRALS = `query($id: ID!) {
  referrals(personId: $id) {
    id serviceName status note createdAt updatedAt decidedAt declineInWords attended missed
  }
}`;
const REFER = `mutation($personId: ID!, $serviceId: ID!, $note: String) {
  referToService(personId: $personId, serviceId: $serviceId, note: $note) {
    referral { id serviceId serviceName status note createdAt updatedAt }
  }
}`;
const UPDATE_REFERRAL = `mutation($id: ID!, $status: ReferralOutcome!) {
  updateReferral(referralId: $id, status: $status) { id status updatedAt }
}`;
const OUTCOMES = { ATTENDED: "Attended", DECLINED: "Declined", NOT_SUITABLE: "Not suitable" };
const REFERRAL_WORDS = { made: "Referred", accepted: "Accepted", attended: "Attended", declined: "Declined", not_suitable: "Not suitable" };
const NOTE_MAX = 500;
const ALERTS_SHOWN = 6;
const PREFIX = "lw-check-in";
const SEARCH_DELAY_MS = 250;

const me = await signedInAs("link_worker");
header(me);

const find = document.querySelector("#find");
const matches = document.querySelector("#matches");
const findStatus = document.querySelector("#find-status");
const section = document.querySelector("#person-section");
const listView = document.querySelector("#list-view");
const PERSON_PATH = /^\/link-worker\/people\/([^/]+)$/;

/** "Not allowed: no consent in force for checkins." -> true (the API's words for no grant). */
function noConsent(error) {
  return /^Not allowed/.test(error.message);
}

// ---- Alerts ----------------------------------------------------------------------------------

const alertsMessage = document.querySelector("#alerts-message");
const doneToggle = document.querySelector("#alerts-done-toggle");

async function loadAlerts() {
  const list = document.querySelector("#alerts");
  const status = document.querySelector("#alerts-status");
  try {
    const { alerts } = await gql(ALERTS);
    // One item per person: their newest alert (alerts come newest first), and how many before it.
    const byPerson = new Map();
    for (const alert of alerts) {
      if (byPerson.has(alert.personId)) byPerson.get(alert.personId).earlier += 1;
      else byPerson.set(alert.personId, { alert, earlier: 0 });
    }
    list.replaceChildren(...[...byPerson.values()].map(({ alert, earlier }) => alertItem(alert, earlier)));
    // The newest few; the rest one click away.
    const items = [...list.children];
    const more = document.querySelector("#alerts-more");
    for (const item of items.slice(ALERTS_SHOWN)) item.hidden = true;
    more.hidden = items.length <= ALERTS_SHOWN;
    more.textContent = `Show all ${items.length} people with alerts`;
    more.onclick = () => {
      for (const item of items) item.hidden = false;
      more.hidden = true;
      items[ALERTS_SHOWN]?.querySelector("button")?.focus();
    };
    say(status, alerts.length ? "" : "No alerts: nobody's check-ins say they are getting lonelier.", "info");
  } catch (error) {
    say(status, error.message, "error");
  }
}

function alertItem(alert, earlier) {
  const name = alert.personFirstName;
  const id = `deal-${alert.id}`;
  const message = h("p", { class: "message", role: "status", hidden: true });
  const note = h("textarea", { id: `${id}-note`, maxlength: NOTE_MAX, "aria-describedby": `${id}-hint` });
  const confirm = h("button", { type: "submit" }, "Confirm: dealt with");
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const form = h(
    "form",
    { id, novalidate: true, hidden: true, "aria-label": `Dealing with ${name}'s alert` },
    h(
      "div",
      { class: "field" },
      h("label", { for: note.id }, "What did you do? (optional)"),
      h("p", { class: "hint", id: `${id}-hint` }, `For example: phoned ${name}, arranged a lunch club visit.${earlier ? ` This covers ${name}'s ${earlier === 1 ? "earlier alert" : `${earlier} earlier alerts`} too.` : ""}`),
      note,
    ),
    h("div", { class: "actions" }, confirm, cancel),
  );
  const open = h("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": id, "aria-label": `I've dealt with this: ${name}` }, "I've dealt with this");
  const close = () => {
    form.hidden = true;
    open.setAttribute("aria-expanded", "false");
    open.focus();
  };
  open.addEventListener("click", () => {
    form.hidden = false;
    open.setAttribute("aria-expanded", "true");
    note.focus();
  });
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(message, "");
    await busy(confirm, () => dealtWith(alert, note.value.trim() || null, message));
  });
  return h(
    "li",
    { "data-person-id": alert.personId, "data-alert-id": alert.id },
    h(
      "p",
      {},
      h("strong", {}, name),
      h("span", { class: "meta" }, ` · ${dateTime(alert.at)}`),
      earlier ? h("span", { class: "meta" }, ` · and ${earlier} earlier ${earlier === 1 ? "alert" : "alerts"}`) : null,
    ),
    h("ul", { class: "reasons" }, alert.reasons.map((r) => h("li", {}, r))),
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => openPerson(alert.personId) }, `Look at ${name}`), open),
    form,
    message,
  );
}

/** Acknowledges the alert; it leaves the list (so do the person's earlier ones), said in words. */
async function dealtWith(alert, note, message) {
  let result;
  try {
    result = (await gql(ACKNOWLEDGE, { id: alert.id, note })).acknowledgeAlert;
  } catch (error) {
    say(message, error.message, "error");
    return;
  }
  if (result.__typename === "AlertNotFound") {
    say(message, `${result.message} ${alert.personFirstName} may have withdrawn their consent.`, "error");
    return;
  }
  const list = document.querySelector("#alerts");
  const place = [...list.children].findIndex((item) => item.dataset.alertId === alert.id);
  await Promise.all([loadAlerts(), doneToggle.checked ? loadDealtWith() : null]);
  const earlier = result.earlierAlerts ? ` and ${result.earlierAlerts === 1 ? "the earlier one" : `the ${result.earlierAlerts} earlier ones`}` : "";
  const words =
    result.__typename === "AlertAcknowledged"
      ? `Dealt with: ${alert.personFirstName}'s alert${earlier}. It has left the list; “Show dealt-with alerts” lists it with your note.`
      : `${result.message} It has left the list.`;
  say(alertsMessage, words, result.__typename === "AlertAcknowledged" ? "ok" : "info");
  // Focus goes to the alert now in its place, or to the heading when the list is empty.
  const next = list.children[Math.min(Math.max(place, 0), list.children.length - 1)];
  (next && !next.hidden ? next.querySelector("button") : document.querySelector("#alerts-title")).focus();
}

async function loadDealtWith() {
  const list = document.querySelector("#alerts-done");
  const status = document.querySelector("#alerts-done-status");
  try {
    const { alerts } = await gql(DEALT_WITH);
    const done = alerts.filter((a) => a.acknowledgedAt);
    list.replaceChildren(
      ...done.map((a) =>
        h(
          "li",
          { "data-person-id": a.personId, "data-alert-id": a.id },
          h("p", {}, h("strong", {}, a.personFirstName), h("span", { class: "meta" }, ` · alert ${dateTime(a.at)}`)),
          h("ul", { class: "reasons" }, a.reasons.map((r) => h("li", {}, r))),
          h("p", { class: "dealt" }, `Dealt with ${dateTime(a.acknowledgedAt)} by ${a.acknowledgedBy.name.endsWith(`(${me.email})`) ? "you" : a.acknowledgedBy.name}`),
          a.note ? h("p", { class: "note" }, `Note: ${a.note}`) : null,
        ),
      ),
    );
    say(status, done.length ? "" : "No dealt-with alerts yet.", "info");
  } catch (error) {
    say(status, error.message, "error");
  }
}

doneToggle.addEventListener("change", async () => {
  document.querySelector("#alerts-done-box").hidden = !doneToggle.checked;
  if (doneToggle.checked) await loadDealtWith();
});

// ---- Finding a person ------------------------------------------------------------------------

// The API searches the names, so only the people who match are read (every read of a person's
// name is written to their access log): nothing is read until the link worker types, and then
// only once they pause, and only the newest search is shown.
let searchTimer;
let searchNumber = 0;

function matchItem(p) {
  return h("li", {}, h("button", { type: "button", class: "link", onclick: () => openPerson(p.id) }, `${p.firstName} ${p.lastName}`), p.area ? h("span", { class: "meta" }, ` · ${p.area}`) : null);
}

async function searchPeople(search, number) {
  try {
    const { people } = await gql(PEOPLE, { search });
    if (number !== searchNumber) return;
    const found = people.edges.map((e) => e.node).sort((a, b) => `${a.firstName} ${a.lastName}`.localeCompare(`${b.firstName} ${b.lastName}`));
    matches.replaceChildren(...found.map(matchItem));
    const more = people.pageInfo.hasNextPage;
    say(findStatus, more ? `More than ${MATCHES_SHOWN} people match; showing ${MATCHES_SHOWN}. Type more of the name.` : found.length ? "" : "Nobody you support has that name.", "info");
  } catch (error) {
    if (number === searchNumber) say(findStatus, error.message, "error");
  }
}

find.addEventListener("input", () => {
  clearTimeout(searchTimer);
  const search = find.value.trim();
  const number = ++searchNumber;
  if (!search) {
    matches.replaceChildren();
    say(findStatus, "Type part of a name to find someone you support.", "info");
    return;
  }
  searchTimer = setTimeout(() => searchPeople(search, number), SEARCH_DELAY_MS);
});

/** Opens the person at their own address (pushed to the history unless coming from it). */
async function openPerson(personId, { push = true } = {}) {
  if (push) history.pushState({ personId }, "", `/link-worker/people/${encodeURIComponent(personId)}`);
  try {
    const { person } = await gql(PERSON, { id: personId });
    if (!person) {
      showList();
      say(findStatus, "That person is not on your list.", "error");
      find.focus();
      return;
    }
    listView.hidden = true;
    section.hidden = false;
    document.title = `${person.firstName} ${person.lastName} · CareCircles`;
    section.dataset.personId = person.id;
    document.querySelector("#person-title").textContent = `${person.firstName} ${person.lastName}`;
    document.querySelector("#person-line").textContent = [person.area, `${person.visitsPerWeek} ${person.visitsPerWeek === 1 ? "visit" : "visits"} a week`].filter(Boolean).join(" · ");
    document.querySelector("#referrals").replaceChildren();
    say(document.querySelector("#referrals-status"), "");
    renderCircle(person);
    renderAbout(person);
    document.querySelector("#search-results").replaceChildren();
    say(document.querySelector("#search-status"), "");
    section.focus();
    await Promise.all([loadTrend(person), loadSuggestions(person), loadReferrals(person)]);
  } catch (error) {
    showList();
    say(findStatus, error.message, "error");
  }
}

function showList() {
  section.hidden = true;
  delete section.dataset.personId;
  listView.hidden = false;
  document.title = "People · CareCircles";
}

document.querySelector("#back").addEventListener("click", (event) => {
  event.preventDefault();
  history.pushState({}, "", "/link-worker");
  showList();
  find.focus();
});

/** The page for the address: a person's, or the list. */
function route() {
  const match = PERSON_PATH.exec(location.pathname);
  if (match) return openPerson(decodeURIComponent(match[1]), { push: false });
  showList();
  return null;
}

window.addEventListener("popstate", () => route());

// ---- Who the person is -----------------------------------------------------------------------

function aboutFact(term, value) {
  return h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, value || "None recorded"));
}

function renderAbout(person) {
  const about = document.querySelector("#about");
  const status = document.querySelector("#about-status");
  if (person.languages === null && person.interests === null) {
    about.replaceChildren();
    say(status, `${person.firstName} has not given you consent to see their needs, so their interests, languages, access needs and the people they know are not shown.`, "info");
    return;
  }
  say(status, "");
  about.replaceChildren(
    aboutFact("Interests", words.joined(person.interests ?? [])),
    aboutFact("Languages", words.languages(person.languages ?? [])),
    aboutFact("Access needs", words.joined((person.accessNeeds ?? []).map(words.access))),
    aboutFact("People they know", words.joined((person.ties ?? []).map((t) => `${t.firstName ?? "someone"} (${words.tie(t.kind)})`))),
  );
}

// ---- Check-ins: the trend, and recording one -------------------------------------------------

async function loadTrend(person) {
  const box = document.querySelector("#trend");
  const form = document.querySelector("#check-in-form");
  const details = document.querySelector("#check-in");
  let checkIns;
  try {
    checkIns = (await gql(CHECK_INS, { id: person.id })).checkIns;
  } catch (error) {
    details.hidden = true;
    box.replaceChildren(
      h("p", { class: "message", "data-kind": "info", id: "trend-status" }, noConsent(error) ? `${person.firstName} has not given you consent to see their check-ins.` : error.message),
    );
    return;
  }
  const points = [...checkIns].sort((a, b) => a.at.localeCompare(b.at));
  if (!points.length) {
    box.replaceChildren(h("p", { class: "meta", id: "trend-status" }, `No check-ins with ${person.firstName} yet.`));
  } else {
    const last = points[points.length - 1];
    box.replaceChildren(
      trendChart(points, person.firstName),
      h("p", { id: "trend-status" }, `Last check-in ${shortDate(last.at)}: ${words.loneliness(last.loneliness)}.`),
    );
  }
  if (form.dataset.personId !== person.id) {
    checkInForm(form, person);
    details.open = false;
    document.querySelector("#check-in-title").textContent = `Record a check-in with ${person.firstName}`;
  }
  details.hidden = false;
}

function checkInForm(form, person) {
  form.dataset.personId = person.id;
  const { select, box } = scalePicker(PREFIX);
  const scaleError = h("p", { class: "field-error", id: `${PREFIX}-scale-error`, hidden: true });
  select.setAttribute("aria-describedby", scaleError.id);
  const note = h("textarea", { id: `${PREFIX}-note`, maxlength: NOTE_MAX });
  const message = h("p", { class: "message", id: `${PREFIX}-message`, role: "status", hidden: true });
  const submit = h("button", { type: "submit" }, "Record the check-in");
  form.replaceChildren(
    h("p", { class: "hint" }, "Read each question as written and choose their answer."),
    h("div", { class: "field" }, h("label", { for: select.id }, "Questions"), select, scaleError),
    box,
    h("div", { class: "field" }, h("label", { for: note.id }, "Note (optional)"), note),
    submit,
    message,
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    const scale = select.value;
    const chosen = answers(form, scale, PREFIX);
    say(message, "");
    if (chosen.missing !== undefined) {
      showMissing(form, PREFIX, chosen.allMissing);
      return;
    }
    await busy(submit, async () => {
      try {
        const input = { personId: person.id, scale, answers: chosen.answers, note: note.value.trim() || null };
        const { recordCheckIn: result } = await gql(RECORD, { input });
        if (result.__typename === "InvalidAnswers") {
          showInvalid(form, PREFIX, result, result.field === "scale" ? scaleError : message);
          return;
        }
        const alert = result.alertReasons.length ? ` It raised an alert: ${result.alertReasons.join(" ")}` : "";
        await Promise.all([loadTrend(person), loadAlerts()]);
        for (const chosenInput of box.querySelectorAll("input:checked")) chosenInput.checked = false;
        note.value = "";
        say(message, `Recorded: ${words.scale(scale)}, ${words.loneliness(result.checkIn.loneliness)}.${alert}`, alert ? "error" : "ok");
      } catch (error) {
        say(message, error.message, "error");
      }
    });
  };
}

function renderCircle(person) {
  const members = [...person.circle].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  document.querySelector("#person-circle").replaceChildren(
    members.length
      ? h("ul", {}, members.map((m) => h("li", {}, m.firstName, m.since ? h("span", { class: "meta" }, ` · since ${shortDate(m.since)}`) : null)))
      : h("p", { class: "meta" }, "No volunteers in the circle yet."),
  );
}

// ---- Suggestions, referrals and their outcomes -----------------------------------------------

async function loadSuggestions(person) {
  const list = document.querySelector("#suggestions");
  const status = document.querySelector("#suggestions-status");
  list.replaceChildren();
  say(status, `Looking for connections for ${person.firstName}…`, "info");
  try {
    const { suggestConnections } = await gql(SUGGEST, { id: person.id });
    list.replaceChildren(...suggestConnections.map((s) => suggestionItem(person, s)));
    say(status, suggestConnections.length ? "" : `Nothing nearby fits ${person.firstName} right now.`, "info");
  } catch (error) {
    say(status, noConsent(error) ? `${person.firstName} has not given you consent to see their needs, so there are no suggestions.` : error.message, noConsent(error) ? "info" : "error");
  }
}

function suggestionItem(person, suggestion) {
  const { service } = suggestion;
  return referItem(person, service, h("p", { class: "rank" }, suggestion.rankReason), h("ul", { class: "reasons", "aria-label": `Why ${service.name}` }, suggestion.reasons.map((r) => h("li", {}, r))), serviceFacts(service));
}

/** A service the person may be referred to: its name, what is said about it, a note and Refer. */
let referItems = 0;
function referItem(person, service, ...about) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  referItems += 1;
  const id = `refer-${referItems}`;
  const note = h("input", { id: `${id}-note`, type: "text", maxlength: NOTE_MAX });
  const button = h("button", { type: "button", "aria-label": `Refer ${person.firstName} to ${service.name}` }, "Refer");
  button.addEventListener("click", () => refer(button, person, service, note, message));
  return h(
    "li",
    { "data-service-id": service.id },
    h("h4", {}, service.name),
    ...about,
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: note.id }, "Note for the referral (optional)"), note), h("div", { class: "field" }, button)),
    message,
  );
}

/** What the directory says about a service, in its own words: only the facts it gives. */
function serviceFacts(service) {
  const who = [service.audiences.join(", "), service.ages].filter(Boolean).join("; ");
  const where = service.places.map((p) => [p.address, p.postcode].filter(Boolean).join(", ")).filter(Boolean);
  const contact = service.contacts.map((c) => [c.name, c.phone].filter(Boolean).join(", ")).filter(Boolean);
  const facts = [
    ["For", who],
    ["How to get in", service.howToGetIn],
    ["Cost", service.costWords ?? (service.cost === "not_stated" ? "not stated: check with them" : null)],
    ["Where", where.join("; ")],
    ["When", service.scheduleNotes],
    ["Access", service.accessibilityWords],
    ["Contact", contact.join("; ")],
  ].filter(([, value]) => value);
  if (!facts.length) return null;
  return h("dl", { class: "facts", "aria-label": `About ${service.name}` }, facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

async function refer(button, person, service, note, message) {
  await busy(button, async () => {
    try {
      const { referToService } = await gql(REFER, { personId: person.id, serviceId: service.id, note: note.value.trim() || null });
      say(message, `Referred ${person.firstName} to ${service.name}. Record how it went under Referrals.`, "ok");
      // The button goes; focus stays where the link worker acted, on what was said.
      message.tabIndex = -1;
      message.focus();
      button.remove();
      note.disabled = true;
      addReferral(person, { ...referToService.referral, serviceName: referToService.referral.serviceName ?? service.name });
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

async function loadReferrals(person) {
  const list = document.querySelector("#referrals");
  const status = document.querySelector("#referrals-status");
  let referrals;
  try {
    referrals = (await gql(REFERRALS, { id: person.id })).referrals;
  } catch (error) {
    if (section.dataset.personId !== person.id) return;
    say(status, noConsent(error) ? `${person.firstName} has not given you consent to see their needs, so their referrals are not shown.` : error.message, noConsent(error) ? "info" : "error");
    return;
  }
  if (section.dataset.personId !== person.id) return;
  // A referral made on this page while the list was being read is there already, and newer.
  const shown = new Set([...list.children].map((item) => item.dataset.referralId));
  const first = list.firstElementChild;
  for (const referral of referrals) {
    if (!shown.has(referral.id)) addReferral(person, referral, first);
  }
  if (!list.children.length) say(status, `No referrals for ${person.firstName} yet. Referrals you make are listed here, to record how they turned out.`, "info");
}

function addReferral(person, referral, before = null) {
  const name = referral.serviceName ?? "the service";
  const status = h("span", { class: `badge ${referral.status}` }, REFERRAL_WORDS[referral.status] ?? referral.status);
  const message = h("p", { class: "message", role: "status", hidden: true });
  const updated = h("span", { class: "meta" }, referral.updatedAt ? ` · outcome recorded ${dateTime(referral.updatedAt)}` : "");
  const choice = h(
    "fieldset",
    {},
    h("legend", {}, `How did ${person.firstName}'s referral to ${name} turn out?`),
    Object.entries(OUTCOMES).map(([value, words]) => h("label", { class: "choice" }, h("input", { type: "radio", name: `outcome-${referral.id}`, value, checked: referral.status === value.toLowerCase() }), words)),
  );
  const save = h("button", { type: "submit", class: "secondary" }, "Save the outcome");
  const form = h("form", { novalidate: true, "aria-label": `Outcome of the referral to ${name}` }, choice, save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const outcome = form.querySelector("input:checked")?.value;
    if (!outcome) {
      say(message, "Choose attended, declined or not suitable.", "error");
      return;
    }
    await busy(save, async () => {
      try {
        const { updateReferral } = await gql(UPDATE_REFERRAL, { id: referral.id, status: outcome });
        status.textContent = REFERRAL_WORDS[updateReferral.status] ?? updateReferral.status;
        status.className = `badge ${updateReferral.status}`;
        updated.textContent = ` · outcome recorded ${dateTime(updateReferral.updatedAt)}`;
        say(message, `Saved: ${OUTCOMES[outcome].toLowerCase()}. Later suggestions take it into account.`, "ok");
      } catch (error) {
        say(message, error.message, "error");
      }
    });
  });
  document.querySelector("#referrals").insertBefore(
    h(
      "li",
      { "data-referral-id": referral.id },
      h("p", {}, h("strong", {}, name), " ", status, h("span", { class: "meta" }, ` · referred ${dateTime(referral.createdAt)}`), updated),
      referral.note ? h("p", { class: "note" }, `Note: ${referral.note}`) : null,
      serviceAnswer(referral),
      form,
      message,
    ),
    before,
  );
  document.querySelector("#referrals-status").hidden = true;
}

// ---- Any service in the directory -------------------------------------------------------------

const searchForm = document.querySelector("#service-search");
const daySelect = document.querySelector("#svc-day");
daySelect.append(...DAY_NAMES.map((day, i) => h("option", { value: i }, day)));

searchForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const personId = section.dataset.personId;
  const firstName = document.querySelector("#person-title").textContent.split(" ")[0];
  const list = document.querySelector("#search-results");
  const status = document.querySelector("#search-status");
  const person = { id: personId, firstName };
  await busy(searchForm.querySelector("button[type=submit]"), async () => {
    try {
      const km = document.querySelector("#svc-km").value;
      const { searchServices } = await gql(SEARCH, {
        id: personId,
        name: document.querySelector("#svc-name").value.trim(),
        kind: document.querySelector("#svc-kind").value,
        day: daySelect.value === "" ? null : Number(daySelect.value),
        maxKm: km ? Number(km) : null,
        maxCost: document.querySelector("#svc-cost").value,
      });
      fillKinds(searchServices.kinds);
      list.replaceChildren(
        ...searchServices.matches.map((m) =>
          referItem(
            person,
            m.service,
            h("p", { class: "meta" }, [m.service.category.replaceAll("_", " "), m.distanceKm == null ? "no fixed place" : `${m.distanceKm.toFixed(1)} km from their home`, m.service.cost, ...m.when].filter(Boolean).join(" · ")),
          ),
        ),
      );
      const n = searchServices.matches.length;
      say(status, n ? `${n === 1 ? "One service matches" : `${n} services match`}, nearest first.` : "No service in the directory matches. Try fewer conditions.", "info");
    } catch (error) {
      say(status, noConsent(error) ? `${firstName} has not given you consent to see their needs, so the directory cannot be searched from their home.` : error.message, noConsent(error) ? "info" : "error");
    }
  });
});

function fillKinds(kinds) {
  const select = document.querySelector("#svc-kind");
  if (select.options.length > 1) return;
  select.append(...kinds.map((k) => h("option", { value: k }, k)));
}

/** What the service said: accepted, declined and why, sessions attended (null before it answers). */
function serviceAnswer(referral) {
  const said = [];
  if (referral.declineInWords) said.push(`The service declined: ${referral.declineInWords}.`);
  else if (referral.decidedAt) said.push(`The service accepted ${shortDate(referral.decidedAt)}.`);
  const came = referral.attended ?? [];
  const missed = referral.missed ?? [];
  if (came.length) said.push(`Came to ${came.length} session${came.length === 1 ? "" : "s"} (last ${shortDate(came.at(-1))}).`);
  if (missed.length) said.push(`Missed ${missed.length} session${missed.length === 1 ? "" : "s"}.`);
  return said.length ? h("p", { class: "service-answer" }, said.join(" ")) : null;
}

say(findStatus, "Type part of a name to find someone you support.", "info");
// The page's controls start disabled: what is typed or ticked before the listeners above are
// attached (the sign-in check is awaited first) would be lost.
find.disabled = false;
doneToggle.disabled = false;
await Promise.all([loadAlerts(), route()]);
document.body.dataset.ready = "true";
