// Talks to /graphql. The bearer token lives in sessionStorage: it goes when the tab closes.

const TOKEN_KEY = "carecircles.token";

export class ApiError extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function signOut() {
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
