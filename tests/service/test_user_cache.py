"""Who a token belongs to is read once and reused for a few seconds (CARECIRCLES_USER_CACHE_S,
on by default); the token itself is checked every time, erasure forgets at once, and 0 turns the
cache off."""

from __future__ import annotations

import pytest

from graph.repo import people
from graph.repo import users as users_repo
from graph.store import GraphStore
from service import my_data
from service.config import USER_CACHE_DEFAULT_S, BadSettings, read_settings
from service.users import token_for, user_for_token
from tests.factories import make_person, make_user

KEY = b"k" * 32


def _remove_behind_the_cache(store: GraphStore, user_id: str) -> None:
    """Delete the user the way another process would: not through this process's cache."""
    assert users_repo.delete_user(store=store, user_id=user_id)


def test_a_user_is_reused_within_the_cache_age(
    store: GraphStore,
) -> None:
    age = 30.0  # seconds a user read is reused
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    first = user_for_token(store=store, key=KEY, token=token, max_age=age)
    assert first is not None and first.role == "link_worker"
    _remove_behind_the_cache(store, user.id)
    assert (
        user_for_token(store=store, key=KEY, token=token, max_age=age) == first
    )  # no statement: cached
    # The token is still checked on every request: a forged or other-key token gets nothing.
    assert user_for_token(store=store, key=b"x" * 32, token=token, max_age=age) is None
    assert user_for_token(store=store, key=KEY, token=token[:-2] + "AA", max_age=age) is None


def test_with_the_cache_off_every_request_reads_the_user(
    store: GraphStore,
) -> None:
    age = 0.0  # seconds a user read is reused
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token, max_age=age) is not None
    _remove_behind_the_cache(store, user.id)
    assert user_for_token(store=store, key=KEY, token=token, max_age=age) is None


def test_a_user_not_found_is_not_remembered(
    store: GraphStore,
) -> None:
    age = 30.0  # seconds a user read is reused
    user = make_user(role="coordinator")
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token, max_age=age) is None
    users_repo.create_user(store=store, user=user)
    found = user_for_token(store=store, key=KEY, token=token, max_age=age)
    assert found is not None and found.id == user.id


def test_erasure_forgets_cached_users_at_once(
    store: GraphStore,
) -> None:
    age = 30.0  # seconds a user read is reused
    person = people.create_person(store=store, person=make_person())
    user = users_repo.create_user(store=store, user=make_user(role="person", person_id=person.id))
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token, max_age=age) is not None
    my_data.erase(store=store, person_id=person.id, requested_by=user.id)
    assert user_for_token(store=store, key=KEY, token=token, max_age=age) is None


def test_the_cache_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARECIRCLES_USER_CACHE_S", raising=False)
    assert read_settings().user_cache_s == USER_CACHE_DEFAULT_S > 0


@pytest.mark.parametrize("raw", ["soon", "-1", "61"])
def test_a_bad_cache_age_is_refused_naming_the_setting(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECIRCLES_USER_CACHE_S", raw)
    with pytest.raises(BadSettings, match="CARECIRCLES_USER_CACHE_S"):
        read_settings()
