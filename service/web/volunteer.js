// The volunteer's page: their week (accept or decline what is proposed, cancel an accepted visit
// with a reason, log a visit and correct the log for a day), days away, open visits to claim,
// calendar link. A visit whose day has passed offers no Accept, Decline or Cancel.

import { allPages, gql, signedInAs } from "./api.js";
import { answers, scalePicker, showInvalid } from "./check-in.js";
import { busy, dayOf, h, header, say, timeOf } from "./ui.js";

const VISIT_FIELDS = "id date day start end earliest latest durationMinutes status personFirstName area goingAlongTo { name area }";
const MY_VISITS = `query { myVisits { ${VISIT_FIELDS} myStatus note address correctableUntil } }`;
const OPEN_VISITS = `query($after: String) {
  openVisits(first: 50, after: $after) {
    edges { node { ${VISIT_FIELDS} distanceKm } } pageInfo { hasNextPage endCursor }
  }
}`;
const CLAIM = `mutation($id: ID!) {
  claimVisit(visitId: $id) {
    __typename
    ... on VisitClaimed { visit { id myStatus } }
    ... on VisitUnavailable { message }
    ... on NotEligible { reasons }
  }
}`;
const ACCEPT = `mutation($id: ID!) {
  acceptVisit(visitId: $id) { __typename ... on VisitUnavailable { message } }
}`;
const DECLINE = `mutation($id: ID!) {
  declineVisit(visitId: $id) {
    __typename ... on VisitDeclined { message } ... on VisitUnavailable { message }
  }
}`;
const CANCEL = `mutation($id: ID!, $reason: String) {
  cancelVisit(visitId: $id, reason: $reason) {
    __typename ... on VisitCancelled { message } ... on VisitUnavailable { message }
  }
}`;
const AWAY = `mutation($from: String!, $to: String!, $reason: String) {
  cancelMyDays(fromDate: $from, toDate: $to, reason: $reason) { visitIds message }
}`;
const PREFERENCES = `query { myNoticePreferences { channel quietFrom quietTo } }`;
const SET_PREFERENCES = `mutation($channel: NoticeChannel!, $from: String, $to: String) {
  setNoticePreferences(channel: $channel, quietFrom: $from, quietTo: $to) { channel quietFrom quietTo }
}`;
const LOG = `mutation($id: ID!, $outcome: VisitOutcome!, $note: String) {
  logVisit(visitId: $id, outcome: $outcome, note: $note) {
    __typename ... on VisitUnavailable { message }
  }
}`;
const CHECK_IN = `mutation($input: CheckInInput!) {
  recordCheckIn(input: $input) {
    __typename ... on CheckInRecorded { checkIn { id score } } ... on InvalidAnswers { field message }
  }
}`;
const NOTE_MAX = 500;

const STATUS_WORDS = {
  proposed: "Proposed to you",
  accepted: "Accepted",
  done: "Done",
  missed: "Missed",
  declined: "Declined",
};

const me = await signedInAs("volunteer");
const firstName = me.volunteer?.firstName;
header(me, firstName);
document.querySelector("#hello").textContent = firstName ? `Hello, ${firstName}` : "Your visits";
// A check-in after a visit names the visit; the API finds its person.

const myList = document.querySelector("#my-visits");
const openList = document.querySelector("#open-visits");
const weekStatus = document.querySelector("#week-status");
const openStatus = document.querySelector("#open-status");

/** Today as "YYYY-MM-DD" (the visit dates the API gives). */
function todayIso() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

function isPast(visit) {
  return visit.date < todayIso();
}

function when(visit) {
  return `${dayOf(visit.date)}, ${timeOf(visit)}`;
}

function where(visit) {
  const along = visit.goingAlongTo;
  if (along) return `Going along with ${visit.personFirstName} to ${along.name}${along.area ? `, meet there (${along.area})` : ", meet there"}`;
  return [visit.personFirstName, visit.area].filter(Boolean).join(" · ");
}

// ---- Your week -------------------------------------------------------------------------------

