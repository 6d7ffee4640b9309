"""Who a token belongs to is read once and reused for a few seconds (CARECIRCLES_USER_CACHE_S);
the token itself is checked every time, erasure forgets at once, and 0 turns the cache off."""

from __future__ import annotations

import pytest

from graph.repo import people
from graph.repo import users as users_repo
from graph.store import GraphStore
from service.accounts.users import USER_CACHE_ENV, token_for, user_cache_seconds, user_for_token
from service.consent import my_data
from tests.factories import make_person, make_user

KEY = b"k" * 32


def _remove_behind_the_cache(store: GraphStore, user_id: str) -> None:
    """Delete the user the way another process would: not through this process's cache."""
    assert users_repo.delete_user(store=store, user_id=user_id)


def test_a_user_is_reused_within_the_cache_age(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_CACHE_ENV, "30")
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    first = user_for_token(store=store, key=KEY, token=token)
    assert first is not None and first.role == "link_worker"
    _remove_behind_the_cache(store, user.id)
    assert user_for_token(store=store, key=KEY, token=token) == first  # no statement: cached
    # The token is still checked on every request: a forged or other-key token gets nothing.
    assert user_for_token(store=store, key=b"x" * 32, token=token) is None
    assert user_for_token(store=store, key=KEY, token=token[:-2] + "AA") is None


def test_with_the_cache_off_every_request_reads_the_user(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_CACHE_ENV, "0")
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is not None
    _remove_behind_the_cache(store, user.id)
    assert user_for_token(store=store, key=KEY, token=token) is None


def test_a_user_not_found_is_not_remembered(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_CACHE_ENV, "30")
    user = make_user(role="coordinator")
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is None
    users_repo.create_user(store=store, user=user)
    found = user_for_token(store=store, key=KEY, token=token)
    assert found is not None and found.id == user.id


def test_erasure_forgets_cached_users_at_once(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_CACHE_ENV, "30")
    person = people.create_person(store=store, person=make_person())
    user = users_repo.create_user(store=store, user=make_user(role="person", person_id=person.id))
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is not None
    my_data.erase(store=store, person_id=person.id, requested_by=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is None


@pytest.mark.parametrize("raw", ["soon", "-1", "61"])
def test_a_bad_cache_age_is_refused_naming_the_setting(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_CACHE_ENV, raw)
    with pytest.raises(ValueError, match=USER_CACHE_ENV):
        user_cache_seconds()
