// The link worker's page: alerts, find a person, their loneliness trend, circle and
// suggested connections with reasons; refer.

import { allPages, gql, namedType, signedInAs, typeInfo, typeText } from "./api.js";
import { lonelinessWords } from "./check-in.js";
import { busy, dateTime, h, header, say, shortDate } from "./ui.js";
import { trendChart } from "./trend-chart.js";

const PEOPLE = `query($after: String) {
  people(first: 100, after: $after) {
    edges { node { id firstName lastName area } } pageInfo { hasNextPage endCursor }
  }
}`;
const PERSON = `query($id: ID!) {
  person(id: $id) { id firstName lastName area need visitsPerWeek circle { firstName since } CHECK_INS }
}`;
const SUGGEST = `query($id: ID!) {
  suggestConnections(personId: $id, first: 5) { service { id name } score reasons }
}`;

const me = await signedInAs("link_worker");
header(me);

const query = await typeInfo("Query");
const mutation = await typeInfo("Mutation");
const personType = await typeInfo("Person");
const has = (info, name) => (info?.fields ?? []).find((f) => f.name === name);
// Check-ins are read with the person's consent: Person.checkIns, or the checkIns(personId) query.
const checkInsOnPerson = has(personType, "checkIns");
const checkInsQuery = has(query, "checkIns");
const checkInsField = checkInsOnPerson || checkInsQuery;
const personQuery = PERSON.replace("CHECK_INS", checkInsOnPerson ? "checkIns { at loneliness score scale }" : "");
const CHECK_INS = `query($id: ID!) { checkIns(personId: $id) { at loneliness score scale } }`;

let people = [];
const find = document.querySelector("#find");
const matches = document.querySelector("#matches");
const findStatus = document.querySelector("#find-status");
const section = document.querySelector("#person-section");

// ---- Alerts ----------------------------------------------------------------------------------

async function loadAlerts() {
  const field = has(query, "alerts");
  const list = document.querySelector("#alerts");
  const status = document.querySelector("#alerts-status");
  if (!field) {
    say(status, "Alerts are not available yet.", "info");
    return;
  }
  const alertType = await typeInfo(namedType(field.type));
  const names = new Set((alertType?.fields ?? []).map((f) => f.name));
  const wanted = ["id", "personId", "personFirstName", "firstName", "reason", "reasons", "message", "at", "createdAt", "level"].filter((n) => names.has(n));
  if (names.has("person")) wanted.push("person { id firstName lastName }");
  const needsFirst = field.args.some((a) => a.name === "first");
  try {
    const data = await gql(`query { alerts${needsFirst ? "(first: 20)" : ""} { ${wanted.join(" ")} } }`);
    const alerts = Array.isArray(data.alerts) ? data.alerts : (data.alerts.edges ?? []).map((e) => e.node);
    list.replaceChildren(
      ...alerts.map((alert) => {
        const personId = alert.person?.id ?? alert.personId;
        const name = alert.person ? `${alert.person.firstName} ${alert.person.lastName}` : (alert.personFirstName ?? alert.firstName ?? "Someone");
        const why = alert.reason ?? alert.message ?? (alert.reasons ?? []).join("; ");
        const when = alert.at ?? alert.createdAt;
        return h(
          "li",
          { "data-person-id": personId ?? "" },
          h("p", {}, h("strong", {}, name), when ? h("span", { class: "meta" }, ` · ${dateTime(when)}`) : null),
          h("p", {}, why),
          personId ? h("button", { type: "button", class: "secondary", onclick: () => openPerson(personId) }, `Look at ${name}`) : null,
        );
      }),
    );
    say(status, alerts.length ? "" : "No alerts: nobody's check-ins are getting worse.", "info");
  } catch (error) {
    say(status, error.message, "error");
  }
}

// ---- Finding a person ------------------------------------------------------------------------

function showMatches() {
  const words = find.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const found = people.filter((p) => {
    const name = `${p.firstName} ${p.lastName} ${p.area ?? ""}`.toLowerCase();
    return words.every((w) => name.includes(w));
  });
  matches.replaceChildren(
    ...found.slice(0, 12).map((p) =>
      h("li", {}, h("button", { type: "button", class: "link", onclick: () => openPerson(p.id) }, `${p.firstName} ${p.lastName}`), p.area ? h("span", { class: "meta" }, ` · ${p.area}`) : null),
    ),
  );
  say(findStatus, found.length ? (found.length > 12 ? `${found.length} people match; showing 12. Type more of the name.` : "") : "Nobody you support has that name.", "info");
}

find.addEventListener("input", showMatches);

