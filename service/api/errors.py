"""Errors a client may see, and masking for everything else (logged with a request id)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import date

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.enum import StrawberryEnumDefinition

from graph.models.base import ID_PATTERN
from graph.store.errors import GraphUnavailable
from service.weeks import InvalidWeek, week_start

log = logging.getLogger("carecircles.graphql")

# What a request gets while the graph store is down (HTTP 503, ``Retry-After``). Each use-case
# is one statement and a failed statement writes nothing; a statement the server ran just before
# it died may be kept with its answer lost, so a 503 does not prove that nothing was written.
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; try again in a few seconds."
UNAVAILABLE_CODE = "UNAVAILABLE"
UNAVAILABLE_STATUS = 503
RETRY_AFTER_S = 1


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


def store_unavailable(error: BaseException | None) -> bool:
    """True if ``error`` is, or was raised because of, the graph store being unreachable."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, GraphUnavailable):
            return True
        seen.add(id(error))
        # the chain a traceback shows: the explicit cause, else the context unless suppressed
        if error.__cause__ is not None or error.__suppress_context__:
            error = error.__cause__
        else:
            error = error.__context__
    return False


def unavailable_body() -> dict[str, list[dict[str, object]]]:
    """The GraphQL-shaped answer to a request that could not reach the store at all."""
    return {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": UNAVAILABLE_CODE}}]}


def _is_clients_error(error: GraphQLError) -> bool:
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
        super().__init__(should_mask_error=lambda error: not _is_clients_error(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = getattr(self.execution_context, "context", None)
        if store_unavailable(error.original_error):
            return self._unavailable(error, context)
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

    def _unavailable(self, error: GraphQLError, context: object) -> GraphQLError:
        """The store was down: "temporarily unavailable", and the response's status is 503."""
        log.warning("graph store unavailable at %s: %s", error.path, error.original_error)
        _answer_503(context)
        return GraphQLError(
            message=UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": UNAVAILABLE_CODE},
        )


def _answer_503(context: object) -> None:
    response = getattr(context, "response", None)
    if response is not None:
        response.status_code = UNAVAILABLE_STATUS
        response.headers["Retry-After"] = str(RETRY_AFTER_S)


class NameEnumValues(SchemaExtension):
    """An unknown enum value (in the query or in variables) says which values the enum takes."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._naming_enum_values(error) for error in result.errors]

    def _naming_enum_values(self, error: GraphQLError) -> GraphQLError:
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


def check_optional_id(value: object | None, field: str) -> str | None:
    """``check_id`` for an id that may be left out: None when it is (or is empty)."""
    return check_id(str(value), field) if value else None


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
    statement, before the response leaves (``policy.Reads``); a failure to log fails the
    request rather than hand out an unlogged read. With the store down that failure is the
    "temporarily unavailable" answer (HTTP 503), without the data read."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        reads = getattr(context, "reads_noted", None)  # most requests read no one's record
        if reads is not None and reads.noted:
            from service.consent import policy

            try:
                await context.call(policy.log_reads, user=context.user, reads=reads)
            except Exception as error:
                if not store_unavailable(error):
                    raise
                log.warning("graph store unavailable writing the access log: %s", error)
                result = self.execution_context.result
                if result is None:
                    raise
                result.data = None
                result.errors = [
                    GraphQLError(UNAVAILABLE_MESSAGE, extensions={"code": UNAVAILABLE_CODE})
                ]
                _answer_503(context)


def week_input(value: str) -> date:
    """An ISO week argument (``2026-W48``) as its Monday, or an InputError saying what was
    expected."""
    try:
        return week_start(value)
    except InvalidWeek as error:
        raise InputError(str(error)) from None
