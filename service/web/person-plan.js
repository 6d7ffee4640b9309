// The person's own plan on their page, in plain words and large type: what matters to them,
// their goals (whose wording they can change), what they will do towards each, and when it
// will next be looked at together; the groups they go to, where they can say whom they know
// they saw there. Loaded by person.html; it adds its own section.

import { gql } from "./api.js";
import { busy, h, say, shortDate } from "./ui.js";

const MY_PLAN = `query { myPlan { id whatMatters status nextReview
  goals { id text expected targetDate steps activities { kind serviceName who accompaniedVisits } }
  reviews { at } } }`;
const REWORD = `mutation($id: ID!, $text: String!) { rewordGoal(goalId: $id, text: $text) {
  __typename ... on GoalUpdated { goal { id text } } ... on InvalidPlan { message }
  ... on PlanNotOpen { message } } }`;

const ME = `query { me { person { id } } }`;
const GROUPS = `query($id: ID!) { groupsAttended(personId: $id) {
  serviceId serviceName times people { personId firstName knownAs } } }`;
const MET = `mutation($input: PeopleMetInput!) { recordPeopleMet(input: $input) { __typename
  ... on InvalidPlan { message } ... on NotAttended { message } } }`;

const stylesheet = h("link", { rel: "stylesheet", href: "/assets/plan.css" });
document.head.append(stylesheet);
const section = h("section", { class: "card", id: "my-plan", "aria-labelledby": "my-plan-title" },
  h("h2", { id: "my-plan-title" }, "Your plan"),
  h("div", { id: "my-plan-body" }),
  h("div", { id: "my-groups" }),
  h("p", { id: "my-plan-status", class: "message", role: "status", hidden: true }));
const anchor = document.querySelector("#page-message");
anchor.after(section);

function doing(a) {
  if (a.kind === "SERVICE") {
    const along = a.accompaniedVisits ? ` A volunteer will go with you the first ${a.accompaniedVisits === 1 ? "time" : `${a.accompaniedVisits} times`}.` : "";
    return `Go to ${a.serviceName ?? "a group"}.${along}`;
  }
  if (a.kind === "RECONNECT") return `Get back in touch with ${a.who}.`;
  return "Talk about it with the people who visit you.";
}

function goalItem(goal, index) {
  const text = h("p", { class: "goal-text" }, goal.text);
  const change = h("button", { type: "button", class: "secondary" }, "Change the words");
  const item = h("li", { class: "goal-card", "data-goal-id": goal.id },
    h("h3", {}, `Goal ${index + 1}`),
    text,
    h("p", {}, `By ${shortDate(goal.targetDate)}`),
    goal.steps.length ? h("ul", {}, ...goal.steps.map((s) => h("li", {}, s))) : null,
    ...goal.activities.map((a) => h("p", {}, doing(a))),
    h("div", { class: "actions" }, change));
  change.addEventListener("click", () => {
    const box = h("textarea", { rows: "3", maxlength: "300", "aria-label": `New words for goal ${index + 1}` }, goal.text);
    const save = h("button", { type: "submit" }, "Save the new words");
    const cancel = h("button", { type: "button", class: "secondary" }, "Keep it as it was");
    const form = h("form", {}, box, h("div", { class: "actions" }, save, cancel));
    const status = document.querySelector("#my-plan-status");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(save, async () => {
        const { rewordGoal } = await gql(REWORD, { id: goal.id, text: box.value });
        if (rewordGoal.__typename !== "GoalUpdated") {
          box.setAttribute("aria-invalid", "true");
          return say(status, rewordGoal.__typename === "InvalidPlan" ? "Please write a few words for your goal (up to 300 letters)." : rewordGoal.message, "error");
        }
        goal.text = rewordGoal.goal.text;
        text.textContent = goal.text;
        form.replaceWith(text);
        change.hidden = false;
        say(status, "Your goal now reads the way you put it.", "ok");
      });
    });
    cancel.addEventListener("click", () => {
      form.replaceWith(text);
      change.hidden = false;
    });
    text.replaceWith(form);
    change.hidden = true;
    box.focus();
  });
  return item;
}

async function loadPlan() {
  const body = document.querySelector("#my-plan-body");
  const { myPlan } = await gql(MY_PLAN);
  if (!myPlan) {
    body.replaceChildren(h("p", {}, "You do not have a plan yet. Your link worker can write one with you, if you would like one."));
    return;
  }
  const current = myPlan.status === "ACTIVE" || myPlan.status === "PAUSED";
  const parts = [
    h("p", {}, "What matters to you:"),
    h("p", { class: "goal-text", id: "my-what-matters" }, myPlan.whatMatters),
    myPlan.status === "PAUSED" ? h("p", {}, "Your plan is on hold for now.") : null,
    !current ? h("p", {}, "This plan has finished. Your link worker can start a new one with you.") : null,
    h("ol", { class: "plain", id: "my-goals" }, ...myPlan.goals.map((g, i) => {
      const item = goalItem(g, i);
      if (!current) item.querySelector(".actions").remove();
      return item;
    })),
    current && myPlan.nextReview ? h("p", { id: "my-next-review" }, `You and your link worker will look at how it is going on ${shortDate(myPlan.nextReview)}.`) : null,
  ];
  body.replaceChildren(...parts.filter(Boolean));
}

function groupItem(personId, group) {
  const times = group.times === 1 ? "once" : `${group.times} times`;
  const item = h("li", { class: "goal-card", "data-service-id": group.serviceId },
    h("p", { class: "goal-text" }, group.serviceName),
    h("p", {}, `You have been ${times}.`));
  if (!group.people.length) return item;
  const boxes = group.people.map((p) =>
    h("label", { class: "choice" }, h("input", { type: "checkbox", value: p.personId }), `${p.firstName} (${p.knownAs})`));
  const save = h("button", { type: "button" }, `I saw them at ${group.serviceName}`);
  const status = document.querySelector("#my-plan-status");
  save.addEventListener("click", () => busy(save, async () => {
    const ids = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    if (!ids.length) return say(status, "Tick the people you saw there.", "error");
    const input = { personId, serviceId: group.serviceId, metPersonIds: ids };
    const { recordPeopleMet: done } = await gql(MET, { input });
    if (done.__typename !== "PeopleMetRecorded") return say(status, done.message, "error");
    for (const box of boxes) box.querySelector("input").checked = false;
    say(status, `Thank you: we have noted who you saw at ${group.serviceName}.`, "ok");
  }));
  item.append(h("fieldset", {}, h("legend", {}, "People you know who go there too"), ...boxes), h("div", { class: "actions" }, save));
  return item;
}

async function loadGroups() {
  const { me } = await gql(ME);
  if (!me.person) return;
  const { groupsAttended } = await gql(GROUPS, { id: me.person.id });
  if (!groupsAttended.length) return;
  document.querySelector("#my-groups").replaceChildren(
    h("h3", {}, "Groups you go to"),
    h("ul", { class: "plain", id: "my-groups-list" }, ...groupsAttended.map((g) => groupItem(me.person.id, g))));
}

Promise.all([loadPlan(), loadGroups()])
  .catch((error) => say(document.querySelector("#my-plan-status"), error.message, "error"))
  .finally(() => {
    section.dataset.ready = "true";
  });
