"""Domain model validation: what a user would expect to be refused, with the field named."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from graph.models import ConsentGrant, Person, Service, Visit, Volunteer, Window, iso_utc
from graph.repo.records import from_properties, to_properties
from tests.factories import (
    NOW,
    make_access_entry,
    make_area,
    make_checkin,
    make_circle,
    make_grant,
    make_interest,
    make_organization,
    make_person,
    make_referral,
    make_rota_run,
    make_service,
    make_user,
    make_visit,
    make_volunteer,
)


def errors_of(call: Any) -> dict[str, str]:
    """``{"field.path": message}`` of the ValidationError the call raises."""
    with pytest.raises(ValidationError) as caught:
        call()
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in caught.value.errors()}


def test_every_factory_builds_a_valid_model_that_survives_the_graph_mapping() -> None:
    for model in (
        make_area(),
        make_interest(),
        make_organization(),
        make_person(),
        make_volunteer(),
        make_service(),
        make_circle(),
        make_visit(),
        make_checkin(),
        make_referral(),
        make_user(),
        make_grant(),
        make_rota_run(),
        make_access_entry(),
    ):
        properties = to_properties(model)
        for value in properties.values():  # only scalars and arrays of scalars
            assert not isinstance(value, dict)
            assert not (isinstance(value, list) and any(isinstance(v, dict | list) for v in value))
        assert from_properties(type(model), properties) == model


@pytest.mark.parametrize("bad", ["", "   ", "has space", "-leading", "x" * 129, "a/b", "é"])
def test_ids_must_be_short_plain_words(bad: str) -> None:
    assert "id" in errors_of(lambda: make_person(id=bad))


def test_ids_are_stripped() -> None:
    assert make_person(id="  p-7 ").id == "p-7"


@pytest.mark.parametrize(("field", "value"), [("lat", 90.01), ("lat", -91), ("lon", 180.5)])
def test_coordinates_must_be_on_earth(field: str, value: float) -> None:
    message = errors_of(lambda: make_person(**{field: value}))[field]
    assert "90" in message or "180" in message


@pytest.mark.parametrize("need", [-0.1, 1.01])
def test_need_is_a_fraction(need: float) -> None:
    assert "need" in errors_of(lambda: make_person(need=need))


def test_window_must_end_after_it_starts_on_a_weekday() -> None:
    errors = errors_of(lambda: Window(day=7, start="10:00", end="10:00"))
    assert set(errors) == {"day", "end"}
    assert "after the start 10:00" in errors["end"]
    assert "HH:MM" in errors_of(lambda: Window(day=1, start="9:00", end="10:00"))["start"]
    assert "HH:MM" in errors_of(lambda: Window(day=1, start="09:00", end="24:00"))["end"]


def test_nested_window_errors_name_their_place() -> None:
    windows = [{"day": 1, "start": "10:00", "end": "12:00"}, {"day": 2, "start": "14:00"}]
    assert "availability.1.end" in errors_of(lambda: make_volunteer(availability=windows))


def test_languages_are_lower_cased_and_deduplicated_and_checked() -> None:
    assert make_person(languages=["EN", " pl", "en"]).languages == ["en", "pl"]
    assert "languages.0" in errors_of(lambda: make_person(languages=["english"]))


def test_emails_are_checked_and_lower_cased() -> None:
    assert make_volunteer(email="Sam.Okafor@Example.ORG").email == "sam.okafor@example.org"
    assert "email" in errors_of(lambda: make_volunteer(email="not-an-email"))
    assert "email" in errors_of(lambda: make_user(email="a@b"))


def test_unknown_fields_are_refused() -> None:
    assert errors_of(lambda: make_person(nickname="Mo")) == {
        "nickname": "Extra inputs are not permitted"
    }


def test_postcodes_are_uk_and_normalised() -> None:
    assert make_person(postcode="e81ab").postcode == "E8 1AB"
    assert make_person(postcode="SW1A 1AA").postcode == "SW1A 1AA"
    assert "UK postcode" in errors_of(lambda: make_person(postcode="90210"))["postcode"]


def test_times_are_utc_to_the_second_and_zone_less_times_refused() -> None:
    paris = timezone(timedelta(hours=1))
    person = make_person(created_at=datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=paris))
    assert person.created_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert person.model_dump(mode="json")["created_at"] == "2026-11-20T09:00:00Z"
    assert iso_utc(person.created_at) == "2026-11-20T09:00:00Z"
    message = errors_of(lambda: make_person(created_at=datetime(2026, 11, 20, 9, 0)))
    assert "zone" in message["created_at"]


def test_date_of_birth_is_in_the_past() -> None:
    assert "past" in errors_of(lambda: make_person(date_of_birth=date(2999, 1, 1)))["date_of_birth"]


def test_visit_must_fit_its_window_and_start_on_a_monday_week() -> None:
    assert "Monday" in errors_of(lambda: make_visit(week_start=date(2026, 11, 24)))["week_start"]
    assert "latest" in errors_of(lambda: make_visit(earliest="13:00", latest="12:00"))
    assert "does not fit" in str(errors_of(lambda: make_visit(duration_minutes=240)))
    assert "outside" in str(errors_of(lambda: make_visit(start="12:30")))
    visit = make_visit(start="11:15")
    assert isinstance(visit, Visit) and visit.end == "12:15"


def test_visit_status_is_one_of_the_lifecycle_states() -> None:
    assert "status" in errors_of(lambda: make_visit(status="maybe"))


@pytest.mark.parametrize(
    ("scale", "answers", "score", "field", "expected"),
    [
        ("UCLA3", [1, 2], 3, "answers", "expected 3 answers"),
        ("UCLA3", [1, 2, 4], 7, "answers", "item 3 of UCLA3 in 1..3"),
        ("ONS1", [6], 5, "answers", "item 1 of ONS1 in 1..5"),
        ("DJG6", [1, 1, 1, 1, 1, 0], 3, "answers", "item 6 of DJG6 in 1..3"),
        ("UCLA3", [1, 1, 1], 2, "score", "UCLA3 score in 3..9"),
        ("DJG6", [1, 1, 1, 1, 1, 1], 7, "score", "DJG6 score in 0..6"),
    ],
)
def test_checkin_answers_fit_their_scale(
    scale: str, answers: list[int], score: int, field: str, expected: str
) -> None:
    errors = errors_of(lambda: make_checkin(scale=scale, answers=answers, score=score))
    assert expected in errors[field]


def test_volunteer_check_is_valid_until_it_expires() -> None:
    volunteer = make_volunteer(checked=True, check_expires=date(2026, 12, 31))
    assert isinstance(volunteer, Volunteer)
    assert volunteer.check_valid_on(date(2026, 12, 31))
    assert not volunteer.check_valid_on(date(2027, 1, 1))
    assert not make_volunteer(checked=False, check_expires=None).check_valid_on(date(2026, 1, 1))


def test_service_without_a_place_has_no_coordinates() -> None:
    assert make_service(lat=None, lon=None).lat is None
    assert "both lat and lon" in str(errors_of(lambda: make_service(lat=None)))
    assert "category" in errors_of(lambda: make_service(category="Lunch Club"))
    assert "url" in errors_of(lambda: make_service(url="ftp://x"))
    assert isinstance(make_service(), Service)


def test_users_are_linked_to_their_own_record() -> None:
    assert "person_id is required" in str(errors_of(lambda: make_user(role="person")))
    assert "volunteer_id" in str(errors_of(lambda: make_user(role="volunteer")))
    assert make_user(role="person", person_id="p-1").person_id == "p-1"
    assert "role" in errors_of(lambda: make_user(role="client"))
    assert "password_hash" not in repr(make_user())


def test_consent_grant_scopes_and_expiry() -> None:
    grant = make_grant(scopes=["needs", "contact", "needs"])
    assert isinstance(grant, ConsentGrant) and grant.scopes == ["contact", "needs"]
    assert "scopes" in errors_of(lambda: make_grant(scopes=[]))
    assert "scopes.0" in errors_of(lambda: make_grant(scopes=["everything"]))
    assert "expires_at" in errors_of(lambda: make_grant(expires_at=NOW - timedelta(days=1)))
    assert grant.is_active(NOW + timedelta(days=1))
    assert not grant.is_active(NOW + timedelta(days=91))
    revoked = grant.model_copy(update={"revoked_at": NOW})
    assert not revoked.is_active(NOW + timedelta(days=1))


def test_rota_run_texts_must_be_json() -> None:
    assert "JSON" in errors_of(lambda: make_rota_run(problem="{not json"))["problem"]
    assert "Monday" in errors_of(lambda: make_rota_run(week_start=date(2026, 11, 25)))["week_start"]


def test_assignment_is_validated_too() -> None:
    person = make_person()
    assert isinstance(person, Person)
    with pytest.raises(ValidationError, match="need"):
        person.need = 2.0  # validate_assignment: models stay valid after construction
