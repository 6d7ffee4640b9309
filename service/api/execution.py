"""GraphQL execution with a short path for plain leaf fields.

A page of 20 open visits is ~140 fields, and most are plain values (``id``, ``day``, ``start``,
``personFirstName``...). graphql-core executes each one the general way: it builds a resolve-info
object (Strawberry's, with the operation context), looks at arguments, calls the resolver, checks
for an awaitable, then walks the type (non-null? list? leaf?) before coercing the value. Under
load that field-by-field walk was about 45% of an API worker's CPU on openVisits (py-spy, GIL
samples). For a field Strawberry itself resolves by reading the attribute (``_is_default``: no
resolver, permission, extension or argument) whose type is a scalar or enum, the answer is the
coerced attribute, so this reads and coerces it directly.

Anything else -- a null where the type forbids one, an error, an awaitable, a value the scalar
refuses, a field with a resolver, a schema extension that wraps resolvers (graphql-core
middleware) -- takes graphql-core's usual path, which reports errors with their path exactly as
before.
"""

from __future__ import annotations

import inspect
from typing import Any

from graphql import GraphQLField, GraphQLLeafType, GraphQLObjectType, Undefined
from graphql.type import get_nullable_type, is_leaf_type, is_non_null_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_UNKNOWN = object()


def plain_leaf(field: GraphQLField) -> GraphQLLeafType | None:
    """The scalar or enum type of a field whose value is just its source's attribute, else
    None (remembered on the field: the schema lives as long as the process)."""
    known = field.__dict__.get("_carecircles_plain_leaf", _UNKNOWN)
    if known is not _UNKNOWN:
        return known  # type: ignore[no-any-return]
    resolve = field.resolve
    leaf_type = get_nullable_type(field.type)
    plain = (
        resolve is not None
        and getattr(resolve, "_is_default", False)
        and not inspect.iscoroutinefunction(resolve)
        and not field.args
        and is_leaf_type(leaf_type)
    )
    found = leaf_type if plain else None
    field.__dict__["_carecircles_plain_leaf"] = found
    return found  # type: ignore[return-value]


class PlainLeavesFirst(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, with plain leaf fields read and coerced directly."""

    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if manager is None or not manager.middlewares:  # no extension wraps the resolvers
            field = parent_type.fields.get(field_details_list[0].node.name.value)
            leaf_type = plain_leaf(field) if field is not None else None
            if leaf_type is not None and field is not None and field.resolve is not None:
                value = field.resolve(source, None)
                if value is None and not is_non_null_type(field.type):
                    return None
                if value is not None and not isinstance(value, Exception):
                    try:
                        coerced = leaf_type.coerce_output_value(value)
                    except Exception:  # the usual path reports it, located
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
