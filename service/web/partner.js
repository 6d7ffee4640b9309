// The partner's page: referrals to the organisation's services waiting for an answer (accept,
// or decline saying why), the people accepted (say after each session whether they came), the
// weekly places of each service, and the referrals declined.

import { gql, signedInAs } from "./api.js";
import { busy, dateTime, h, header, say, shortDate } from "./ui.js";

const INBOX = `query {
  referralInbox(first: 200) {
    id serviceId serviceName status referredFrom referredAt area firstName note phone
    contactAgreed decidedAt declineReason declineNote attended missed
  }
}`;
const SERVICES = `query { partnerServices { id name category weeklyPlaces acceptedThisWeek } }`;
const ACCEPT = `mutation($id: ID!) {
  acceptReferral(referralId: $id) {
    __typename
    ... on ReferralAccepted { referral { id } }
    ... on NoPlacesLeft { message }
    ... on ReferralNotWaiting { message }
  }
}`;
const DECLINE = `mutation($id: ID!, $reason: DeclineReason!, $note: String) {
  declineReferral(referralId: $id, reason: $reason, note: $note) {
    __typename
    ... on ReferralDeclined { referral { id } }
    ... on ReferralNotWaiting { message }
  }
}`;
const ATTENDANCE = `mutation($id: ID!, $date: String!, $came: Boolean!) {
  recordAttendance(referralId: $id, date: $date, attended: $came) {
    __typename
    ... on AttendanceRecorded { referral { id attended missed } }
    ... on ReferralNotWaiting { message }
  }
}`;
const PLACES = `mutation($id: ID!, $places: Int) {
  setWeeklyPlaces(serviceId: $id, places: $places) { id weeklyPlaces acceptedThisWeek }
}`;
const REASONS = {
  NOT_SUITABLE: "Not suitable for this person",
  NO_PLACES: "No places left",
  OTHER: "Another reason (say which)",
};
const NOTE_MAX = 500;

const me = await signedInAs("partner");
header(me);
const pageMessage = document.querySelector("#page-message");

function today() {
  return new Date().toISOString().slice(0, 10);
}

function referredLine(referral) {
  const from = referral.referredFrom ? ` by ${referral.referredFrom}` : "";
  return h("p", { class: "meta" }, `Referred${from} on ${dateTime(referral.referredAt)}`);
}

// ---- Waiting: accept or decline -------------------------------------------------------------

function waitingItem(referral) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const accept = h("button", { type: "button", "aria-label": `Accept the referral to ${referral.serviceName}` }, "Accept");
  const reasonName = `reason-${referral.id}`;
  const note = h("input", { id: `note-${referral.id}`, type: "text", maxlength: NOTE_MAX });
  const decline = h("button", { type: "submit", class: "danger" }, "Decline");
  const form = h(
    "form",
    { novalidate: true, "aria-label": `Decline the referral to ${referral.serviceName}` },
    h(
      "fieldset",
      {},
      h("legend", {}, "Or decline, saying why"),
      Object.entries(REASONS).map(([value, words]) =>
        h("label", { class: "choice" }, h("input", { type: "radio", name: reasonName, value }), words),
      ),
    ),
    h("div", { class: "field" }, h("label", { for: note.id }, "A few words for the link worker (optional unless another reason)"), note),
    decline,
  );
  accept.addEventListener("click", () =>
    busy(accept, async () => {
      try {
        const { acceptReferral } = await gql(ACCEPT, { id: referral.id });
        if (acceptReferral.__typename !== "ReferralAccepted") {
          say(message, acceptReferral.message, "error");
          return;
        }
        say(pageMessage, `Accepted the referral to ${referral.serviceName}.`, "ok");
        await load();
      } catch (error) {
        say(message, error.message, "error");
      }
    }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.querySelector("input:checked")?.value;
    if (!reason) {
      say(message, "Choose why you are declining.", "error");
      return;
    }
    await busy(decline, async () => {
      try {
        const { declineReferral } = await gql(DECLINE, { id: referral.id, reason, note: note.value.trim() || null });
        if (declineReferral.__typename !== "ReferralDeclined") {
          say(message, declineReferral.message, "error");
          return;
        }
        say(pageMessage, `Declined the referral to ${referral.serviceName}.`, "ok");
        await load();
      } catch (error) {
        say(message, error.message, "error");
      }
    });
  });
  return h(
    "li",
    { "data-referral-id": referral.id },
    h("h3", {}, referral.serviceName),
    referredLine(referral),
    h("p", {}, referral.area ? `Lives in ${referral.area}.` : "Area not known."),
    referral.note ? h("p", { class: "note" }, `What it is for: ${referral.note}`) : null,
    h("p", { class: "meta" }, referral.contactAgreed ? "They agreed you may contact them once you accept." : "They did not ask to be contacted directly: arrange it through the link worker."),
    h("div", { class: "actions" }, accept),
    form,
    message,
  );
}

// ---- Accepted: attendance -------------------------------------------------------------------

function sessionsLine(referral) {
  const came = referral.attended.map(shortDate);
  const missed = referral.missed.map(shortDate);
  const parts = [];
  if (came.length) parts.push(`Came: ${came.join(", ")}.`);
  if (missed.length) parts.push(`Did not come: ${missed.join(", ")}.`);
  return parts.length ? parts.join(" ") : "No sessions recorded yet.";
}

