// The person's choices beyond withdrawing a consent, in plain words: who may see their plan,
// letting an organisation that supports them see more (the plan included), and the people who
// can decide for them (delegates: add, stop). person.js calls `renderConsentChoices` each time
// it has loaded myData, and passes `reload` to load it again after a change.

import { gql } from "./api.js";
import { busy, h, say, shortDate, showErrors } from "./ui.js";
import * as words from "./words.js";

const GIVE = `mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id granteeName scopes } }`;
const DELEGATE = `mutation($input: DelegateInput!) { delegateConsent(input: $input) { id delegateName scopes expiresAt } }`;
const END = `mutation($id: ID!) {
  endDelegation(delegationId: $id) { __typename ... on DelegationNotFound { message } }
}`;
const DAY_MS = 86_400_000;
const LONGEST_DAYS = 730;
const UNTIL_WORDS = "Choose a date from tomorrow on, at most two years from today.";

let reloadMyData = async () => {};

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The end of the chosen day (UTC), as the API takes it; null for no date. */
function endOf(day) {
  return day ? `${day}T23:59:00Z` : null;
}

function dateField(input) {
  input.min = isoDay(Date.now() + DAY_MS);
  input.max = isoDay(Date.now() + (LONGEST_DAYS - 1) * DAY_MS);
  if (!input.value) input.value = isoDay(Date.now() + 365 * DAY_MS);
}

function untilProblem(input) {
  const day = input.value;
  return !day || day < input.min || day > input.max ? UNTIL_WORDS : "";
}

function scopeBoxes(container, name) {
  if (container.childElementCount) return;
  container.replaceChildren(
    ...words.SCOPE_CODES.map((code) =>
      h("label", { class: "choice" }, h("input", { type: "checkbox", name, value: code }), words.scopeLabel(code)),
    ),
  );
}

function checked(container) {
  return [...container.querySelectorAll("input:checked")].map((input) => input.value);
}

/** A field-named error from the API ("delegateEmail: nobody has ...") said beside its field. */
function serverError(error, fields, status) {
  const [name, ...rest] = String(error.message).split(": ");
  const field = fields[name];
  if (!field || !rest.length) return say(status, error.message, "error");
  const text = name === "expiresAt" ? UNTIL_WORDS : rest.join(": ");
  showErrors([[field, text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith(".") ? "" : ".")]]);
}

// ---- Who may see the plan --------------------------------------------------------------------

function renderPlanSeenBy(myData) {
  const seeing = myData.grants.filter((g) => g.active && g.scopes.includes("PLAN")).map((g) => g.granteeName);
  document.querySelector("#plan-seen-by").textContent = seeing.length
    ? `Who may see your plan: ${words.joined([...new Set(seeing)])}.`
    : "Nobody else may see your plan. You can let an organisation that supports you see it, below.";
}

// ---- Let an organisation see more ------------------------------------------------------------

function renderGiveForm(myData) {
  const choices = document.querySelector("#give-who-choices");
  const chosen = choices.querySelector("input:checked")?.value;
  choices.replaceChildren(
    ...(myData.organisations.length
      ? myData.organisations.map((o) =>
          h("label", { class: "choice" }, h("input", { type: "radio", name: "give-who", value: o.id, checked: o.id === chosen }), o.name),
        )
      : [h("p", {}, "No organisation supports you yet.")]),
  );
  scopeBoxes(document.querySelector("#give-what-choices"), "give-what");
  dateField(document.querySelector("#give-until"));
}

async function give(event) {
  event.preventDefault();
  const who = document.querySelector("#give-who");
  const what = document.querySelector("#give-what");
  const why = document.querySelector("#give-why");
  const until = document.querySelector("#give-until");
  const status = document.querySelector("#give-status");
  say(status, "");
  const organisation = who.querySelector("input:checked")?.value;
  const scopes = checked(what);
  const fine = showErrors([
    [who, organisation ? "" : "Choose who may see more."],
    [what, scopes.length ? "" : "Choose at least one thing they may see."],
    [why, why.value.trim() ? "" : "Say why, in a few words (for example: help with my plan)."],
    [until, untilProblem(until)],
  ]);
  if (!fine) return;
  const button = document.querySelector("#give");
  await busy(button, async () => {
    try {
      const input = { granteeOrganizationId: organisation, scopes, purpose: why.value.trim(), expiresAt: endOf(until.value) };
      const { grantAccess } = await gql(GIVE, { input });
      event.target.reset();
      await reloadMyData();
      say(status, `Done: ${grantAccess.granteeName} may now see ${words.joined(grantAccess.scopes.map(words.scope))}.`, "ok");
      status.tabIndex = -1;
      status.focus();
    } catch (error) {
      serverError(error, { granteeOrganizationId: who, scopes: what, purpose: why, expiresAt: until }, status);
    }
  });
}

