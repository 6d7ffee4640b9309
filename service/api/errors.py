"""Errors a client may see, and masking for everything else (logged with a request id)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

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


def _expected(error: GraphQLError) -> bool:
    # Parse and validation errors have no original error: they are the client's and safe.
    return error.original_error is None or isinstance(error.original_error, EXPECTED)


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
