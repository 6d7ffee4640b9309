// Talks to /graphql. The bearer token lives in localStorage, so every tab of the browser shares
// one sign-in (signing out in one tab signs out all). An action whose session has ended is not
// lost: a sign-in box opens over the page, and once signed in (here or in another tab) the same
// request is sent again and the action carries on.

const TOKEN_KEY = "carecircles.token";

export class ApiError extends Error {}

export function token() {
  return localStorage.getItem(TOKEN_KEY) ?? sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(value) {
  localStorage.setItem(TOKEN_KEY, value);
  sessionStorage.removeItem(TOKEN_KEY);
}

function forgetToken() {
  localStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function signOut() {
  const bearer = token();
  forgetToken();
  if (bearer) {
    // Ends the token on the server too, where the API can (signOut); the page goes either way.
    await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query: "mutation { signOut }" }),
    }).catch(() => null);
  }
  location.assign("/");
}

// Another tab signed out, or signed in as someone else: this page follows.
window.addEventListener("storage", (event) => {
  if (event.key !== TOKEN_KEY || location.pathname === "/") return;
  if (!event.newValue) location.assign("/");
  else if (event.oldValue && event.newValue !== event.oldValue && !signInAgain.pending) location.reload();
});

async function send(query, variables) {
  const headers = { "Content-Type": "application/json" };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("CareCircles cannot be reached. Check your connection and try again.");
  }
  try {
    return await response.json();
  } catch {
    throw new ApiError(`CareCircles answered with an error (HTTP ${response.status}).`);
  }
}

/** Runs a GraphQL operation; returns its data or throws ApiError with the server's words. When
 * the session has ended, asks the user to sign in again and then runs it again. */
export async function gql(query, variables = {}) {
  for (;;) {
    const body = await send(query, variables);
    if (!body.errors?.length) return body.data;
    const message = body.errors.map((e) => e.message).join(" ");
    if (!message.startsWith("Sign in first") || location.pathname === "/") throw new ApiError(message);
    forgetToken();
    await signInAgain();
  }
}

const SIGN_IN = `mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    __typename ... on SignedIn { token } ... on SignInFailed { message }
  }
}`;

/** One sign-in box for every request that found the session ended; resolves once a token is
 * held again (signed in here, or in another tab). */
