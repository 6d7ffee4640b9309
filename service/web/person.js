// The person's own page: their circle and visits, what is held about them, who looked at it,
// and withdrawing consent.

import { gql, namedType, signedInAs, typeInfo, typeText } from "./api.js";
import { DAY_NAMES, busy, dateTime, dayOf, h, header, say, shortDate } from "./ui.js";

const PERSON = `query($id: ID!) {
  person(id: $id) {
    id firstName lastName area visitsPerWeek visitMinutes
    visitWindows { day start end } circle { firstName since }
  }
}`;
const SCALARS = new Set(["SCALAR", "ENUM"]);

const me = await signedInAs("person");
header(me, me.person?.firstName);
const query = await typeInfo("Query");
const mutation = await typeInfo("Mutation");
const has = (info, name) => (info?.fields ?? []).find((f) => f.name === name);
let held = null;

/** Scalar field names of a type, and object fields as "name { scalars }" one level down. */
async function selection(typeName, depth = 1) {
  const type = await typeInfo(typeName);
  const parts = [];
  for (const field of type?.fields ?? []) {
    if (field.args.some((a) => a.type.kind === "NON_NULL")) continue;
    const inner = field.type.kind === "NON_NULL" ? field.type.ofType : field.type;
    const base = inner.kind === "LIST" ? (inner.ofType.kind === "NON_NULL" ? inner.ofType.ofType : inner.ofType) : inner;
    if (SCALARS.has(base.kind)) parts.push(field.name);
    else if (depth > 0 && base.kind === "OBJECT") parts.push(`${field.name} { ${await selection(base.name, depth - 1)} }`);
  }
  return parts.join(" ") || "__typename";
}

// ---- Circle and visits -----------------------------------------------------------------------

async function loadCircle() {
  if (!me.person) {
    say(document.querySelector("#page-message"), "Your account is not linked to a record yet. Ask your coordinator.", "error");
    return;
  }
  document.querySelector("#hello").textContent = `Hello, ${me.person.firstName}`;
  const { person } = await gql(PERSON, { id: me.person.id });
  const members = [...person.circle].sort((a, b) => (a.since ?? "").localeCompare(b.since ?? ""));
  document.querySelector("#circle").replaceChildren(
    ...(members.length
      ? members.map((m) => h("li", {}, h("strong", {}, m.firstName), m.since ? h("span", { class: "meta" }, ` · visiting you since ${shortDate(m.since)}`) : null))
      : [h("li", {}, "Nobody yet. Your coordinator is finding volunteers for you.")]),
  );
  if (!has(query, "myData")) {
    const known = { "First name": person.firstName, "Last name": person.lastName, Area: person.area, "Visits a week": person.visitsPerWeek };
    document.querySelector("#held").replaceChildren(
      ...Object.entries(known).filter(([, v]) => v != null).map(([k, v]) => h("div", { class: "metric" }, h("dt", {}, k), h("dd", { class: "sub" }, String(v)))),
    );
  }
  const windows = person.visitWindows.map((w) => `${DAY_NAMES[w.day]} ${w.start}–${w.end}`).join(", ");
  document.querySelector("#visits-status").hidden = true;
  if (has(query, "myCircle")) {
    await loadVisits();
  } else {
    say(document.querySelector("#visits-status"), `${person.visitsPerWeek} visit(s) a week of about ${person.visitMinutes} minutes${windows ? `, at times you said suit you: ${windows}` : ""}.`, "info");
  }
}

async function loadVisits() {
  const field = has(query, "myCircle");
  const fields = await selection(namedType(field.type), 2);
  const { myCircle } = await gql(`query { myCircle { ${fields} } }`);
  const visits = myCircle?.visits ?? [];
  document.querySelector("#visits").replaceChildren(
    ...visits.map((v) =>
      h("li", {}, h("p", { class: "when" }, `${v.date ? dayOf(v.date) : ""}${v.start ? `, ${v.start}` : ""}`), h("p", {}, (v.volunteers ?? []).map((x) => x.firstName).join(", ") || v.volunteerFirstName || "")),
    ),
  );
  if (!visits.length) say(document.querySelector("#visits-status"), "No visits planned yet.", "info");
}

