// Talks to /graphql. The bearer token lives in sessionStorage: it goes when the tab closes.

const TOKEN_KEY = "carecircles.token";

export class ApiError extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** Ends the token on the server too (a copy of it left anywhere stops working), then forgets it. */
export async function signOut() {
  if (token()) {
    try {
      await gql("mutation { signOut }");
    } catch {
      // Unreachable or already ended: forgetting it here is all that is left to do.
    }
  }
  sessionStorage.removeItem(TOKEN_KEY);
  location.assign("/");
}

/** Runs a GraphQL operation; returns its data or throws ApiError with the server's words. */
export async function gql(query, variables = {}) {
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
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`CareCircles answered with an error (HTTP ${response.status}).`);
  }
  if (body.errors?.length) {
    const message = body.errors.map((e) => e.message).join(" ");
    if (message.startsWith("Sign in first")) {
      sessionStorage.removeItem(TOKEN_KEY);
      location.assign("/?expired=1");
    }
    throw new ApiError(message);
  }
  return body.data;
}

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

export const HOME_OF_ROLE = {
  volunteer: "/volunteer",
  coordinator: "/coordinator",
  link_worker: "/link-worker",
  person: "/person",
  partner: "/partner",
};

const ME = `query { me { id email role organizationId calendarUrl volunteer { id firstName }
  person { id firstName } } }`;

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