async function loadMyVisits() {
  try {
    const { myVisits } = await gql(MY_VISITS);
    const current = myVisits.filter((v) => !["declined", "cancelled", "withdrawn"].includes(v.myStatus));
    myList.replaceChildren(...current.map(myVisitItem));
    if (!current.length) {
      myList.append(h("li", { class: "meta" }, "Nothing proposed to you yet. Claim an open visit below."));
    }
  } catch (error) {
    say(weekStatus, error.message, "error");
  }
}

function myVisitItem(visit) {
  const status = visit.myStatus ?? visit.status;
  const message = h("p", { class: "message", role: "status", hidden: true });
  const item = h(
    "li",
    { "data-visit-id": visit.id, "data-status": status },
    h("p", { class: "when" }, when(visit)),
    h("p", {}, where(visit), " ", h("span", { class: `badge ${status}` }, STATUS_WORDS[status] ?? status)),
    visit.address ? h("p", { class: "meta" }, `Address: ${visit.address}`) : null,
    visit.note ? h("p", { class: "meta" }, `Your note: ${visit.note}`) : null,
  );
  const actions = h("div", { class: "actions" });
  const label = `the visit with ${visit.personFirstName} on ${dayOf(visit.date)}`;
  const past = isPast(visit);
  if (status === "proposed" && past) {
    item.append(h("p", { class: "meta" }, "This visit's day has passed."), message);
    return item;
  }
  if (status === "proposed") {
    actions.append(
      h("button", { type: "button", "aria-label": `Accept ${label}`, onclick: (e) => accept(e.currentTarget, visit, message) }, "Accept"),
      h("button", { type: "button", class: "danger", "aria-label": `Decline ${label}`, onclick: (e) => decline(e.currentTarget, visit, message) }, "Decline"),
    );
  } else if (status === "accepted") {
    const form = logForm(visit, message);
    const cancel = past ? null : cancelForm(visit, message);
    actions.append(
      opens(form, { label: `Log ${label}`, focus: "input" }, "Log the visit"),
      cancel ? opens(cancel, { label: `Cancel ${label}`, focus: "textarea", kind: "danger" }, "Cancel visit") : null,
    );
    item.append(actions, form);
    if (cancel) item.append(cancel);
    item.append(message);
    return item;
  } else if ((status === "done" || status === "missed") && visit.correctableUntil && new Date(visit.correctableUntil) > new Date()) {
    const form = logForm(visit, message, { correcting: status });
    actions.append(opens(form, { label: `Correct the log of ${label}`, focus: "input" }, "Correct the log"));
    item.append(actions, form, message);
    return item;
  }
  item.append(actions, message);
  return item;
}

/** A button that shows and hides `form` (focusing its first `focus` element when shown). */
function opens(form, { label, focus, kind = "secondary" }, text) {
  return h("button", {
    type: "button",
    class: kind,
    "aria-expanded": "false",
    "aria-controls": form.id,
    "aria-label": label,
    onclick: (e) => {
      form.hidden = !form.hidden;
      e.currentTarget.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) form.querySelector(focus).focus();
    },
  }, text);
}

// Cancelling an accepted visit asks for a reason and a confirmation; the coordinator finds
// someone else and the person is told.
function cancelForm(visit, message) {
  const id = `cancel-${visit.id}`;
  const reasonError = h("p", { class: "field-error", id: `${id}-reason-error`, hidden: true });
  const form = h(
    "form",
    { id, hidden: true, novalidate: true, class: "confirm", "aria-label": `Cancel the visit with ${visit.personFirstName}` },
    h("p", {}, `Cancel your visit with ${visit.personFirstName} on ${when(visit)}? Your coordinator will find someone else and ${visit.personFirstName} will be told.`),
    h(
      "div",
      { class: "field" },
      h("label", { for: `${id}-reason` }, "Why can you not go?"),
      h("textarea", { id: `${id}-reason`, name: "reason", maxlength: 300, required: true, "aria-describedby": reasonError.id }),
      reasonError,
    ),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "danger" }, "Yes, cancel the visit"),
      h("button", { type: "button", class: "secondary", onclick: () => { form.hidden = true; } }, "Keep it"),
    ),
  );
  form.querySelector("textarea").addEventListener("input", () => say(reasonError, ""));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.querySelector("textarea").value.trim();
    say(reasonError, reason ? "" : "Say briefly why, so your coordinator knows.");
    if (!reason) {
      form.querySelector("textarea").focus();
      return;
    }
    await busy(form.querySelector("button[type=submit]"), async () => {
      try {
        const { cancelVisit } = await gql(CANCEL, { id: visit.id, reason });
        if (cancelVisit.__typename === "VisitUnavailable") {
          say(message, cancelVisit.message, "error");
          return;
        }
        await loadMyVisits();
        announce(`You cancelled the visit with ${visit.personFirstName} on ${when(visit)}. ${cancelVisit.message}`);
      } catch (error) {
        say(reasonError, error.message.startsWith("reason") ? error.message : "");
        if (!error.message.startsWith("reason")) say(message, error.message, "error");
      }
    });
  });
  return form;
}