async function openPerson(personId) {
  try {
    const { person } = await gql(personQuery, { id: personId });
    if (!person) {
      say(findStatus, "That person is not on your list.", "error");
      return;
    }
    section.hidden = false;
    section.dataset.personId = person.id;
    document.querySelector("#person-title").textContent = `${person.firstName} ${person.lastName}`;
    document.querySelector("#person-line").textContent = [
      person.area,
      `needs ${person.need >= 0.67 ? "a lot of" : person.need >= 0.34 ? "some" : "a little"} support`,
      `${person.visitsPerWeek} visit(s) a week`,
    ].filter(Boolean).join(" · ");
    if (!checkInsOnPerson && checkInsQuery) {
      try {
        person.checkIns = (await gql(CHECK_INS, { id: person.id })).checkIns;
      } catch (error) {
        person.checkInsDenied = error.message;
      }
    }
    renderTrend(person);
    renderCircle(person);
    section.focus();
    await loadSuggestions(person);
  } catch (error) {
    say(findStatus, error.message, "error");
  }
}

function renderTrend(person) {
  const box = document.querySelector("#trend");
  if (!checkInsField) {
    box.replaceChildren(h("p", { class: "meta" }, "Check-ins are not available yet."));
    return;
  }
  if (person.checkInsDenied) {
    box.replaceChildren(h("p", { class: "meta" }, `${person.firstName} has not given you consent to see their check-ins.`));
    return;
  }
  const points = [...(person.checkIns ?? [])].sort((a, b) => a.at.localeCompare(b.at));
  if (!points.length) {
    box.replaceChildren(h("p", { class: "meta" }, `No check-ins with ${person.firstName} yet.`));
    return;
  }
  const last = points[points.length - 1];
  box.replaceChildren(
    trendChart(points, person.firstName),
    h("p", {}, `Last check-in ${shortDate(last.at)}: ${lonelinessWords(last.loneliness)}.`),
  );
}

function renderCircle(person) {
  const members = [...person.circle].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  document.querySelector("#person-circle").replaceChildren(
    members.length
      ? h("ul", {}, members.map((m) => h("li", {}, m.firstName, m.since ? h("span", { class: "meta" }, ` · since ${shortDate(m.since)}`) : null)))
      : h("p", { class: "meta" }, "No volunteers in the circle yet."),
  );
}

// ---- Suggestions and referrals ---------------------------------------------------------------

async function loadSuggestions(person) {
  const list = document.querySelector("#suggestions");
  const status = document.querySelector("#suggestions-status");
  list.replaceChildren();
  if (!has(query, "suggestConnections")) {
    say(status, "Suggestions are not available yet.", "info");
    return;
  }
  say(status, `Looking for connections for ${person.firstName}…`, "info");
  try {
    const { suggestConnections } = await gql(SUGGEST, { id: person.id });
    list.replaceChildren(...suggestConnections.map((s) => suggestionItem(person, s)));
    say(status, suggestConnections.length ? "" : `Nothing nearby fits ${person.firstName} right now.`, "info");
  } catch (error) {
    say(status, error.message, "error");
  }
}

function suggestionItem(person, suggestion) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const id = `refer-${suggestion.service.id}`;
  const note = h("input", { id: `${id}-note`, type: "text", maxlength: 500 });
  const canRefer = Boolean(has(mutation, "referToService"));
  const button = h("button", { type: "button", "aria-label": `Refer ${person.firstName} to ${suggestion.service.name}` }, "Refer");
  button.addEventListener("click", () => refer(button, person, suggestion, note.value.trim(), message));
  return h(
    "li",
    { "data-service-id": suggestion.service.id },
    h("h4", {}, suggestion.service.name),
    h("ul", { class: "reasons" }, suggestion.reasons.map((r) => h("li", {}, r))),
    canRefer
      ? h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: note.id }, "Note for the referral (optional)"), note), h("div", { class: "field" }, button))
      : null,
    message,
  );
}

async function refer(button, person, suggestion, note, message) {
  const field = has(mutation, "referToService");
  const args = Object.fromEntries(field.args.map((a) => [a.name, typeText(a.type)]));
  let operation;
  let variables;
  if (args.input) {
    operation = `mutation($input: ${args.input}) { referToService(input: $input) { __typename } }`;
    variables = { input: { personId: person.id, serviceId: suggestion.service.id, ...(note ? { note } : {}) } };
  } else {
    operation = `mutation($personId: ${args.personId}, $serviceId: ${args.serviceId}${args.note ? `, $note: ${args.note}` : ""}) {
      referToService(personId: $personId, serviceId: $serviceId${args.note ? ", note: $note" : ""}) { __typename }
    }`;
    variables = { personId: person.id, serviceId: suggestion.service.id, ...(args.note ? { note: note || null } : {}) };
  }
  await busy(button, async () => {
    try {
      const { referToService } = await gql(operation, variables);
      if (/Referr|Referred|Made/.test(referToService.__typename)) {
        say(message, `Referred ${person.firstName} to ${suggestion.service.name}.`, "ok");
        button.remove();
      } else {
        say(message, `The referral was not made (${referToService.__typename}).`, "error");
      }
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

try {
  people = await allPages(async (after) => (await gql(PEOPLE, { after })).people);
  people.sort((a, b) => `${a.firstName} ${a.lastName}`.localeCompare(`${b.firstName} ${b.lastName}`));
  showMatches();
  await loadAlerts();
} catch (error) {
  say(document.querySelector("#page-message"), error.message, "error");
}
document.body.dataset.ready = "true";
