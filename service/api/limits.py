"""Limits on what one request may ask: the query's cost (a GraphQL validation rule) and the
request body's size (an ASGI middleware in front of the whole app).

A query's cost is the number of fields it would resolve: every field counts once per time it
is selected (aliases and fragment spreads included), and a field that takes ``first`` (a page)
counts its selection that many times (``PAGE_SIZE_MAX`` when ``first`` is a variable, which
validation cannot see). A query over ``query_cost_max`` is refused before anything runs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import PAGE_SIZE_MAX


@cache
def query_cost_rule(max_cost: int) -> type[ValidationRule]:
    """The validation rule refusing operations that cost more than ``max_cost`` (one class per
    limit, so ValidationCache can reuse its verdict on a query text it has seen)."""

    class QueryCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = self._cost(node.selection_set, frozenset())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"query: expected at most {max_cost} fields to resolve (aliases and "
                        f"pages counted), this one asks for {cost}",
                        node,
                    )
                )

        def _cost(self, selections: SelectionSetNode | None, fragments: frozenset[str]) -> int:
            if selections is None:
                return 0
            total = 0
            for selection in selections.selections:
                if isinstance(selection, FieldNode):
                    total += 1 + _page(selection) * self._cost(selection.selection_set, fragments)
                elif isinstance(selection, InlineFragmentNode):
                    total += self._cost(selection.selection_set, fragments)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.context.get_fragment(name)
                    if fragment is not None and name not in fragments:  # cycles: another rule
                        total += self._cost(fragment.selection_set, fragments | {name})
                if total > max_cost:  # no need to count an exponential fragment tree to its end
                    return total
            return total

    return QueryCost


ONE_SIGN_IN = "signIn: expected at most one signIn per request"


class OneSignIn(ValidationRule):
    """A request may try one password: an operation selecting ``signIn`` more than once
    (aliases, fragments) is refused before anything runs."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        if self._sign_ins(node.selection_set, frozenset()) > 1:
            self.report_error(GraphQLError(ONE_SIGN_IN, node))

    def _sign_ins(self, selections: SelectionSetNode | None, fragments: frozenset[str]) -> int:
        count = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                count += selection.name.value == "signIn"
            elif isinstance(selection, InlineFragmentNode):
                count += self._sign_ins(selection.selection_set, fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in fragments:
                    count += self._sign_ins(fragment.selection_set, fragments | {name})
        return count


def _page(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            return PAGE_SIZE_MAX
    return 1


class BodyLimit:
    """Refuses a request whose body is larger than ``max_bytes`` with HTTP 413, before the app
    sees any of it: by its Content-Length, or by reading at most that much of a body sent
    without one (then handed to the app as it was sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._too_large(send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        text = f"request body: expected at most {self.max_bytes} bytes".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(text)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": text})
