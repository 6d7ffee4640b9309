// The page of someone a person chose to decide for them (a delegate: a son or daughter, a
// friend), in plain words: whom they decide for, about what and until when (actingFor), the
// consents in force for that person within it, and giving or withdrawing them (grantAccess,
// revokeAccess with the person's id: the API checks the delegation in the same statement that
// writes). Once the person stops it, or it ends, an action is refused and the page says so.

import { HOME_OF_ROLE, gql, token, whoAmI } from "./api.js";
import { busy, h, header, say, shortDate, showErrors } from "./ui.js";
import * as words from "./words.js";

const ACTING_FOR = `query {
  actingFor {
    delegationId personId personFirstName scopes expiresAt
    organisations { id name }
    grants { id granteeName purpose scopes createdAt expiresAt active madeBy recordedBy }
  }
}`;
const GIVE = `mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id granteeName scopes } }`;
const REVOKE = `mutation($id: ID!) {
  revokeAccess(grantId: $id) { __typename ... on GrantNotFound { message } }
}`;
const DELEGATE_ROLES = ["person", "volunteer", "coordinator", "link_worker"];
const DAY_MS = 86_400_000;
const LONGEST_DAYS = 730;
const UNTIL_WORDS = "Choose a date from tomorrow on, at most two years from today.";

let people = [];
let myEmail = "";

function theirs(scopes) {
  return words.joined(scopes.map(words.scopeTheirs));
}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function pageStatus(text, kind) {
  const status = document.querySelector("#status");
  say(status, text, kind);
  if (!text) return;
  status.tabIndex = -1;
  status.focus();
}

/** Loads whom the user decides for and shows it; returns the list. */
async function load() {
  people = (await gql(ACTING_FOR)).actingFor;
  render();
  return people;
}

/** After a refusal: load again, and if the person is gone say that the user can no longer
 * decide for them; returns whether they are gone. */
async function stillDeciding(someone) {
  const now = await load();
  if (now.some((p) => p.delegationId === someone.delegationId)) return true;
  const name = someone.personFirstName;
  pageStatus(`You can no longer decide for ${name}: ${name} stopped it, or it has ended. What you gave for ${name} stays until it ends or ${name} withdraws it.`, "error");
  return false;
}

// ---- One person ------------------------------------------------------------------------------

function whoGave(grant, name) {
  if (grant.madeBy?.endsWith(`(${myEmail})`)) return `You gave it for ${name}.`;
  if (grant.madeBy) return `Given for ${name} by ${grant.madeBy}.`;
  if (grant.recordedBy) return `Recorded for ${name} by ${grant.recordedBy}.`;
  return `${name} gave it.`;
}

function grantItem(someone, grant) {
  const name = someone.personFirstName;
  const message = h("p", { class: "message", role: "status", hidden: true });
  const actions = h("div", { class: "actions" });
  const ask = h("button", { type: "button", class: "danger" }, `Withdraw ${name}'s consent from ${grant.granteeName}`);
  actions.append(ask);
  ask.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger" }, "Yes, withdraw it");
    const no = h("button", { type: "button", class: "secondary" }, "No, keep it");
    const question = h("p", { id: `confirm-${grant.id}` }, `${grant.granteeName} will no longer see ${theirs(grant.scopes)}. Withdraw it for ${name}?`);
    const box = h("div", { class: "confirm", role: "group", "aria-labelledby": question.id }, question, h("div", { class: "actions" }, yes, no));
    no.addEventListener("click", () => {
      actions.replaceChildren(ask);
      ask.focus();
    });
    yes.addEventListener("click", () =>
      busy(yes, async () => {
        try {
          const { revokeAccess } = await gql(REVOKE, { id: grant.id });
          if (revokeAccess.__typename !== "AccessRevoked") {
            if (await stillDeciding(someone)) pageStatus(revokeAccess.message, "error");
            return;
          }
          await load();
          pageStatus(`Withdrawn: ${grant.granteeName} can no longer see ${theirs(grant.scopes)}. ${name} can see that you did it.`, "ok");
        } catch (error) {
          say(message, error.message, "error");
        }
      }),
    );
    actions.replaceChildren(box);
    yes.focus();
  });
  return h(
    "li",
    { "data-grant-id": grant.id },
    h("p", {}, h("strong", {}, grant.granteeName), ` may see ${theirs(grant.scopes)}.`),
    h("p", {}, `Why: “${grant.purpose}”. Since ${shortDate(grant.createdAt)}, until ${shortDate(grant.expiresAt)}.`),
    h("p", { class: "meta" }, whoGave(grant, name)),
    actions,
    message,
  );
}

function field(id, label, input, hint) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

