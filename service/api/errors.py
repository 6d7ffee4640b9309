"""Errors a client may see, and masking for everything else (logged with a request id)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.enum import StrawberryEnumDefinition

from graph.models.base import ID_PATTERN

log = logging.getLogger("carecircles.graphql")


class InputError(Exception):
    """Malformed input; the message names the field and what was expected."""


class NotAllowed(Exception):
    """The caller may not do or see this. Says nothing about whether the thing exists."""

    def __init__(self, message: str = "Not allowed.") -> None:
        super().__init__(message)


class NotSignedIn(NotAllowed):
    def __init__(self) -> None:
        super().__init__("Sign in first: send 'Authorization: Bearer <token>'.")


EXPECTED = (InputError, NotAllowed)
UNKNOWN_ENUM_VALUE = re.compile(r"does not exist in '(\w+)' enum\.")


def _expected(error: GraphQLError) -> bool:
    """The client's own doing, safe to show: parse and validation errors (no original error),
    our expected exceptions, and GraphQL's own errors coercing the request's variables before
    execution (an unknown enum value, a string for an Int, a bad DateTime: graphql-core raises a
    GraphQLError naming the variable and the path inside it). Those have no ``path``; a
    GraphQLError raised *during* execution (serialising a stored value, say) stays masked, since
    its message may quote our data."""
    original = error.original_error
    if original is None or isinstance(original, EXPECTED):
        return True
    return isinstance(original, GraphQLError) and error.path is None


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected exceptions reach the client as a generic message with a request id; the
    exception is logged server-side with the same id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not _expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = getattr(self.execution_context, "context", None)
        request_id = getattr(context, "request_id", "unknown")
        log.error(
            "unexpected error in request %s at %s",
            request_id,
            error.path,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Unexpected error (request id {request_id}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"requestId": request_id},
        )


class NameEnumValues(SchemaExtension):
    """An unknown enum value (in the query or in variables) says which values the enum takes."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._with_values(error) for error in result.errors]

    def _with_values(self, error: GraphQLError) -> GraphQLError:
        match = UNKNOWN_ENUM_VALUE.search(error.message)
        if match is None or "expected one of" in error.message:
            return error
        enum = self.execution_context.schema.get_type_by_name(match[1])
        if not isinstance(enum, StrawberryEnumDefinition):
            return error
        names = ", ".join(value.name for value in enum.values)
        return GraphQLError(
            message=f"{error.message} Expected one of {names}.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=error.original_error,
            extensions=error.extensions,
        )


def check_id(value: str, field: str) -> str:
    """``value`` when it looks like one of our ids, else InputError naming ``field``."""
    if not ID_PATTERN.fullmatch(value):
        raise InputError(
            f"{field}: expected an id of 1-128 letters, digits, '-', '_', '.' or ':', "
            f"got {value[:40]!r}"
        )
    return value


class CountQueries(SchemaExtension):
    """Reports the statements a request ran in the ``X-Graph-Queries`` response header."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        response = getattr(context, "response", None)
        if response is not None:
            response.headers["X-Graph-Queries"] = str(getattr(context, "queries", 0))


class LogPersonReads(SchemaExtension):
    """Writes the Person fields a request returned about others to the access log, in one
    statement, before the response leaves (service.consent.Reads); a failure to log fails the
    request rather than hand out an unlogged read."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        reads = getattr(context, "reads_noted", None)  # most requests read no one's record
        if reads is not None and reads.fields:
            from service import consent

            await context.call(consent.log_reads, user=context.user, reads=reads)