async function accept(button, visit, message) {
  await busy(button, async () => {
    try {
      const { acceptVisit } = await gql(ACCEPT, { id: visit.id });
      if (acceptVisit.__typename === "VisitUnavailable") {
        say(message, acceptVisit.message, "error");
        return;
      }
      await loadMyVisits();
      announce(`You accepted the visit with ${visit.personFirstName} on ${when(visit)}.`);
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

async function decline(button, visit, message) {
  await busy(button, async () => {
    try {
      const { declineVisit } = await gql(DECLINE, { id: visit.id });
      if (declineVisit.__typename === "VisitUnavailable") {
        say(message, declineVisit.message, "error");
        return;
      }
      await Promise.all([loadMyVisits(), loadOpenVisits()]);
      announce(`You declined the visit with ${visit.personFirstName} on ${when(visit)}. ${declineVisit.message}`);
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

function announce(text) {
  say(weekStatus, text, "ok");
  weekStatus.tabIndex = -1;
  weekStatus.focus();
}

function logForm(visit, message, { correcting = null } = {}) {
  const id = `log-${visit.id}`;
  const outcomeError = h("p", { class: "field-error", id: `${id}-outcome-error`, hidden: true });
  const noteError = h("p", { class: "field-error", id: `${id}-note-error`, hidden: true });
  const form = h(
    "form",
    { id, hidden: true, novalidate: true, "aria-label": `Log the visit with ${visit.personFirstName}` },
    h(
      "fieldset",
      { class: "outcome", "aria-describedby": outcomeError.id },
      h("legend", {}, correcting ? `You logged it as ${correcting}. How did it go?` : "How did it go?"),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "outcome", value: "DONE" }), "Done: I visited"),
      h("label", { class: "choice" }, h("input", { type: "radio", name: "outcome", value: "MISSED" }), "Missed: the visit did not happen"),
      outcomeError,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: `${id}-note` }, "Note (optional)"),
      h("p", { class: "hint", id: `${id}-note-hint` }, `Anything the coordinator should know. Up to ${NOTE_MAX} characters.`),
      h("textarea", { id: `${id}-note`, name: "note", maxlength: NOTE_MAX, "aria-describedby": `${id}-note-hint ${noteError.id}` }),
      noteError,
    ),
    correcting ? null : checkInPart(visit, id),
    h("button", { type: "submit" }, "Save"),
  );
  form.addEventListener("change", (event) => {
    if (event.target.name === "outcome") say(outcomeError, "");
  });
  let logged = false; // the visit is logged; only the check-in is left to save
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const outcome = form.querySelector("input[name=outcome]:checked")?.value;
    say(outcomeError, outcome ? "" : "Choose done or missed.");
    if (!outcome) {
      form.querySelector("input[name=outcome]").focus();
      return;
    }
    const note = form.querySelector("textarea").value.trim();
    const checkIn = readCheckIn(form, id);
    if (checkIn?.invalid) return;
    await busy(form.querySelector("button[type=submit]"), async () => {
      try {
        if (!logged) {
          const { logVisit } = await gql(LOG, { id: visit.id, outcome, note: note || null });
          if (logVisit.__typename === "VisitUnavailable") {
            say(message, logVisit.message, "error");
            return;
          }
          logged = true;
        }
        let extra = "";
        if (checkIn?.input && outcome === "DONE") {
          const { recordCheckIn } = await gql(CHECK_IN, { input: { ...checkIn.input, visitId: visit.id } });
          if (recordCheckIn.__typename === "InvalidAnswers") {
            // The visit is logged; keep the form so the answer can be put right and saved.
            form.querySelector("fieldset.outcome").disabled = true;
            form.querySelector("textarea").disabled = true;
            say(message, `The visit is logged as done. The check-in is not saved yet: ${recordCheckIn.message}`, "error");
            showInvalid(form, id, recordCheckIn, message);
            return;
          }
          extra = " The check-in is recorded.";
        }
        await loadMyVisits();
        announce(`${correcting ? "Corrected: logged" : "Logged"} the visit with ${visit.personFirstName} as ${outcome === "DONE" ? "done" : "missed"}.${extra}`);
      } catch (error) {
        say(noteError, error.message.startsWith("note") ? error.message : "");
        if (!error.message.startsWith("note")) say(message, error.message, "error");
      }
    });
  });
  return form;
}

function checkInPart(visit, id) {
  const { select: scale, box } = scalePicker(id, { none: "No check-in this time" });
  return h(
    "details",
    { class: "field" },
    h("summary", {}, `Add a check-in with ${visit.personFirstName} (optional)`),
    h("p", { class: "hint" }, "After a visit that happened, and only if they are happy to answer. Read each question to them as written."),
    h("label", { for: scale.id }, "Questions"),
    scale,
    box,
  );
}

function readCheckIn(form, id) {
  const scale = form.querySelector(`#${CSS.escape(id)}-scale`)?.value;
  if (!scale) return null;
  const result = answers(form, scale, id);
  if (result.missing !== undefined) {
    for (const i of result.allMissing) {
      say(form.querySelector(`#${CSS.escape(`${id}-q${i}`)}-error`), "Choose an answer to this question, or choose “No check-in this time”.");
    }
    form.querySelector(`input[name="${id}-q${result.missing}"]`).focus();
    return { invalid: true };
  }
  return { input: { scale, answers: result.answers } };
}

// ---- Open visits -----------------------------------------------------------------------------

async function loadOpenVisits() {
  try {
    const visits = await allPages(async (after) => (await gql(OPEN_VISITS, { after })).openVisits, 4);
    openList.replaceChildren(...visits.map(openVisitItem));
    say(openStatus, visits.length ? "" : "No open visits near you right now.", "info");
  } catch (error) {
    say(openStatus, error.message, "error");
  }
}

function openVisitItem(visit) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const distance = visit.distanceKm != null ? `${visit.distanceKm.toFixed(1)} km from you` : null;
  const button = h(
    "button",
    {
      type: "button",
      "aria-label": `Claim the visit with ${visit.personFirstName} on ${dayOf(visit.date)} at ${visit.start ?? visit.earliest}`,
      onclick: () => claim(button, visit, message),
    },
    "Claim",
  );
  return h(
    "li",
    { "data-visit-id": visit.id },
    h("p", { class: "when" }, when(visit)),
    h("p", {}, where(visit), distance ? h("span", { class: "meta" }, ` · ${distance}`) : null),
    h("div", { class: "actions" }, button),
    message,
  );
}