// ---- People who can decide for you -----------------------------------------------------------

function delegateItem(d) {
  const what = words.joined(d.scopes.map(words.scope));
  const item = h(
    "li",
    { "data-delegation-id": d.id },
    h("p", {}, h("strong", {}, d.delegateName), ` can decide who may see ${what}.`),
    h("p", { class: "meta" }, `Since ${shortDate(d.createdAt)}, until ${shortDate(d.expiresAt)}.`),
  );
  if (!d.active) {
    item.append(h("p", {}, d.endedAt ? `You stopped this on ${shortDate(d.endedAt)}.` : `This ended on ${shortDate(d.expiresAt)}.`));
    return item;
  }
  const message = h("p", { class: "message", role: "status", hidden: true });
  const stop = h("button", { type: "button", class: "danger" }, `Stop ${d.delegateName} deciding for me`);
  stop.addEventListener("click", () =>
    busy(stop, async () => {
      try {
        const { endDelegation } = await gql(END, { id: d.id });
        if (endDelegation.__typename !== "DelegationEnded") return say(message, endDelegation.message, "error");
        await reloadMyData();
        const status = document.querySelector("#delegates-status");
        say(status, `Stopped: ${d.delegateName} can no longer decide for you. What they gave stays until it ends or you withdraw it, above.`, "ok");
        status.tabIndex = -1;
        status.focus();
      } catch (error) {
        say(message, error.message, "error");
      }
    }),
  );
  item.append(h("div", { class: "actions" }, stop), message);
  return item;
}

function renderDelegates(myData) {
  const shown = [...myData.delegates].sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));
  document.querySelector("#delegates").replaceChildren(...shown.map(delegateItem));
  const none = !myData.delegates.some((d) => d.active);
  say(document.querySelector("#delegates-status"), none ? "Nobody decides for you: only you do." : "", "info");
  scopeBoxes(document.querySelector("#delegate-what-choices"), "delegate-what");
  dateField(document.querySelector("#delegate-until"));
}

async function delegate(event) {
  event.preventDefault();
  const email = document.querySelector("#delegate-email");
  const what = document.querySelector("#delegate-what");
  const until = document.querySelector("#delegate-until");
  const status = document.querySelector("#delegate-status");
  say(status, "");
  const scopes = checked(what);
  const fine = showErrors([
    [email, /^\S+@\S+\.\S+$/.test(email.value.trim()) ? "" : "Write their email address, like name@example.org."],
    [what, scopes.length ? "" : "Choose at least one thing they may decide about."],
    [until, untilProblem(until)],
  ]);
  if (!fine) return;
  const button = document.querySelector("#delegate");
  await busy(button, async () => {
    try {
      const input = { delegateEmail: email.value.trim(), scopes, expiresAt: endOf(until.value) };
      const { delegateConsent } = await gql(DELEGATE, { input });
      event.target.reset();
      await reloadMyData();
      say(status, `Done: ${delegateConsent.delegateName} can decide who may see ${words.joined(delegateConsent.scopes.map(words.scope))}, until ${shortDate(delegateConsent.expiresAt)}.`, "ok");
      status.tabIndex = -1;
      status.focus();
    } catch (error) {
      serverError(error, { delegateEmail: email, scopes: what, expiresAt: until }, status);
    }
  });
}

document.querySelector("#give-form").addEventListener("submit", give);
document.querySelector("#delegate-form").addEventListener("submit", delegate);

/** Show the choices for the person's data as loaded; `reload` loads and shows it all again. */
export function renderConsentChoices(myData, reload) {
  reloadMyData = reload;
  renderPlanSeenBy(myData);
  renderGiveForm(myData);
  renderDelegates(myData);
}