function signInAgain() {
  if (signInAgain.pending) return signInAgain.pending;
  const returnTo = document.activeElement;
  const dialog = document.createElement("dialog");
  dialog.className = "sign-in-again";
  dialog.setAttribute("aria-labelledby", "sign-in-again-title");
  dialog.innerHTML = `
    <h2 id="sign-in-again-title">Your session has ended</h2>
    <p>Sign in again and what you were doing will carry on.</p>
    <form novalidate>
      <div class="field"><label for="again-email">Email</label>
        <input id="again-email" type="email" autocomplete="username" aria-describedby="again-email-error">
        <p id="again-email-error" class="field-error" hidden></p></div>
      <div class="field"><label for="again-password">Password</label>
        <input id="again-password" type="password" autocomplete="current-password" aria-describedby="again-password-error">
        <p id="again-password-error" class="field-error" hidden></p></div>
      <div class="actions"><button type="submit">Sign in</button>
        <button type="button" class="secondary" data-leave>Go to the sign-in page</button></div>
    </form>`;
  document.body.append(dialog);
  const form = dialog.querySelector("form");
  const email = dialog.querySelector("#again-email");
  const password = dialog.querySelector("#again-password");
  const fieldError = (input, text) => {
    const error = dialog.querySelector(`#${input.id}-error`);
    error.textContent = text;
    error.hidden = !text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
  };
  signInAgain.pending = new Promise((resolve) => {
    const done = () => {
      window.removeEventListener("storage", fromAnotherTab);
      dialog.close();
      dialog.remove();
      signInAgain.pending = null;
      if (returnTo && document.contains(returnTo)) returnTo.focus();
      resolve();
    };
    const fromAnotherTab = (event) => {
      if (event.key === TOKEN_KEY && event.newValue) done();
    };
    window.addEventListener("storage", fromAnotherTab);
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    dialog.querySelector("[data-leave]").addEventListener("click", () => location.assign("/?expired=1"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      fieldError(email, email.value.trim() ? "" : "Enter your email address.");
      fieldError(password, password.value ? "" : "Enter your password.");
      const wrong = [email, password].find((input) => input.getAttribute("aria-invalid") === "true");
      if (wrong) {
        wrong.focus();
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      button.textContent = "Signing in…";
      try {
        const body = await send(SIGN_IN, { email: email.value.trim(), password: password.value });
        const result = body.data?.signIn;
        if (!result || result.__typename !== "SignedIn") {
          fieldError(password, result?.message ?? body.errors?.map((e) => e.message).join(" ") ?? "Could not sign in.");
          password.focus();
          return;
        }
        keepToken(result.token);
        done();
      } catch (error) {
        fieldError(password, error.message);
      } finally {
        button.disabled = false;
        button.textContent = "Sign in";
      }
    });
  });
  dialog.showModal();
  email.focus();
  return signInAgain.pending;
}
signInAgain.pending = null;

/** All nodes of a connection field, page by page (`pageOf(after)` returns the connection). */
export async function allPages(pageOf, limit = 20) {
  const nodes = [];
  let after = null;
  for (let page = 0; page < limit; page += 1) {
    const connection = await pageOf(after);
    nodes.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return nodes;
}

const FIELDS_OF = `query($name: String!) { __type(name: $name) { fields { name } } }`;
const known = new Map();

/** Whether the API has `field` on `typeName` yet (features that are still landing). */
export async function hasField(typeName, field) {
  if (!known.has(typeName)) {
    known.set(
      typeName,
      gql(FIELDS_OF, { name: typeName })
        .then((data) => new Set((data.__type?.fields ?? []).map((f) => f.name)))
        .catch(() => new Set()),
    );
  }
  return (await known.get(typeName)).has(field);
}

export const HOME_OF_ROLE = {
  volunteer: "/volunteer",
  coordinator: "/coordinator",
  link_worker: "/link-worker",
  person: "/person",
  partner: "/partner",
};

const ME = `query { me { id email role organizationId calendarUrl decidingFor
  volunteer { id firstName } person { id firstName } } }`;

/** Who is signed in; sends anyone else to the page for their role (or to sign in). */
export async function signedInAs(role) {
  if (!token()) {
    location.assign("/");
    return new Promise(() => {});
  }
  const { me } = await gql(ME);
  if (me.role !== role) {
    location.assign(HOME_OF_ROLE[me.role] ?? "/");
    return new Promise(() => {});
  }
  return me;
}

export async function whoAmI() {
  return (await gql(ME)).me;
}

const TYPE_OF = `query($name: String!) {
  __type(name: $name) {
    fields { name args { name type { kind name ofType { kind name ofType { kind name } } } }
             type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
    inputFields { name }
    possibleTypes { name }
  }
}`;
const types = new Map();

/** The API's description of a type (fields with their argument and result types), or null. */
export async function typeInfo(name) {
  if (!types.has(name)) {
    types.set(name, gql(TYPE_OF, { name }).then((d) => d.__type).catch(() => null));
  }
  return types.get(name);
}

/** "ID!", "[Alert!]!" ... from an introspected type reference. */
export function typeText(ref) {
  if (ref.kind === "NON_NULL") return `${typeText(ref.ofType)}!`;
  if (ref.kind === "LIST") return `[${typeText(ref.ofType)}]`;
  return ref.name;
}

/** The named type underneath lists and non-nulls. */
export function namedType(ref) {
  return ref.ofType ? namedType(ref.ofType) : ref.name;
}
