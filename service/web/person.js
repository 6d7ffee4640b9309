// The person's own page, in plain words: a summary, their choices (who can see what: each
// consent with who gave it; withdraw, give again, download; give consent and choose who decides
// for them: person-consent.js) and what staff see without their consent; who visits (regular visitors, then
// coming visits, confirmed and only asked said apart); everything held about them (as the
// download holds it, relationships and referral notes included); who looked, grouped.

import { gql, signedInAs } from "./api.js";
import { DAY_NAMES, busy, dayOf, h, header, say, shortDate } from "./ui.js";
import * as words from "./words.js";
import { renderConsentChoices } from "./person-consent.js";

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
    checkIns { at scale loneliness }
    alerts { at reasons acknowledgedAt acknowledgedBy { name } note }
    referrals { id serviceName status note createdAt }
    grants { id granteeId granteeKind granteeName purpose scopes createdAt expiresAt revokedAt active recordedBy given madeBy revokedBy }
    delegates { id delegateName scopes createdAt expiresAt endedAt active }
    organisations { id name }
    accessLog { at actor purpose fields }
    ties { firstName kind }
    interests
    seenWithoutConsent
  }
}`;
const EXPORT = `query { exportMe }`;
const REVOKE = `mutation($id: ID!) {
  revokeAccess(grantId: $id) { __typename ... on GrantNotFound { message } }
}`;
const GRANT = `mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id } }`;
const LOG_GROUPS_SHOWN = 8;
const DAY_MS = 86_400_000;
const ARRANGING = "arranging visits";
const LONDON_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" });

const me = await signedInAs("person");
header(me, me.person?.firstName);
let data = null;
let circleData = null;

// ---- Who visits ------------------------------------------------------------------------------

const VISIT_WORDS = {
  accepted: (who) => `${who} is coming.`,
  done: (who) => `${who} came.`,
  proposed: (who) => `${who} has been asked to come and has not said yes yet.`,
  open: () => "We are still finding someone for this visit.",
};

async function loadCircle() {
  const { myCircle } = await gql(MY_CIRCLE);
  const members = [...myCircle.members].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  const visits = myCircle.visits;
  const asked = visits.some((v) => v.volunteers.length);
  document.querySelector("#circle").replaceChildren(
    ...(members.length
      ? members.map((m) => h("li", {}, h("strong", {}, m.firstName), m.since ? ` has been visiting you since ${shortDate(m.since)}.` : " visits you."))
      : [h("li", {}, asked ? "Nobody visits you regularly yet. Your coming visits, below, say who has been asked." : "Nobody visits you regularly yet. Your coordinator is finding volunteers for you.")]),
  );
  document.querySelector("#visits").replaceChildren(
    ...visits.map((v) => {
      const who = words.joined(v.volunteers.map((x) => x.firstName));
      const status = who ? v.status : "open";
      const sentence = (VISIT_WORDS[status] ?? VISIT_WORDS.open)(who);
      return h(
        "li",
        { "data-visit-id": v.id, "data-status": status },
        h("p", { class: "when" }, `${dayOf(v.date)}${v.start ? `, ${v.start} to ${v.end}` : ""}`),
        h("p", {}, sentence),
      );
    }),
  );
  say(document.querySelector("#visits-status"), visits.length ? "" : "No visits planned yet.", "info");
  circleData = { members, visits };
  return circleData;
}

// ---- What is held ----------------------------------------------------------------------------

function fact(term, value, wide = false) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  const shown = Array.isArray(value) ? h("ul", { class: "plain" }, value.map((line) => h("li", {}, line))) : String(value);
  return h("div", { class: wide ? "fact wide" : "fact" }, h("dt", {}, term), h("dd", {}, shown));
}

function alertLines(alerts) {
  return alerts.map((a) => {
    const done = a.acknowledgedAt
      ? ` Your link worker (${a.acknowledgedBy?.name ?? "a link worker"}) dealt with it on ${shortDate(a.acknowledgedAt)}${a.note ? `: “${a.note}”` : "."}`
      : " Your link worker has not got back to you about it yet.";
    return `${shortDate(a.at)}: ${a.reasons.join(" ")}${done}`;
  });
}

function checkInLines(checkIns) {
  return [...checkIns]
    .sort((a, b) => b.at.localeCompare(a.at))
    .map((c) => `${shortDate(c.at)}: you answered ${words.scale(c.scale)}; you said you felt ${words.loneliness(c.loneliness)}.`);
}

function renderHeld(myData) {
  const p = myData.person;
  const windows = (p.visitWindows ?? []).map((w) => `${DAY_NAMES[w.day]} ${w.start} to ${w.end}`);
  document.querySelector("#held").replaceChildren(
    ...[
      fact("Name", [p.firstName, p.lastName].filter(Boolean).join(" ")),
      fact("Address", [p.address, p.postcode].filter(Boolean).join(", ")),
      fact("Phone", p.phone),
      fact("Date of birth", p.dateOfBirth ? shortDate(p.dateOfBirth) : null),
      fact("Area", p.area),
      fact("Languages you speak", p.languages?.length ? words.languages(p.languages) : null),
      fact("Interests", myData.interests),
      fact("Access needs", (p.accessNeeds ?? []).map(words.access)),
      fact("Who you would like to visit you", words.genderPreference(p.genderPreference)),
      fact("Visits", p.visitsPerWeek != null ? `${p.visitsPerWeek} a week, about ${p.visitMinutes} minutes each` : null),
      fact("Times that suit you", windows),
      fact("How much support we think you need", p.need != null ? words.need(p.need) : null),
      fact("People who know you", myData.ties.map((t) => `${t.firstName ?? "Someone"} (${words.tie(t.kind)})`)),
      fact("Check-ins", myData.checkIns.length ? checkInLines(myData.checkIns) : "None yet.", true),
      fact("Alerts: when your check-ins asked your link worker to get in touch", alertLines(myData.alerts), true),
      fact("Notes volunteers wrote after visits", (p.visitNotes ?? []).map((n) => `${shortDate(n.date)}, ${n.volunteerFirstName}: “${n.note}”`), true),
      fact(
        "Groups and services you were referred to",
        myData.referrals.map((r) => `${r.serviceName ?? "A service"}: ${words.referralOutcome(r.status)}, ${shortDate(r.createdAt)}${r.note ? `. Note: “${r.note}”` : ""}`),
        true,
      ),
    ].filter(Boolean),
  );
}

// ---- Who looked ------------------------------------------------------------------------------

function londonDay(iso) {
  return LONDON_DAY.format(new Date(iso));
}

function purposeWords(purpose) {
  return purpose === ARRANGING ? "to arrange your visits" : `for “${purpose}”`;
}

/** Entries grouped by who and day (newest first): what they saw that day, why, how many times. */
function groupLog(accessLog) {
  const groups = new Map();
  for (const entry of [...accessLog].sort((a, b) => b.at.localeCompare(a.at))) {
    const key = `${entry.actor}|${londonDay(entry.at)}`;
    if (!groups.has(key)) groups.set(key, { actor: entry.actor, parts: new Set(), at: entry.at, times: 0, purposes: new Set() });
    const group = groups.get(key);
    group.times += 1;
    for (const part of entry.fields) group.parts.add(words.recordPart(part));
    group.purposes.add(entry.purpose);
  }
  return [...groups.values()].map((g) => ({ ...g, parts: [...g.parts].sort() }));
}

function renderLog(accessLog) {
  const groups = groupLog(accessLog);
  const list = document.querySelector("#access-log");
  list.replaceChildren(
    ...groups.map((g, i) =>
      h(
        "li",
        { hidden: i >= LOG_GROUPS_SHOWN },
        h("p", { class: "when" }, shortDate(g.at)),
        h("p", { class: "who" }, g.actor),
        h("p", { class: "what" }, `Saw your ${words.joined(g.parts)}${g.times > 1 ? ` (${g.times} looks that day)` : ""}.`),
        h("p", { class: "why" }, `Why: ${words.joined([...g.purposes].map(purposeWords))}.`),
      ),
    ),
  );
  list.hidden = !groups.length;
  const more = document.querySelector("#log-more");
  more.hidden = groups.length <= LOG_GROUPS_SHOWN;
  more.textContent = `Show all ${groups.length}`;
  more.onclick = () => {
    for (const item of list.children) item.hidden = false;
    more.hidden = true;
    list.children[LOG_GROUPS_SHOWN]?.setAttribute("tabindex", "-1");
    list.children[LOG_GROUPS_SHOWN]?.focus();
  };
  const people = new Set(accessLog.map((e) => e.actor));
  const month = accessLog.filter((e) => Date.now() - Date.parse(e.at) <= 30 * DAY_MS);
  document.querySelector("#log-summary").textContent = accessLog.length
    ? `${people.size === 1 ? "One person has" : `${people.size} people have`} looked at your record, ${accessLog.length === 1 ? "once" : `${accessLog.length} times`}; ${month.length === accessLog.length ? "all" : month.length} of them in the last 30 days. The newest first:`
    : "";
  say(document.querySelector("#log-status"), accessLog.length ? "" : "Nobody else has looked at your record.", "info");
}

// ---- Choices: consent ------------------------------------------------------------------------

function scopesInWords(scopes) {
  return words.joined(scopes.map(words.scope));
}

/** What staff see without consent, and why, from the API's own list (service/consent/policy). */
function withoutConsentWords(myData) {
  const parts = words.joined(myData.seenWithoutConsent.map(words.recordPart));
  return `Without your consent, coordinators and link workers of the organisations that support you still see your ${parts}, and your visits, so that your visits can be arranged. Nobody sees anything else of your record unless you agree.`;
}

function renderGrants(myData) {
  const active = myData.grants.filter((g) => g.active);
  document.querySelector("#grants").replaceChildren(...active.map(grantItem));
  say(document.querySelector("#consent-status"), active.length ? "" : "You have not let anyone see more of your record.", "info");
  document.querySelector("#without-consent").replaceChildren(h("p", { id: "without-consent-text" }, withoutConsentWords(myData)));
  // Ended consents, newest first; one per person and purpose, unless given again since.
  const givenAgain = new Set(active.map((g) => `${g.granteeId}|${g.purpose}`));
  const seen = new Set();
  const ended = myData.grants
    .filter((g) => !g.active)
    .sort((a, b) => (b.revokedAt ?? b.expiresAt).localeCompare(a.revokedAt ?? a.expiresAt))
    .filter((g) => {
      const key = `${g.granteeId}|${g.purpose}`;
      if (givenAgain.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  document.querySelector("#ended").replaceChildren(...ended.map(endedItem));
  document.querySelector("#ended-box").hidden = !ended.length;
}

const GIVEN_WORDS = { IN_PERSON: "in person", BY_PHONE: "by phone", ON_PAPER: "on paper" };

function grantItem(grant) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const who = grant.granteeName;
  const actions = h("div", { class: "actions" });
  const ask = h("button", { type: "button", class: "danger" }, `Withdraw consent from ${who}`);
  actions.append(ask);
  ask.addEventListener("click", () => {
    // Confirm in the page, next to the button: what will happen, and a way back.
    const yes = h("button", { type: "button", class: "danger" }, "Yes, withdraw it");
    const no = h("button", { type: "button", class: "secondary" }, "No, keep it");
    const question = h("p", { id: `confirm-${grant.id}` }, `${who} will no longer see ${scopesInWords(grant.scopes)}. Withdraw your consent?`);
    const box = h("div", { class: "confirm", role: "group", "aria-labelledby": question.id }, question, h("div", { class: "actions" }, yes, no));
    no.addEventListener("click", () => {
      actions.replaceChildren(ask);
      ask.focus();
    });
    yes.addEventListener("click", () => withdraw(yes, grant, item, message));
    actions.replaceChildren(box);
    yes.focus();
  });
  const item = h(
    "li",
    { "data-grant-id": grant.id },
    h("p", {}, h("strong", {}, who), ` may see ${scopesInWords(grant.scopes)}.`),
    h("p", {}, `Why: “${grant.purpose}”. Since ${shortDate(grant.createdAt)}, until ${shortDate(grant.expiresAt)}.`),
    grant.recordedBy ? h("p", { class: "meta" }, `Recorded for you by ${grant.recordedBy}, as you gave it ${GIVEN_WORDS[grant.given] ?? "to them"}.`) : null,
    grant.madeBy ? h("p", { class: "meta made-by" }, `Given for you by ${grant.madeBy}, whom you chose to decide for you.`) : null,
    !grant.recordedBy && !grant.madeBy ? h("p", { class: "meta" }, "You gave it yourself.") : null,
    actions,
    message,
  );
  return item;
}

async function withdraw(button, grant, item, message) {
  await busy(button, async () => {
    try {
      const { revokeAccess } = await gql(REVOKE, { id: grant.id });
      if (revokeAccess.__typename === "GrantNotFound") {
        say(message, revokeAccess.message, "error");
        message.tabIndex = -1;
        message.focus();
        return;
      }
      await loadMyData();
      // The withdrawn consent is now among the ended ones: focus goes to what was said there.
      const ended = document.querySelector(`#ended > li[data-grantee-id="${CSS.escape(grant.granteeId)}"]`);
      const done = ended?.querySelector(".message") ?? document.querySelector("#consent-status");
      say(done, `Withdrawn: ${grant.granteeName} can no longer see ${scopesInWords(grant.scopes)}. ${withoutConsentWords(data)}`, "ok");
      done.tabIndex = -1;
      done.focus();
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

