"""The schema walk: every query and mutation, and every field of every object type, has a
declared access policy (the ``@policy`` directive of service/access.py), read from the schema the
server serves (its SDL, parsed by graphql-core), so a new field without one fails here."""

from __future__ import annotations

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_directive_values,
)

from service.consent import policy as consent_policy
from service.schema import schema

ROOTS = ("Query", "Mutation")


def _served() -> GraphQLSchema:
    return build_schema(schema.as_str())


def _rules(node: object, served: GraphQLSchema) -> list[str] | None:
    directive = served.get_directive("policy")
    assert directive is not None, "the schema has no @policy directive"
    values = get_directive_values(directive, node)  # type: ignore[arg-type]
    return None if values is None else list(values["rules"])


def _object_types(served: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        t
        for name, t in sorted(served.type_map.items())
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
    ]


def test_every_query_and_mutation_declares_who_may_use_it() -> None:
    served = _served()
    missing = []
    for root in ROOTS:
        kind = served.get_type(root)
        assert isinstance(kind, GraphQLObjectType)
        for name, field in kind.fields.items():
            rules = _rules(field.ast_node, served)
            if not rules:
                missing.append(f"{root}.{name}")
    assert not missing, f"no @policy declared on: {', '.join(missing)}"
    mutation = served.get_type("Mutation")
    assert isinstance(mutation, GraphQLObjectType) and len(mutation.fields) >= 20


def test_every_field_of_every_type_has_a_declared_policy() -> None:
    served = _served()
    missing = []
    walked = 0
    for kind in _object_types(served):
        if kind.name in ROOTS:
            continue
        on_type = _rules(kind.ast_node, served)
        for name, field in kind.fields.items():
            walked += 1
            if not (_rules(field.ast_node, served) or on_type):
                missing.append(f"{kind.name}.{name}")
    assert not missing, f"no @policy declared on: {', '.join(missing)}"
    assert walked > 200  # the whole schema was walked, not an empty one


def test_the_person_fields_declare_the_scope_the_policy_enforces() -> None:
    """Person's declared rules come from service.consent.policy.PERSON_FIELDS, which the
    resolvers enforce: a field needing a consent scope names it, and only the arranging-visits
    fields are open to the person's own organisation without consent."""
    served = _served()
    person = served.get_type("Person")
    assert isinstance(person, GraphQLObjectType)
    for snake, scope in consent_policy.PERSON_FIELDS.items():
        camel = snake.split("_")[0] + "".join(w.title() for w in snake.split("_")[1:])
        rules = _rules(person.fields[camel].ast_node, served)
        assert rules, camel
        own_org = any("own organisation" in r for r in rules)
        if scope == consent_policy.ARRANGING_VISITS:
            assert own_org, (camel, rules)
        else:
            assert not own_org, (camel, rules)
            assert any(f"consent ({scope})" in r for r in rules), (camel, rules)


def test_declared_rules_name_known_roles_and_relationships() -> None:
    from service.access import RELATIONSHIPS, ROLES

    served = _served()
    for kind in _object_types(served):
        nodes = [kind.ast_node] + [f.ast_node for f in kind.fields.values()]
        for node in nodes:
            for rule in _rules(node, served) or []:
                roles, _, rest = rule.partition(": ")
                assert rest.split(" (")[0].split(",")[0] in RELATIONSHIPS, rule
                assert roles == "anyone" or all(r in ROLES for r in roles.split(", ")), rule
