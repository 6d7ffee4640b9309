// The person's own page: their circle and coming visits, what is held about them (and a copy
// to download), who looked at it and why, and withdrawing consent.

import { gql, signedInAs } from "./api.js";
import { lonelinessWords } from "./check-in.js";
import { DAY_NAMES, busy, dateTime, dayOf, h, header, say, shortDate } from "./ui.js";

const MY_CIRCLE = `query {
  myCircle { members { firstName since } visits { id date start end status volunteers { firstName } } }
}`;
const MY_DATA = `query {
  myData {
    person {
      firstName lastName address postcode phone dateOfBirth area languages interests accessNeeds
      genderPreference visitsPerWeek visitMinutes visitWindows { day start end } need
      visitNotes { date volunteerFirstName note }
    }
    checkIns { at scale score loneliness }
    alerts { at reasons acknowledgedAt acknowledgedBy { name } note }
    referrals { id serviceName status createdAt }
    grants { id granteeName purpose scopes expiresAt active recordedBy given }
    accessLog { at actor purpose fields }
  }
}`;
const EXPORT = `query { exportMe }`;
const REVOKE = `mutation($id: ID!) {
  revokeAccess(grantId: $id) { __typename ... on GrantNotFound { message } }
}`;
const SCOPE_WORDS = { CONTACT: "how to contact you", NEEDS: "your needs", CHECKINS: "your check-ins", VISIT_NOTES: "notes from visits", PLAN: "your plan" };
const REFERRAL_WORDS = { made: "suggested to you", attended: "you went", declined: "you said no", not_suitable: "not right for you" };

const me = await signedInAs("person");
header(me, me.person?.firstName);

// ---- Circle and visits -----------------------------------------------------------------------

async function loadCircle() {
  const { myCircle } = await gql(MY_CIRCLE);
  const members = [...myCircle.members].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  document.querySelector("#circle").replaceChildren(
    ...(members.length
      ? members.map((m) => h("li", {}, h("strong", {}, m.firstName), m.since ? h("span", { class: "meta" }, ` · visiting you since ${shortDate(m.since)}`) : null))
      : [h("li", {}, "Nobody yet. Your coordinator is finding volunteers for you.")]),
  );
  const visits = myCircle.visits;
  document.querySelector("#visits").replaceChildren(
    ...visits.map((v) => {
      const who = v.volunteers.map((x) => x.firstName).join(" and ");
      return h(
        "li",
        { "data-visit-id": v.id },
        h("p", { class: "when" }, `${dayOf(v.date)}${v.start ? `, ${v.start}–${v.end}` : ""}`),
        h("p", {}, who ? `With ${who}` : "We are still finding someone for this visit."),
      );
    }),
  );
  say(document.querySelector("#visits-status"), visits.length ? "" : "No visits planned yet.", "info");
}

// ---- What is held, who looked, consent -------------------------------------------------------

function fact(term, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  return h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, Array.isArray(value) ? value.join(", ") : String(value)));
}

// What a check-in made the link workers look at, and who dealt with it, one line each.
function alertsFact(alerts) {
  if (!alerts.length) return null;
  const lines = alerts.map((a) => {
    const done = a.acknowledgedAt
      ? ` Dealt with by ${a.acknowledgedBy?.name ?? "your link worker"} on ${shortDate(a.acknowledgedAt)}${a.note ? `: “${a.note}”` : "."}`
      : " Not dealt with yet.";
    return h("li", {}, `${shortDate(a.at)}: ${a.reasons.join("; ")}.${done}`);
  });
  return h("div", { class: "fact" }, h("dt", {}, "Alerts from your check-ins"), h("dd", {}, h("ul", { class: "plain" }, ...lines)));
}

function needWords(need) {
  return need >= 0.67 ? "a lot" : need >= 0.34 ? "some" : "a little";
}

async function loadMyData() {
  const { myData } = await gql(MY_DATA);
  const p = myData.person;
  const windows = (p.visitWindows ?? []).map((w) => `${DAY_NAMES[w.day]} ${w.start}–${w.end}`);
  document.querySelector("#held").replaceChildren(
    ...[
      fact("Name", [p.firstName, p.lastName].filter(Boolean).join(" ")),
      fact("Address", [p.address, p.postcode].filter(Boolean).join(", ")),
      fact("Phone", p.phone),
      fact("Date of birth", p.dateOfBirth ? shortDate(p.dateOfBirth) : null),
      fact("Area", p.area),
      fact("Languages", p.languages),
      fact("Interests", p.interests),
      fact("Access needs", p.accessNeeds),
      fact("Volunteer preference", p.genderPreference),
      fact("Visits", p.visitsPerWeek != null ? `${p.visitsPerWeek} a week, about ${p.visitMinutes} minutes` : null),
      fact("Times that suit you", windows),
      fact("How much support we think you need", p.need != null ? needWords(p.need) : null),
      fact("Check-ins", myData.checkIns.length ? checkInWords(myData.checkIns) : "none yet"),
      alertsFact(myData.alerts),
      fact("Notes from visits", (p.visitNotes ?? []).length || "none"),
      fact("Referrals", myData.referrals.map((r) => `${r.serviceName ?? "a service"} (${REFERRAL_WORDS[r.status] ?? r.status})`)),
    ].filter(Boolean),
  );
  renderLog(myData.accessLog);
  renderGrants(myData.grants);
}

