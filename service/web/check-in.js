// The three loneliness scales, as questions with numbered options (API_CONTRACT.md).

import { h } from "./ui.js";

export const SCALES = {
  ONS1: {
    name: "One question (ONS)",
    options: ["Often or always", "Some of the time", "Occasionally", "Hardly ever", "Never"],
    items: ["How often do you feel lonely?"],
  },
  UCLA3: {
    name: "Three questions (UCLA)",
    options: ["Hardly ever", "Some of the time", "Often"],
    items: [
      "How often do you feel that you lack companionship?",
      "How often do you feel left out?",
      "How often do you feel isolated from others?",
    ],
  },
  DJG6: {
    name: "Six statements (De Jong Gierveld)",
    options: ["Yes", "More or less", "No"],
    items: [
      "I experience a general sense of emptiness.",
      "I miss having people around me.",
      "I often feel rejected.",
      "There are plenty of people I can lean on when I have problems.",
      "There are many people I can trust completely.",
      "There are enough people I feel close to.",
    ],
  },
};

/** A fieldset per question of `scale`; names are `${prefix}-q${i}`, values option numbers. */
export function questions(scale, prefix) {
  const { items, options } = SCALES[scale];
  return items.map((item, i) =>
    h(
      "fieldset",
      { id: `${prefix}-q${i}`, "aria-describedby": `${prefix}-q${i}-error` },
      h("legend", {}, item),
      options.map((option, j) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name: `${prefix}-q${i}`, value: j + 1 }),
          option,
        ),
      ),
      h("p", { class: "field-error", id: `${prefix}-q${i}-error`, hidden: true }),
    ),
  );
}

/** The chosen option numbers, or the index of the first unanswered question (`missing`) and
 * of every unanswered one (`allMissing`), so a form can say all of them at once. */
export function answers(form, scale, prefix) {
  const chosen = [];
  const allMissing = [];
  for (let i = 0; i < SCALES[scale].items.length; i += 1) {
    const checked = form.querySelector(`input[name="${prefix}-q${i}"]:checked`);
    if (!checked) allMissing.push(i);
    else chosen.push(Number(checked.value));
  }
  if (allMissing.length) return { missing: allMissing[0], allMissing };
  return { answers: chosen };
}

/** Says "Choose an answer to this question." beside every unanswered question; focus goes to
 * the first. */
export function showMissing(form, prefix, allMissing) {
  for (const i of allMissing) {
    const error = form.querySelector(`#${CSS.escape(`${prefix}-q${i}`)}-error`);
    if (error) {
      error.textContent = "Choose an answer to this question.";
      error.hidden = false;
    }
  }
  form.querySelector(`input[name="${prefix}-q${allMissing[0]}"]`)?.focus();
}

/** A scale chooser and its questions (labelled radio buttons), rebuilt when the scale changes. */
export function scalePicker(prefix, { none = null } = {}) {
  const box = h("div", { id: `${prefix}-questions` });
  const select = h(
    "select",
    { id: `${prefix}-scale`, name: "scale", onchange: () => box.replaceChildren(...(select.value ? questions(select.value, prefix) : [])) },
    none ? h("option", { value: "" }, none) : null,
    Object.entries(SCALES).map(([key, s]) => h("option", { value: key }, s.name)),
  );
  if (!none) box.replaceChildren(...questions(select.value, prefix));
  // Choosing an answer clears what was said about that question.
  box.addEventListener("change", (event) => {
    const error = event.target.closest("fieldset")?.querySelector(".field-error");
    if (error) {
      error.textContent = "";
      error.hidden = true;
    }
  });
  return { select, box };
}

/** Puts the API's typed InvalidAnswers next to the question it names ("answers[i]"); anything
 * else ("answers", "scale") goes to `fallback`. Returns the element that shows it. */
export function showInvalid(form, prefix, invalid, fallback) {
  const item = /^answers\[(\d+)\]$/.exec(invalid.field);
  const target = item ? form.querySelector(`#${CSS.escape(`${prefix}-q${item[1]}`)}-error`) : null;
  const element = target ?? fallback;
  element.textContent = invalid.message;
  element.dataset.kind = "error";
  element.hidden = false;
  if (target) form.querySelector(`input[name="${prefix}-q${item[1]}"]`)?.focus();
  return element;
}

/** Words for a loneliness level between 0 (least) and 1 (most lonely): the words module's. */
export { loneliness as lonelinessWords } from "./words.js";
