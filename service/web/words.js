// The pages' words for people: languages by name, "DBS-checked", scales by what was asked, what
// a consent covers, loneliness levels. The tables come from the words package (words/__init__.py,
// served as /assets/vocabulary.js); this module only puts them into sentences.

import { VOCABULARY } from "./vocabulary.js";

export const CHECKED = VOCABULARY.checked;

/** "a", "a and b", "a, b and c". */
export function joined(items, conjunction = "and") {
  const list = [...items];
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} ${conjunction} ${list[list.length - 1]}`;
}

/** "Polish" for "pl". */
export function language(code) {
  return VOCABULARY.languages[String(code).toLowerCase()] ?? "another language";
}

/** "Polish and English" for ["pl", "en"]. */
export function languages(codes) {
  return joined((codes ?? []).map(language));
}

export function access(code) {
  return VOCABULARY.access[code] ?? String(code).replaceAll("_", " ");
}

export function genderPreference(value) {
  return value ? `prefers a visit from ${VOCABULARY.genderPreference[value] ?? value}` : "";
}

/** What a consent scope ("CHECKINS" or "checkins") lets someone see, said to the person. */
export function scope(value) {
  return VOCABULARY.scopes[String(value).toLowerCase()] ?? String(value).toLowerCase().replaceAll("_", " ");
}

/** What a consent scope lets someone see, said to someone deciding for the person. */
export function scopeTheirs(value) {
  return VOCABULARY.scopesTheirs[String(value).toLowerCase()] ?? String(value).toLowerCase().replaceAll("_", " ");
}

/** The consent scopes as the API names them ("CONTACT"), in the order the words list them. */
export const SCOPE_CODES = Object.keys(VOCABULARY.scopes).map((code) => code.toUpperCase());

/** A scope's words as a label of its own ("How to contact you (address and phone)"). */
export function scopeLabel(value) {
  const said = scope(value);
  return said.charAt(0).toUpperCase() + said.slice(1);
}

/** A part of the record as the access log names it ("check_ins" -> "check-ins"). */
export function recordPart(field) {
  return VOCABULARY.recordParts[field] ?? field.replaceAll("_", " ");
}

/** The loneliness scale by what the person was asked, never its code. */
export function scale(code) {
  return VOCABULARY.scales[code] ?? "a loneliness check-in";
}

/** Words for a loneliness level between 0 (least) and 1 (most lonely). */
export function loneliness(value) {
  return VOCABULARY.lonelinessLevels.find(([floor]) => value >= floor)[1];
}

export function referralOutcome(status) {
  return VOCABULARY.referralOutcomes[status] ?? status.replaceAll("_", " ");
}

export function tie(kind) {
  return VOCABULARY.ties[kind] ?? String(kind ?? "knows them").replaceAll("_", " ");
}

export function possessive(name) {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

/** How much support someone needs (0..1), in words. */
export function need(value) {
  return value >= 0.67 ? "a lot" : value >= 0.34 ? "some" : "a little";
}

/** The latest change between the last two check-ins, in words (oldest first in `points`). */
export function latestChange(points, name) {
  if (!points.length) return `No check-ins with ${name} yet.`;
  const last = points[points.length - 1];
  if (points.length === 1) return `One check-in so far: ${name} said they feel ${loneliness(last.loneliness)}.`;
  const before = points[points.length - 2];
  const change = last.loneliness - before.loneliness;
  const now = loneliness(last.loneliness);
  if (Math.abs(change) < 0.05) return `At the last check-in ${name} felt about the same as the time before: ${now}.`;
  return `At the last check-in ${name} felt ${change > 0 ? "lonelier" : "less lonely"} than the time before: ${now}.`;
}

// What a button says while its action runs.
const BUSY = {
  Accept: "Accepting…",
  Decline: "Declining…",
  Refer: "Referring…",
  "Sign in": "Signing in…",
  "Yes, withdraw it": "Withdrawing…",
  "Give consent again": "Giving consent…",
  "Give consent": "Giving consent…",
  "Let them decide for me": "Saving…",
  "Save the outcome": "Saving…",
  "Record the check-in": "Recording…",
  "Confirm: dealt with": "Saving…",
  Publish: "Publishing…",
};

export function busyWords(label) {
  return BUSY[label.trim()] ?? null;
}