function choices(id, legend, type, options) {
  return h(
    "fieldset",
    { id, "aria-describedby": `${id}-error` },
    h("legend", {}, legend),
    h("div", {}, options.length ? options.map(([value, text]) => h("label", { class: "choice" }, h("input", { type, name: id, value }), text)) : h("p", {}, "No organisation supports them yet.")),
    h("p", { id: `${id}-error`, class: "field-error", hidden: true }),
  );
}

function giveForm(someone, n) {
  const name = someone.personFirstName;
  const who = choices(`give-who-${n}`, "Who", "radio", someone.organisations.map((o) => [o.id, o.name]));
  const what = choices(
    `give-what-${n}`,
    "What they may see",
    "checkbox",
    someone.scopes.map((code) => [code, words.scopeTheirs(code).replace(/^./, (c) => c.toUpperCase())]),
  );
  const why = h("input", { id: `give-why-${n}`, type: "text", maxlength: 200, "aria-describedby": `give-why-${n}-error` });
  const until = h("input", {
    id: `give-until-${n}`,
    type: "date",
    min: isoDay(Date.now() + DAY_MS),
    max: isoDay(Date.now() + (LONGEST_DAYS - 1) * DAY_MS),
    value: isoDay(Date.now() + 365 * DAY_MS),
    "aria-describedby": `give-until-${n}-hint give-until-${n}-error`,
  });
  const button = h("button", { type: "submit" }, "Give consent");
  const status = h("p", { class: "message", role: "status", hidden: true });
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": `give-title-${n}` },
    who,
    what,
    field(`give-why-${n}`, `Why, in ${name}'s words or yours`, why),
    field(`give-until-${n}`, "Until", until, "At most two years from today."),
    h("div", { class: "actions" }, button),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(status, "");
    const organisation = who.querySelector("input:checked")?.value;
    const scopes = [...what.querySelectorAll("input:checked")].map((input) => input.value);
    const fine = showErrors([
      [who, organisation ? "" : "Choose who may see more."],
      [what, scopes.length ? "" : "Choose at least one thing they may see."],
      [why, why.value.trim() ? "" : "Say why, in a few words (for example: help with the plan)."],
      [until, !until.value || until.value < until.min || until.value > until.max ? UNTIL_WORDS : ""],
    ]);
    if (!fine) return;
    await busy(button, async () => {
      const input = { personId: someone.personId, granteeOrganizationId: organisation, scopes, purpose: why.value.trim(), expiresAt: `${until.value}T23:59:00Z` };
      try {
        const { grantAccess } = await gql(GIVE, { input });
        await load();
        pageStatus(`Done: ${grantAccess.granteeName} may now see ${theirs(grantAccess.scopes)}. ${name} can see that you gave it.`, "ok");
      } catch (error) {
        if (String(error.message).startsWith("Not allowed") && !(await stillDeciding(someone))) return;
        say(status, error.message, "error");
      }
    });
  });
  return form;
}

function personSection(someone, n) {
  const name = someone.personFirstName;
  const active = someone.grants.filter((g) => g.active);
  return h(
    "section",
    { class: "card", "aria-labelledby": `for-${n}`, "data-person-id": someone.personId },
    h("h2", { id: `for-${n}` }, `Deciding for ${name}`),
    h("p", { class: "chosen" }, `${name} chose you to decide who may see ${theirs(someone.scopes)}, until ${shortDate(someone.expiresAt)}.`),
    h("p", { class: "hint" }, `${name} sees everything you give or withdraw here, and can stop it at any time.`),
    h("h3", { id: `grants-title-${n}` }, `Who may see this about ${name} now`),
    active.length
      ? h("ul", { class: "plain items grants", "aria-labelledby": `grants-title-${n}` }, active.map((g) => grantItem(someone, g)))
      : h("p", { class: "none" }, "Nobody may see it at the moment."),
    h("h3", { id: `give-title-${n}` }, `Let an organisation that supports ${name} see more`),
    giveForm(someone, n),
  );
}

function render() {
  document.querySelector("#people").replaceChildren(...people.map(personSection));
  if (!people.length) {
    say(document.querySelector("#page-message"), "");
    document.querySelector("#people").replaceChildren(
      h("p", { id: "nobody", class: "card" }, "Nobody has chosen you to decide for them at the moment, so you cannot give or withdraw consent for anyone. If someone had chosen you, they have stopped it or it has ended."),
    );
  }
}

if (!token()) {
  location.assign("/");
} else {
  const me = await whoAmI();
  if (!DELEGATE_ROLES.includes(me.role)) {
    location.assign(HOME_OF_ROLE[me.role] ?? "/");
  } else {
    header(me, me.person?.firstName ?? me.volunteer?.firstName);
    myEmail = me.email;
    document.querySelector("#home").href = HOME_OF_ROLE[me.role];
    document.querySelector("#brand").href = HOME_OF_ROLE[me.role];
    try {
      await load();
    } catch (error) {
      say(document.querySelector("#page-message"), error.message, "error");
    }
    document.body.dataset.ready = "true";
  }
}