async function claim(button, visit, message) {
  await busy(button, async () => {
    try {
      const { claimVisit } = await gql(CLAIM, { id: visit.id });
      if (claimVisit.__typename === "VisitClaimed") {
        say(message, `The visit with ${visit.personFirstName} is yours. It is in your week above.`, "ok");
        button.remove();
        await loadMyVisits();
      } else if (claimVisit.__typename === "VisitUnavailable") {
        say(message, `This visit is no longer available: ${claimVisit.message}`, "error");
        button.remove();
      } else {
        say(message, `You cannot take this visit: ${claimVisit.reasons.join("; ")}.`, "error");
      }
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

// ---- Days away ---------------------------------------------------------------------------------

const awayForm = document.querySelector("#away-form");
const awayStatus = document.querySelector("#away-status");
const awayConfirm = document.querySelector("#away-confirm");
awayForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const from = awayForm.querySelector("#away-from").value;
  const to = awayForm.querySelector("#away-to").value;
  const reason = awayForm.querySelector("#away-reason").value.trim();
  if (!from || !to || to < from) {
    say(awayStatus, "Choose the first and last day you cannot visit (the last on or after the first).", "error");
    return;
  }
  if (!reason) {
    say(awayStatus, "Say briefly why, so your coordinator knows.", "error");
    awayForm.querySelector("#away-reason").focus();
    return;
  }
  say(awayStatus, "");
  document.querySelector("#away-question").textContent =
    `Give up every visit you hold from ${dayOf(from)} to ${dayOf(to)}? Your coordinator will find someone else.`;
  awayConfirm.hidden = false;
  awayConfirm.querySelector("button").focus();
});
document.querySelector("#away-yes").addEventListener("click", (e) =>
  busy(e.currentTarget, async () => {
    const from = awayForm.querySelector("#away-from").value;
    const to = awayForm.querySelector("#away-to").value;
    const reason = awayForm.querySelector("#away-reason").value.trim();
    try {
      const { cancelMyDays } = await gql(AWAY, { from, to, reason });
      awayConfirm.hidden = true;
      say(awayStatus, cancelMyDays.message, "ok");
      await Promise.all([loadMyVisits(), loadOpenVisits()]);
    } catch (error) {
      say(awayStatus, error.message, "error");
    }
  }),
);
document.querySelector("#away-no").addEventListener("click", () => {
  awayConfirm.hidden = true;
});

document.querySelector("#refresh-open").addEventListener("click", (e) => busy(e.currentTarget, loadOpenVisits));

// ---- E-mails ----------------------------------------------------------------------------------

const emailsForm = document.querySelector("#emails-form");
const emailsStatus = document.querySelector("#emails-status");
async function loadPreferences() {
  try {
    const { myNoticePreferences: p } = await gql(PREFERENCES);
    emailsForm.querySelector("#emails-channel").value = p.channel;
    emailsForm.querySelector("#quiet-from").value = p.quietFrom ?? "";
    emailsForm.querySelector("#quiet-to").value = p.quietTo ?? "";
  } catch (error) {
    say(emailsStatus, error.message, "error");
  }
}
emailsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const from = emailsForm.querySelector("#quiet-from").value || null;
  const to = emailsForm.querySelector("#quiet-to").value || null;
  if (Boolean(from) !== Boolean(to)) {
    say(emailsStatus, "Give both times of your quiet hours, or neither.", "error");
    return;
  }
  busy(emailsForm.querySelector("button"), async () => {
    try {
      const channel = emailsForm.querySelector("#emails-channel").value;
      await gql(SET_PREFERENCES, { channel, from, to });
      say(emailsStatus, channel === "NONE" ? "Saved: no e-mails." : from ? `Saved: e-mails, but none between ${from} and ${to}.` : "Saved: e-mails.", "ok");
    } catch (error) {
      say(emailsStatus, error.message, "error");
    }
  });
});

// ---- Calendar --------------------------------------------------------------------------------

const calendarUrl = document.querySelector("#calendar-url");
const calendarStatus = document.querySelector("#calendar-status");
if (me.calendarUrl) {
  calendarUrl.value = new URL(me.calendarUrl, location.origin).href;
} else {
  document.querySelector("#calendar").hidden = true;
}
document.querySelector("#copy-calendar").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(calendarUrl.value);
    say(calendarStatus, "Copied. Paste it into your calendar app as a subscription.", "ok");
  } catch {
    calendarUrl.select();
    say(calendarStatus, "Your browser did not let us copy: the link is selected, copy it with Ctrl+C.", "info");
  }
});

await Promise.all([loadMyVisits(), loadOpenVisits(), loadPreferences()]);
document.body.dataset.ready = "true";
