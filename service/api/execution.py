"""GraphQL execution with a short path for plain leaf fields.

A page of 20 open visits is ~140 fields, and most are plain values (``id``, ``day``, ``start``,
``personFirstName``...). graphql-core executes each one the general way: it builds a resolve-info
object (Strawberry's, with the operation context), looks at arguments, calls the resolver, checks
for an awaitable, then walks the type (non-null? list? leaf?) before coercing the value. Under
load that field-by-field walk was about 45% of an API worker's CPU on openVisits (py-spy, GIL
samples). For a field Strawberry itself resolves by reading the attribute (``_is_default``: no
resolver, permission, extension or argument) whose type is a scalar or enum, the answer is the
coerced attribute, so this reads and coerces it directly. A resolver marked ``known_in(attr)``
is answered the same way when its source already holds the answer in ``attr`` (a visit's area
name on a page of open visits); otherwise it runs.

An object whose selected fields can all be answered so, or are plain attributes holding such an
object or a list of them, is answered as one dict in one pass: a page of open visits (its edges,
each edge's cursor and node, each node's leaves) costs one resolver call, for ``openVisits``
itself, instead of a path, a call and an awaitable check per field (~12% of the request's CPU,
in-process interleaved A/B). If any value on the way cannot be answered so, the whole object
takes the usual path again (reading attributes has no side effects), which locates the error.

Anything else -- a null where the type forbids one, an error, an awaitable, a value the scalar
refuses, a field with a resolver, a schema extension that wraps resolvers (graphql-core
middleware) -- takes graphql-core's usual path, which reports errors with their path exactly as
before.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLField, GraphQLLeafType, GraphQLObjectType, Undefined
from graphql.type import (
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_UNKNOWN = object()
_KNOWN_IN = "_carecircles_known_in"
F = TypeVar("F", bound=Callable[..., Any])


def known_in(attribute: str) -> Callable[[F], F]:
    """Mark a resolver whose answer, when the source's ``attribute`` is not None, is that
    value: the short path then reads it like a plain field (the resolver runs otherwise)."""

    def mark(resolver: F) -> F:
        setattr(resolver, _KNOWN_IN, attribute)
        return resolver

    return mark


@dataclass(frozen=True)
class Shortcut:
    """How the short path answers a field: its scalar or enum type, read from ``attribute``
    (a ``known_in`` resolver's), or, when that is None, as Strawberry reads a plain field."""

    leaf_type: GraphQLLeafType
    attribute: str | None = None


def shortcut(field: GraphQLField) -> Shortcut | None:
    """How the short path may answer ``field``, or None when only the usual path can
    (remembered on the field: the schema lives as long as the process)."""
    found = field.__dict__.get("_carecircles_shortcut", _UNKNOWN)
    if found is _UNKNOWN:
        found = field.__dict__["_carecircles_shortcut"] = _shortcut_of(field)
    return found  # type: ignore[no-any-return]


def _reads_attribute(field: GraphQLField) -> bool:
    """Whether Strawberry answers ``field`` by reading the source's attribute (no resolver,
    permission, extension or argument)."""
    resolve = field.resolve
    return (
        resolve is not None
        and getattr(resolve, "_is_default", False)
        and not inspect.iscoroutinefunction(resolve)
        and not field.args
    )


def _shortcut_of(field: GraphQLField) -> Shortcut | None:
    leaf_type = get_nullable_type(field.type)
    if not is_leaf_type(leaf_type):
        return None
    if _reads_attribute(field):
        return Shortcut(leaf_type)
    definition = (field.extensions or {}).get("strawberry-definition")
    resolver = getattr(getattr(definition, "base_resolver", None), "wrapped_func", None)
    attribute = getattr(resolver, _KNOWN_IN, None)
    return Shortcut(leaf_type, attribute) if attribute else None


def _short_answer(field: GraphQLField, source: Any) -> Any:
    """The field's answer without graphql-core's walk, or ``_UNKNOWN`` when the usual path
    must decide (it also reports errors, located)."""
    found = shortcut(field)
    if found is None or (found.attribute is None and field.resolve is None):
        return _UNKNOWN
    if found.attribute is None:
        try:
            value = field.resolve(source, None)  # type: ignore[misc]
        except Exception:  # the usual path reports it, located at this field
            return _UNKNOWN
        if value is None:
            return _UNKNOWN if is_non_null_type(field.type) else None
    else:
        value = getattr(source, found.attribute, None)
        if value is None:  # not known here: the resolver decides
            return _UNKNOWN
    if isinstance(value, Exception):
        return _UNKNOWN
    try:
        coerced = found.leaf_type.coerce_output_value(value)
    except Exception:
        return _UNKNOWN
    return _UNKNOWN if coerced is None or coerced is Undefined else coerced


@dataclass(frozen=True)
class _Nested:
    """How a field that reads an object (or a list of them) from an attribute is answered:
    the plan of the object's selected fields."""

    plan: list[_Step]
    non_null: bool
    is_list: bool
    items_non_null: bool


# A selected field: its response name, the field, and how its value is answered (None: a leaf).
_Step = tuple[str, GraphQLField, "_Nested | None"]


class PlainLeavesFirst(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, with plain leaf fields (and known ones) answered directly, and
    an object whose selected fields are all such leaves, or plain objects and lists of them
    answered the same way (a page of visits: its edges, each edge's node and cursor), answered
    as one dict, without a path, a call and an awaitable check per field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type name, id of a grouped field set) -> its plan, or None when one of its fields
        # needs the usual path. Grouped field sets live as long as this execution (graphql-core
        # memoises them), so their ids are not reused meanwhile.
        self._plans: dict[tuple[str, int], list[_Step] | None] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        field = parent_type.fields.get(field_details_list[0].node.name.value)
        if field is not None and (manager is None or not manager.middlewares):
            answer = _short_answer(field, source)
            if answer is not _UNKNOWN:
                return answer
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set)
        if plan is not None:
            answers = _answers(plan, source_value)
            if answers is not _UNKNOWN:
                return answers
            # else the usual path answers the whole object again (reading attributes has no
            # side effects) and locates the error
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[_Step] | None:
        key = (parent_type.name, id(grouped_field_set))
        if key not in self._plans:
            self._plans[key] = self._plan_of(parent_type, grouped_field_set)
        return self._plans[key]

    def _plan_of(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[_Step] | None:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:
            return None
        plan: list[_Step] = []
        for response_name, field_details_list in grouped_field_set.items():
            field = parent_type.fields.get(field_details_list[0].node.name.value)
            if field is None:  # __typename
                return None
            if shortcut(field) is not None:
                plan.append((response_name, field, None))
                continue
            nested = self._nested(field, field_details_list)
            if nested is None:
                return None
            plan.append((response_name, field, nested))
        return plan

    def _nested(self, field: GraphQLField, field_details_list: Any) -> _Nested | None:
        if not _reads_attribute(field):
            return None
        of_type = get_nullable_type(field.type)
        is_list = is_list_type(of_type)
        item_type = of_type.of_type if is_list else of_type  # type: ignore[union-attr]
        object_type = get_nullable_type(item_type)
        if not is_object_type(object_type) or object_type.is_type_of is not None:
            return None
        collected = self.collect_subfields(object_type, field_details_list)
        if collected.new_defer_usages:
            return None
        plan = self._plan(object_type, collected.grouped_field_set)
        if plan is None:
            return None
        return _Nested(plan, is_non_null_type(field.type), is_list, is_non_null_type(item_type))


def _answers(plan: list[_Step], source: Any) -> Any:
    """The dict ``plan`` answers for ``source``, or ``_UNKNOWN`` when the usual path must."""
    answers: dict[str, Any] = {}
    for response_name, field, nested in plan:
        if nested is None:
            answer = _short_answer(field, source)
        else:
            answer = _nested_answer(field, nested, source)
        if answer is _UNKNOWN:
            return _UNKNOWN
        answers[response_name] = answer
    return answers


def _nested_answer(field: GraphQLField, nested: _Nested, source: Any) -> Any:
    try:
        value = field.resolve(source, None)  # type: ignore[misc]
    except Exception:  # the usual path reports it, located at this field
        return _UNKNOWN
    if value is None:
        return _UNKNOWN if nested.non_null else None
    if not nested.is_list:
        return _answers(nested.plan, value)
    if not isinstance(value, list | tuple):
        return _UNKNOWN
    items: list[Any] = []
    for item in value:
        if item is None:
            if nested.items_non_null:
                return _UNKNOWN
            items.append(None)
            continue
        answer = _answers(nested.plan, item)
        if answer is _UNKNOWN:
            return _UNKNOWN
        items.append(answer)
    return items
