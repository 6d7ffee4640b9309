"""Loading a generated borough into the real embedded graph store, and ``carecircles seed``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from graph.models import CareCircle, Service, Visit
from graph.models.base import iso_utc
from graph.repo.people import get_person
from graph.repo.relationships import list_known_by
from graph.repo.volunteers import get_volunteer
from graph.store import GraphStore
from seed.borough import Borough, generate_borough
from seed.load import GraphCounts, count_graph, expected_counts, load_borough
from service.cli import app
from tests.world import stored


def _counts_from_the_models(borough: Borough) -> GraphCounts:
    """What the borough should put in an empty graph, worked out from the models alone."""
    nodes = {
        "Area": len(borough.areas),
        "CareCircle": len(borough.circles),
        "Interest": len(borough.interests),
        "Organization": len(borough.organizations),
        "Person": len(borough.people),
        "Service": len(borough.services),
        "Visit": len(borough.visits),
        "Volunteer": len(borough.volunteers),
    }
    placed = [
        *(p.area_id for p in borough.people),
        *(v.area_id for v in borough.volunteers),
        *(s.area_id for s in borough.services),
    ]
    interested = [
        *(p.interests for p in borough.people),
        *(v.interests for v in borough.volunteers),
    ]
    relationships = {
        "FOR": len(borough.visits),
        "IN": sum(1 for area_id in placed if area_id is not None),
        "INTERESTED_IN": sum(len(interests) for interests in interested),
        "KNOWS": len(borough.knows),
        "MEMBER_OF": len(borough.members),
        "OFFERS": sum(len(s.interests) for s in borough.services),
        "SUPPORTS": len(borough.circles),
        "SUPPORTED_BY": len(borough.supported),
        "VOLUNTEERS_WITH": len(borough.volunteering),
    }
    return GraphCounts(nodes=nodes, relationships=relationships)


def test_loading_tiny_gives_the_counts_the_generator_produced(store: GraphStore) -> None:
    borough = generate_borough("tiny", seed=3)
    seen: list[tuple[str, int, int]] = []
    load_borough(store=store, borough=borough, progress=lambda *step: seen.append(step))
    expected = _counts_from_the_models(borough)
    assert count_graph(store=store) == expected == expected_counts(borough)
    total = sum(expected.nodes.values()) + sum(expected.relationships.values())
    assert seen[-1][1:] == (total, total)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_loaded_nodes_read_back_as_generated(store: GraphStore) -> None:
    borough = generate_borough("tiny", seed=4)
    load_borough(store=store, borough=borough, batch_size=7)  # several batches per step
    for person in borough.people:
        assert get_person(store=store, person_id=person.id) == person
    for volunteer in borough.volunteers:
        assert get_volunteer(store=store, volunteer_id=volunteer.id) == volunteer
    for service in borough.services:
        assert stored(store, Service, service.id) == service
    circle = borough.circles[0]
    assert stored(store, CareCircle, circle.id) == circle
    members = [m for m in borough.members if m.circle_id == circle.id]
    member_rows = store.run(
        "MATCH (v:Volunteer)-[m:MEMBER_OF]->(:CareCircle {id: $id}) "
        "RETURN v.id AS volunteer_id, m.since AS since ORDER BY volunteer_id",
        {"id": circle.id},
        write=False,
    )
    assert [(row["volunteer_id"], row["since"]) for row in member_rows] == sorted(
        (m.volunteer_id, iso_utc(m.since)) for m in members
    )
    knows_per_person = Counter(e.from_id for e in borough.knows) + Counter(
        e.to_id for e in borough.knows
    )
    busiest = max(borough.people, key=lambda p: knows_per_person[p.id])
    known_by = list_known_by(store=store, person_id=busiest.id)
    assert len(known_by) == knows_per_person[busiest.id]
    for visit in (v for v in borough.visits if v.person_id == busiest.id):
        assert stored(store, Visit, visit.id) == visit


def test_loading_the_same_borough_twice_changes_nothing(store: GraphStore) -> None:
    borough = generate_borough("tiny", seed=5)
    load_borough(store=store, borough=borough)
    first = count_graph(store=store)
    load_borough(store=store, borough=borough)
    assert count_graph(store=store) == first == _counts_from_the_models(borough)
    person = borough.people[0]
    assert get_person(store=store, person_id=person.id) == person


def test_carecircles_seed_loads_the_tiny_borough_and_prints_counts(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(
        {
            "CARECIRCLES_GRAPH_URI": "embedded://",
            "CARECIRCLES_DATA_DIR": str(tmp_path / "data"),
            "CARECIRCLES_GRAPH_NAME": "seeded",
        }
    )
    command = [sys.executable, "-m", "service.cli", "seed", "--size", "tiny", "--seed", "9"]
    completed = subprocess.run(
        [*command, "--reset"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    expected = _counts_from_the_models(generate_borough("tiny", seed=9))
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("Seeded a tiny synthetic borough (seed 9")
    for label, count in [*expected.nodes.items(), *expected.relationships.items()]:
        assert f"  {label}: {count}" in lines, label


def test_carecircles_seed_refuses_an_unknown_size_naming_the_option() -> None:
    result = CliRunner().invoke(app, ["seed", "--size", "huge"])
    assert result.exit_code == 2
    assert "--size" in result.output and "tiny, demo, borough" in result.output