function endedItem(grant) {
  const message = h("p", { class: "message", role: "status", hidden: true });
  const again = h("button", { type: "button", class: "secondary", "aria-describedby": `ended-${grant.id}` }, "Give consent again");
  again.addEventListener("click", () => giveAgain(again, grant, message));
  const withdrawn = grant.revokedBy ? `${grant.revokedBy} withdrew it for you on` : "You withdrew it on";
  const when = grant.revokedAt ? `${withdrawn} ${shortDate(grant.revokedAt)}.` : `It ended on ${shortDate(grant.expiresAt)}.`;
  return h(
    "li",
    { "data-grant-id": grant.id, "data-grantee-id": grant.granteeId },
    h("p", { id: `ended-${grant.id}` }, h("strong", {}, grant.granteeName), ` could see ${scopesInWords(grant.scopes)}, for “${grant.purpose}”. ${when}`),
    h("div", { class: "actions" }, again),
    message,
  );
}

async function giveAgain(button, grant, message) {
  // For as long as it was first given (at most the two years a consent may last).
  const length = Math.min(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt), 730 * DAY_MS - DAY_MS);
  const input = {
    purpose: grant.purpose,
    scopes: grant.scopes,
    expiresAt: new Date(Date.now() + Math.max(length, 30 * DAY_MS)).toISOString(),
    [grant.granteeKind === "organization" ? "granteeOrganizationId" : "granteeUserId"]: grant.granteeId,
  };
  await busy(button, async () => {
    try {
      await gql(GRANT, { input });
      await loadMyData();
      const item = document.querySelector(`#grants > li[data-grant-id]:last-child`);
      const status = document.querySelector("#consent-status");
      say(status, `Given again: ${grant.granteeName} may see ${scopesInWords(grant.scopes)} again.`, "ok");
      status.hidden = false;
      (item?.querySelector("button") ?? status).focus();
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

// ---- The summary and loading -----------------------------------------------------------------

function renderSummary(circle, myData) {
  const confirmed = circle.visits.filter((v) => v.volunteers.length && (v.status === "accepted" || v.status === "done")).length;
  const asked = circle.visits.filter((v) => v.volunteers.length && v.status === "proposed").length;
  const finding = circle.visits.length - confirmed - asked;
  const visits = circle.visits.length
    ? `You have ${circle.visits.length === 1 ? "one visit" : `${circle.visits.length} visits`} coming: ${words.joined(
        [confirmed ? `${confirmed} confirmed` : null, asked ? `${asked} where someone has been asked` : null, finding ? `${finding} where we are still finding someone` : null].filter(Boolean),
      )}.`
    : "You have no visits planned yet.";
  const active = myData.grants.filter((g) => g.active).length;
  const consent = active ? `You have let ${active === 1 ? "one person or organisation" : `${active} people or organisations`} see more of your record.` : "You have not let anyone see more of your record than it takes to arrange your visits.";
  const looked = new Set(myData.accessLog.map((e) => e.actor)).size;
  document.querySelector("#summary").textContent = `${visits} ${consent} ${looked ? `${looked === 1 ? "One person has" : `${looked} people have`} looked at your record.` : "Nobody else has looked at your record."}`;
}

async function loadMyData() {
  data = (await gql(MY_DATA)).myData;
  renderHeld(data);
  renderLog(data.accessLog);
  renderGrants(data);
  renderConsentChoices(data, loadMyData);
  if (circleData) renderSummary(circleData, data);
  return data;
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
    const [circle, myData] = await Promise.all([loadCircle(), loadMyData()]);
    renderSummary(circle, myData);
  } catch (error) {
    say(document.querySelector("#page-message"), error.message, "error");
  }
}
document.body.dataset.ready = "true";