function acceptedItem(referral) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const sessions = h("p", { class: "sessions" }, sessionsLine(referral));
  const date = h("input", { id: `date-${referral.id}`, type: "date", value: today(), max: today(), required: true });
  const name = `came-${referral.id}`;
  const save = h("button", { type: "submit", class: "secondary" }, "Save");
  const form = h(
    "form",
    { novalidate: true, "aria-label": `Attendance of ${referral.firstName ?? "this person"} at ${referral.serviceName}` },
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: date.id }, "Session date"), date)),
    h(
      "fieldset",
      {},
      h("legend", {}, `Did ${referral.firstName ?? "they"} come?`),
      h("label", { class: "choice" }, h("input", { type: "radio", name, value: "yes" }), "Came"),
      h("label", { class: "choice" }, h("input", { type: "radio", name, value: "no" }), "Did not come"),
    ),
    save,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const came = form.querySelector("input:checked")?.value;
    if (!came) {
      say(message, "Choose whether they came.", "error");
      return;
    }
    await busy(save, async () => {
      try {
        const { recordAttendance } = await gql(ATTENDANCE, { id: referral.id, date: date.value, came: came === "yes" });
        if (recordAttendance.__typename !== "AttendanceRecorded") {
          say(message, recordAttendance.message, "error");
          return;
        }
        sessions.textContent = sessionsLine(recordAttendance.referral);
        say(message, `Saved for ${shortDate(date.value)}.`, "ok");
      } catch (error) {
        say(message, error.message, "error");
      }
    });
  });
  return h(
    "li",
    { "data-referral-id": referral.id },
    h("h3", {}, referral.firstName ?? "Someone referred", " ", h("span", { class: "meta" }, `at ${referral.serviceName}`)),
    h("p", { class: "meta" }, `Accepted ${dateTime(referral.decidedAt)}${referral.area ? ` · lives in ${referral.area}` : ""}`),
    referral.note ? h("p", { class: "note" }, `What it is for: ${referral.note}`) : null,
    referral.phone ? h("p", {}, "Phone: ", h("a", { href: `tel:${referral.phone.replaceAll(" ", "")}` }, referral.phone)) : h("p", { class: "meta" }, "Contact them through the link worker who referred them."),
    sessions,
    form,
    message,
  );
}

// ---- Declined -------------------------------------------------------------------------------

function declinedItem(referral) {
  const why = REASONS[referral.declineReason]?.replace(" (say which)", "") ?? "Declined";
  return h(
    "li",
    { "data-referral-id": referral.id },
    h("p", {}, h("strong", {}, referral.serviceName), " ", h("span", { class: "badge declined" }, "Declined"), h("span", { class: "meta" }, ` · ${dateTime(referral.decidedAt)}`)),
    h("p", { class: "meta" }, referral.declineNote ? `${why}: ${referral.declineNote}` : why),
  );
}

// ---- Services and their weekly places -------------------------------------------------------

function serviceItem(service) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const input = h("input", { id: `places-${service.id}`, type: "number", min: 0, max: 1000, step: 1, value: service.weeklyPlaces ?? "", "aria-describedby": `taken-${service.id}` });
  const taken = h("p", { class: "hint", id: `taken-${service.id}` }, takenWords(service));
  const save = h("button", { type: "submit", class: "secondary" }, "Save");
  const form = h(
    "form",
    { novalidate: true, "aria-label": `Weekly places at ${service.name}` },
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: input.id }, "New people a week"), input, taken), h("div", { class: "field" }, save)),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    const places = text === "" ? null : Number(text);
    if (places !== null && !(Number.isInteger(places) && places >= 0 && places <= 1000)) {
      input.setAttribute("aria-invalid", "true");
      say(message, "Places: a whole number from 0 to 1000, or empty for no limit.", "error");
      return;
    }
    input.removeAttribute("aria-invalid");
    await busy(save, async () => {
      try {
        const { setWeeklyPlaces } = await gql(PLACES, { id: service.id, places });
        taken.textContent = takenWords({ ...service, ...setWeeklyPlaces });
        say(message, "Saved.", "ok");
      } catch (error) {
        say(message, error.message, "error");
      }
    });
  });
  return h("li", { "data-service-id": service.id }, h("h3", {}, service.name), form, message);
}

function takenWords(service) {
  const limit = service.weeklyPlaces === null ? "no limit set" : `${service.weeklyPlaces} a week`;
  return `${service.acceptedThisWeek} accepted this week (${limit}).`;
}

// ---- Loading ---------------------------------------------------------------------------------

function fill(list, statusId, items, empty) {
  document.querySelector(list).replaceChildren(...items);
  say(document.querySelector(statusId), items.length ? "" : empty, "info");
}

async function load() {
  try {
    const [{ referralInbox }, { partnerServices }] = await Promise.all([gql(INBOX), gql(SERVICES)]);
    const of = (...states) => referralInbox.filter((r) => states.includes(r.status));
    fill("#waiting", "#waiting-status", of("MADE").map(waitingItem), "No referrals are waiting for an answer.");
    fill("#accepted", "#accepted-status", of("ACCEPTED", "ATTENDED").map(acceptedItem), "Nobody accepted yet.");
    fill("#declined", "#declined-status", of("DECLINED", "NOT_SUITABLE").map(declinedItem), "None declined.");
    fill("#services", "#services-status", partnerServices.map(serviceItem), "Your organisation offers no services here yet.");
  } catch (error) {
    say(pageMessage, error.message, "error");
  }
}

await load();
document.body.dataset.ready = "true";