function checkInWords(checkIns) {
  const last = [...checkIns].sort((a, b) => b.at.localeCompare(a.at))[0];
  return `${checkIns.length}; the last on ${shortDate(last.at)}: ${lonelinessWords(last.loneliness)}`;
}

function renderLog(accessLog) {
  const log = [...accessLog].sort((a, b) => b.at.localeCompare(a.at));
  document.querySelector("#access-log").replaceChildren(
    ...log.map((entry) =>
      h(
        "li",
        {},
        h("p", { class: "when" }, dateTime(entry.at)),
        h("p", { class: "who" }, entry.actor),
        h("p", { class: "why" }, h("span", { class: "meta" }, "Why: "), entry.purpose),
        h("p", { class: "what" }, h("span", { class: "meta" }, "Saw: "), entry.fields.map((f) => f.replaceAll("_", " ")).join(", ")),
      ),
    ),
  );
  document.querySelector("#access-log").hidden = !log.length;
  say(document.querySelector("#log-status"), log.length ? "" : "Nobody else has looked at your record.", "info");
}

function renderGrants(grants) {
  const active = grants.filter((g) => g.active);
  document.querySelector("#grants").replaceChildren(...active.map(grantItem));
  say(document.querySelector("#consent-status"), active.length ? "" : "You have not let anyone else see your record.", "info");
}

const GIVEN_WORDS = { IN_PERSON: "in person", BY_PHONE: "by phone", ON_PAPER: "on paper" };

function grantItem(grant) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const who = grant.granteeName;
  const actions = h("div", { class: "actions" });
  const ask = h("button", { type: "button", class: "danger", "aria-label": `Withdraw consent from ${who}` }, "Withdraw consent");
  actions.append(ask);
  ask.addEventListener("click", () => {
    // Confirm in the page, next to the button: what will happen, and a way back.
    const yes = h("button", { type: "button", class: "danger" }, "Yes, withdraw it");
    const no = h("button", { type: "button", class: "secondary" }, "No, keep it");
    const question = h("p", { id: `confirm-${grant.id}` }, `${who} will no longer see ${grant.scopes.map((s) => SCOPE_WORDS[s] ?? s).join(", ")}. Withdraw your consent?`);
    const box = h("div", { class: "confirm", role: "group", "aria-labelledby": question.id }, question, h("div", { class: "actions" }, yes, no));
    no.addEventListener("click", () => {
      actions.replaceChildren(ask);
      ask.focus();
    });
    yes.addEventListener("click", () => withdraw(yes, grant, actions, message));
    actions.replaceChildren(box);
    yes.focus();
  });
  return h(
    "li",
    { "data-grant-id": grant.id },
    h("p", {}, h("strong", {}, who), ` — ${grant.purpose}`),
    h("p", { class: "meta" }, `Can see ${grant.scopes.map((s) => SCOPE_WORDS[s] ?? s).join(", ")}, until ${shortDate(grant.expiresAt)}`),
    ...(grant.recordedBy ? [h("p", { class: "meta" }, `Recorded for you by ${grant.recordedBy}, as you gave it ${GIVEN_WORDS[grant.given] ?? "to them"}.`)] : []),
    actions,
    message,
  );
}

async function withdraw(button, grant, actions, message) {
  await busy(button, async () => {
    try {
      const { revokeAccess } = await gql(REVOKE, { id: grant.id });
      if (revokeAccess.__typename === "GrantNotFound") {
        say(message, revokeAccess.message, "error");
        return;
      }
      actions.replaceChildren();
      say(message, `Withdrawn: ${grant.granteeName} can no longer see your record.`, "ok");
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

document.querySelector("#download").addEventListener("click", (event) =>
  busy(event.currentTarget, async () => {
    const status = document.querySelector("#held-status");
    try {
      const { exportMe } = await gql(EXPORT);
      const file = new Blob([exportMe], { type: "application/json" });
      const link = h("a", { href: URL.createObjectURL(file), download: "my-carecircles-record.json" });
      document.body.append(link);
      link.click();
      link.remove();
      say(status, "Downloaded: my-carecircles-record.json.", "ok");
    } catch (error) {
      say(status, error.message, "error");
    }
  }),
);

if (!me.person) {
  say(document.querySelector("#page-message"), "Your account is not linked to a record yet. Ask your coordinator.", "error");
} else {
  document.querySelector("#hello").textContent = `Hello, ${me.person.firstName}`;
  try {
    await Promise.all([loadCircle(), loadMyData()]);
  } catch (error) {
    say(document.querySelector("#page-message"), error.message, "error");
  }
}
document.body.dataset.ready = "true";
