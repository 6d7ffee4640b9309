"""Load a generated borough into a graph store, and count what a graph holds.

``load_borough`` writes nodes before the relationships that need them (graph/repo/bulk.py), in
``UNWIND`` batches, MERGE-ing on ids: loading the same borough twice leaves the graph as it was.
A different borough over an old one updates shared ids but keeps the old one's extra nodes and
edges, so ``carecircles seed --reset`` starts from an empty graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from graph.repo import bulk
from graph.repo.counts import count_nodes_by_first_label, count_relationships_by_type
from graph.store.port import GraphStore
from seed.borough import Borough

# progress(what is being written, rows written so far, rows in the whole load)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GraphCounts:
    """Nodes per label and relationships per type."""

    nodes: dict[str, int]
    relationships: dict[str, int]


def borough_steps(borough: Borough) -> list[bulk.Step]:
    """Every bulk step of the borough, in an order where both ends of an edge exist first."""
    return [
        *bulk.area_steps(borough.areas),
        *bulk.interest_steps(borough.interests),
        *bulk.organization_steps(borough.organizations),
        *bulk.service_steps(borough.services),
        *bulk.volunteer_steps(borough.volunteers),
        *bulk.person_steps(borough.people),
        *bulk.circle_steps(borough.circles, borough.members),
        *bulk.visit_steps(borough.visits),
        *bulk.knows_steps(borough.knows),
        *bulk.organisation_steps(borough.supported, borough.volunteering),
    ]


def expected_counts(borough: Borough) -> GraphCounts:
    """The node and relationship counts the borough gives in an empty graph."""
    nodes: Counter[str] = Counter()
    relationships: Counter[str] = Counter()
    for step in (step for step in borough_steps(borough) if step.rows):
        # A step writes a relationship type (upper case) or a node label (capitalised).
        counter = relationships if step.what.isupper() else nodes
        counter[step.what] += len(step.rows)
    return GraphCounts(
        nodes=dict(sorted(nodes.items())), relationships=dict(sorted(relationships.items()))
    )


def load_borough(
    *,
    store: GraphStore,
    borough: Borough,
    progress: Progress | None = None,
    batch_size: int = bulk.BATCH_SIZE,
) -> None:
    """Write the borough into the store (schema set up already), reporting ``progress``."""
    steps = borough_steps(borough)
    total = sum(len(step.rows) for step in steps)
    done = 0
    for step in steps:

        def advance(rows: int, what: str = step.what) -> None:
            nonlocal done
            done += rows
            if progress is not None:
                progress(what, done, total)

        bulk.run_step(store=store, step=step, batch_size=batch_size, on_rows=advance)


def count_graph(*, store: GraphStore) -> GraphCounts:
    """How many nodes of each label and relationships of each type the graph holds."""
    return GraphCounts(
        nodes=count_nodes_by_first_label(store=store),
        relationships=count_relationships_by_type(store=store),
    )
