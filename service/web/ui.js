// Small helpers for building the pages: elements, dates and times, messages.

import { signOut } from "./api.js";
import { busyWords } from "./words.js";

/** h("p", { class: "note" }, "text", child) -> element. `on*` attributes become listeners. */
export function h(tag, attributes = {}, ...children) {
  const svg = SVG_TAGS.has(tag);
  const element = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const SVG_TAGS = new Set(["svg", "g", "line", "polyline", "circle", "text", "title", "desc", "rect", "path"]);

const DAY_FORMAT = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  timeZone: "UTC",
});
const SHORT_DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "Europe/London",
});

export const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "Tuesday 24 November" from "2026-11-24". */
export function dayOf(isoDate) {
  return DAY_FORMAT.format(new Date(`${isoDate}T00:00:00Z`));
}

export function shortDate(iso) {
  return iso ? SHORT_DATE.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : "";
}

export function dateTime(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : "";
}

/** "10:00–11:00", or the window the visit may fall in when no time is fixed yet. */
export function timeOf(visit) {
  if (visit.start) return `${visit.start}–${visit.end}`;
  return `some time ${visit.earliest}–${visit.latest}`;
}

export function percent(fraction, digits = 0) {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** The ISO week label ("2026-W48") of a date, as <input type="week"> and the API use. */
export function weekLabel(day = new Date()) {
  const date = new Date(Date.UTC(day.getFullYear(), day.getMonth(), day.getDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(date.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((date - yearStart) / 86400000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Shows `text` in a message element (a live region), as an error or not. */
export function say(element, text, kind = "info") {
  element.textContent = text;
  element.dataset.kind = kind;
  element.hidden = !text;
}

// Pages that lead to "Deciding for someone" themselves (the person's page always asks).
const DECIDING_FOR_LINKED = ["/deciding-for", "/person"];

/** Fills the page header: who is signed in, a way to the page of those who chose them to
 * decide for them (when someone has), and a sign-out button. */
export function header(me, name) {
  const who = document.querySelector("#who");
  const decides = me.decidingFor > 0 && !DECIDING_FOR_LINKED.includes(location.pathname);
  who.replaceChildren(
    h("span", {}, `Signed in as ${name ?? me.email}`),
    ...(decides ? [h("a", { href: "/deciding-for", id: "deciding-for-header" }, "Deciding for someone")] : []),
    h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
  );
}

/** Runs `action` with `button` disabled and marked busy, so a double click does nothing. The
 * button says what is happening ("Accepting…") and the other buttons of its group (its
 * `.actions`) are disabled too, so a slow Accept cannot be followed by a Decline. */
export async function busy(button, action) {
  const group = button.closest(".actions") ?? button.parentElement;
  const others = [...(group?.querySelectorAll("button") ?? [])].filter((b) => b !== button && !b.disabled);
  const label = button.textContent;
  const words = busyWords(label);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (words) button.textContent = words;
  for (const other of others) other.disabled = true;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (words && button.textContent === words) button.textContent = label;
    for (const other of others) other.disabled = false;
  }
}

/** Every error of a form at once: `errors` maps an input (or fieldset) to its words, or to ""
 * when it is fine. Each is shown beside its field (the element named by its
 * aria-describedby), marked invalid, and focus goes to the first. Returns whether all are fine. */
export function showErrors(errors) {
  let first = null;
  for (const [field, text] of errors) {
    const id = field.getAttribute("aria-describedby")?.split(" ").find((x) => x.endsWith("-error"));
    const box = id ? document.getElementById(id) : null;
    if (box) {
      box.textContent = text;
      box.hidden = !text;
    }
    field.setAttribute("aria-invalid", text ? "true" : "false");
    if (text && !first) first = field;
  }
  if (first) (first.matches("fieldset") ? first.querySelector("input") : first).focus();
  return !first;
}

// Tables: a wrapper that scrolls sideways can be reached and scrolled from the keyboard (and is
// named by its section's heading); on a phone each row reads as a card, each cell headed by its
// column's name (data-label, from the table's header row).
function labelTables(root) {
  for (const wrap of root.querySelectorAll?.(".table-wrap:not([tabindex])") ?? []) {
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    const heading = wrap.closest("section")?.querySelector("h2, h3");
    wrap.setAttribute("aria-label", `Table: ${heading?.textContent.trim() || "details"}`);
  }
  const tables = [...(root.querySelectorAll?.("table") ?? [])];
  if (root.matches?.("table")) tables.push(root);
  for (const table of tables) {
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (names[i] && !cell.dataset.label) cell.dataset.label = names[i];
      });
    }
  }
}

if (typeof document !== "undefined") {
  labelTables(document);
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === 1) labelTables(node.closest?.("table") ?? node);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}
