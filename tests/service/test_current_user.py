"""Who a token belongs to is read from the store on every request (no cache: the API benchmark
does not need one), so a user removed, changed or erased counts at once; the token itself is
checked every time."""

from __future__ import annotations

from graph.repo import people
from graph.repo import users as users_repo
from graph.store import GraphStore
from service.accounts.users import current_user_from_header, token_for
from service.consent import my_data
from service.context import CurrentUser
from tests.factories import make_person, make_user
from tests.loops import in_own_loop

KEY = b"k" * 32


def user_for_token(*, store: GraphStore, key: bytes, token: str) -> CurrentUser | None:
    """The user a request with this bearer token is served as."""
    header = f"Bearer {token}"
    return in_own_loop(current_user_from_header(store=store, key=key, authorization=header))


def test_a_token_names_its_user_and_only_with_our_key(store: GraphStore) -> None:
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    found = user_for_token(store=store, key=KEY, token=token)
    assert found is not None and found.role == "link_worker"
    assert user_for_token(store=store, key=b"x" * 32, token=token) is None
    assert user_for_token(store=store, key=KEY, token=token[:-2] + "AA") is None


def test_a_changed_role_counts_at_once(store: GraphStore) -> None:
    user = users_repo.create_user(store=store, user=make_user(role="link_worker"))
    token = token_for(key=KEY, user_id=user.id)
    users_repo.update_user(store=store, user=user.model_copy(update={"role": "coordinator"}))
    found = user_for_token(store=store, key=KEY, token=token)
    assert found is not None and found.role == "coordinator"


def test_a_new_user_is_known_at_once(store: GraphStore) -> None:
    user = make_user(role="coordinator")
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is None
    users_repo.create_user(store=store, user=user)
    found = user_for_token(store=store, key=KEY, token=token)
    assert found is not None and found.id == user.id


def test_erasure_ends_the_persons_access_at_once(store: GraphStore) -> None:
    person = people.create_person(store=store, person=make_person())
    user = users_repo.create_user(store=store, user=make_user(role="person", person_id=person.id))
    token = token_for(key=KEY, user_id=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is not None
    my_data.erase(store=store, person_id=person.id, requested_by=user.id)
    assert user_for_token(store=store, key=KEY, token=token) is None
