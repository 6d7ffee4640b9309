// Sign in: email and password for a token, then the page for the person's role.

import { HOME_OF_ROLE, gql, keepToken, token, whoAmI } from "./api.js";
import { busy, say } from "./ui.js";

const SIGN_IN = `mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename
    ... on SignedIn { token me { role } }
    ... on SignInFailed { message }
  }
}`;

const form = document.querySelector("#sign-in");
const email = document.querySelector("#email");
const password = document.querySelector("#password");
const notice = document.querySelector("#notice");

function fieldError(input, text) {
  const error = document.querySelector(`#${input.id}-error`);
  error.textContent = text;
  error.hidden = !text;
  input.setAttribute("aria-invalid", text ? "true" : "false");
}

function goHome(role) {
  const home = HOME_OF_ROLE[role];
  if (home) {
    location.assign(home);
  } else {
    say(notice, "This account has no page here yet: administrators use the command line.", "error");
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(notice, "");
  fieldError(email, email.value.trim() ? "" : "Enter your email address.");
  fieldError(password, password.value ? "" : "Enter your password.");
  const firstEmpty = [email, password].find((input) => input.getAttribute("aria-invalid") === "true");
  if (firstEmpty) {
    firstEmpty.focus();
    return;
  }
  await busy(document.querySelector("#submit"), async () => {
    try {
      const { signIn } = await gql(SIGN_IN, { email: email.value.trim(), password: password.value });
      if (signIn.__typename === "SignInFailed") {
        fieldError(password, signIn.message);
        password.select();
        password.focus();
        return;
      }
      keepToken(signIn.token);
      goHome(signIn.me.role);
    } catch (error) {
      say(notice, error.message, "error");
    }
  });
});

if (new URLSearchParams(location.search).has("expired")) {
  say(notice, "Your session has ended. Please sign in again.", "info");
}
if (token()) {
  whoAmI().then((me) => goHome(me.role)).catch(() => {});
}
email.focus();
