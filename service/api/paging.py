"""Relay-style connections: ``edges { node cursor } pageInfo { hasNextPage endCursor }``."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Generic, TypeVar

import strawberry

from service.access import AS_RETURNED_POLICY
from service.api.errors import InputError
from service.config import PAGE_SIZE_MAX

T = TypeVar("T")
CURSOR_PREFIX = "cc:"


@strawberry.type(directives=[AS_RETURNED_POLICY])
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(directives=[AS_RETURNED_POLICY])
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


@lru_cache(maxsize=1 << 15)  # pure; the same visits are on many volunteers' pages
def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{key}".encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    """The key in a cursor this API made; InputError naming ``after`` otherwise."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(CURSOR_PREFIX) or len(cursor) > 400:
        raise InputError("after: expected an endCursor from a previous page")
    return text[len(CURSOR_PREFIX) :]


def check_first(first: int | None, default: int = 50) -> int:
    if first is None:
        return default
    if not 1 <= first <= PAGE_SIZE_MAX:
        raise InputError(f"first: expected 1..{PAGE_SIZE_MAX}, got {first}")
    return first


def connection(nodes: list[T], keys: list[str], has_next: bool) -> Connection[T]:
    edges = [
        Edge(node=node, cursor=encode_cursor(key)) for node, key in zip(nodes, keys, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
    )
