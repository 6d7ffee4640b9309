"""Shared helpers for the Open Referral UK tests: the reference files and our sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).resolve().parents[2] / "seed" / "samples" / "oruk_services.json"
REFERENCE_FILES = (
    "service_full.json",
    "service_list.json",
    "organization_full.json",
    "taxonomy_term_list.json",
)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def sample() -> dict[str, Any]:
    """Our borough's ORUK sample: a page of 15 services (one temporarily closed)."""
    document: dict[str, Any] = read_json(SAMPLE)
    return document


@pytest.fixture
def service_full() -> dict[str, Any]:
    """The ORUK profile's full example service (its location is at latitude 100, longitude 101)."""
    document: dict[str, Any] = read_json(DATA / "service_full.json")
    return document


def sample_id(document: dict[str, Any], name: str) -> str:
    """The CareCircles id the import gives the sample service called ``name``."""
    matches = [
        i["id"] for i in document["contents"] if isinstance(i, dict) and i.get("name") == name
    ]
    assert len(matches) == 1, name
    return f"oruk-service-{matches[0]}"