// ---- What is held, who looked, consent -------------------------------------------------------

async function loadMyData() {
  const field = has(query, "myData");
  if (!field) {
    say(document.querySelector("#held-status"), "Some of what we hold is shown here; a full copy to download is not available yet.", "info");
    document.querySelector("#access-log").hidden = true;
    say(document.querySelector("#log-status"), "The list of who looked is not available yet.", "info");
    say(document.querySelector("#consent-status"), "Consent choices are not available yet.", "info");
    document.querySelector("#download").hidden = true;
    return;
  }
  const data = await gql(`query { myData { ${await selection(namedType(field.type), 2)} } }`);
  held = data.myData;
  const person = held.person ?? {};
  document.querySelector("#held").replaceChildren(
    ...Object.entries(person)
      .filter(([, value]) => value !== null && typeof value !== "object")
      .map(([key, value]) => h("div", { class: "metric" }, h("dt", {}, words(key)), h("dd", { class: "sub" }, String(value)))),
  );
  const log = [...(held.accessLog ?? [])].sort((a, b) => (b.at ?? "").localeCompare(a.at ?? ""));
  document.querySelector("#access-log tbody").replaceChildren(
    ...log.map((entry) => h("tr", {}, h("td", {}, dateTime(entry.at)), h("td", {}, entry.actor ?? ""), h("td", {}, entry.purpose ?? ""))),
  );
  document.querySelector("#access-log").hidden = !log.length;
  say(document.querySelector("#log-status"), log.length ? "" : "Nobody else has looked at your record.", "info");
  renderGrants(held.grants ?? held.consentGrants ?? []);
}

function words(key) {
  return key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());
}

function renderGrants(grants) {
  const status = document.querySelector("#consent-status");
  const active = grants.filter((g) => !g.revokedAt && g.active !== false);
  document.querySelector("#grants").replaceChildren(
    ...active.map((grant) => {
      const message = h("p", { class: "message", role: "status", hidden: true });
      const who = grant.granteeName ?? grant.grantee ?? grant.granteeId ?? "someone";
      const button = h("button", { type: "button", class: "danger", "aria-label": `Withdraw consent from ${who}` }, "Withdraw consent");
      button.addEventListener("click", () => withdraw(button, grant, message));
      return h(
        "li",
        { "data-grant-id": grant.id },
        h("p", {}, h("strong", {}, who), grant.purpose ? ` — ${grant.purpose}` : ""),
        grant.scopes ? h("p", { class: "meta" }, `Can see: ${grant.scopes.join(", ")}`) : null,
        grant.expiresAt ? h("p", { class: "meta" }, `Until ${shortDate(grant.expiresAt)}`) : null,
        has(mutation, "revokeAccess") ? h("div", { class: "actions" }, button) : null,
        message,
      );
    }),
  );
  say(status, active.length ? "" : "You have not given anyone extra access.", "info");
}

async function withdraw(button, grant, message) {
  const field = has(mutation, "revokeAccess");
  const arg = field.args[0];
  const operation = `mutation($value: ${typeText(arg.type)}) { revokeAccess(${arg.name}: $value) { __typename } }`;
  const value = arg.name === "input" ? { grantId: grant.id } : grant.id;
  await busy(button, async () => {
    try {
      await gql(operation, { value });
      say(message, "Withdrawn. They can no longer see your record.", "ok");
      button.remove();
    } catch (error) {
      say(message, error.message, "error");
    }
  });
}

document.querySelector("#download").addEventListener("click", () => {
  const file = new Blob([JSON.stringify(held, null, 2)], { type: "application/json" });
  const link = h("a", { href: URL.createObjectURL(file), download: "my-carecircles-record.json" });
  document.body.append(link);
  link.click();
  link.remove();
});

try {
  await Promise.all([loadCircle(), loadMyData()]);
} catch (error) {
  say(document.querySelector("#page-message"), error.message, "error");
}
document.body.dataset.ready = "true";
