"""What-if for a coordinator: a scenario of their organisation's week, compared with the week,
and where one more volunteer would help most.

A scenario is **not stored**: it is made on request from the week's rota run (the live one, else
the newest draft), as a modified copy of that run's problem (ROTA_FORMAT.md, the contract the run
was solved from: solver/whatif.py's ``scenario_problem``), solved by the same solver
(``solver.solve.solve``) in a process of its own started with ``spawn``
(``service.rota.solving``), and compared with the run's own rota. The solver is told the run's
rota as its previous one (``previous``): every assignment that still keeps the rules starts the
scenario's rota and is kept unless a strictly better rota needs the change, so the difference
shown comes from the changes, not from a second search finding another rota of equal worth (or
a worse one in less time). Nothing is written to the
graph, so a scenario can never change the real week or anyone's visits; a coordinator who wants
it again runs it again (the page keeps the form). Keeping scenarios would mean storing made-up
volunteers and referrals beside real ones, for no question the comparison does not answer.

The heat map (``recruitment_heat_map``) reads the same run: solver/whatif.py's
``marginal_values`` over the organisation's areas (each area's centre: the mean place of its
people in the week), fast enough to answer in the request (benchmarks/WHATIF.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import words
from graph.models import RotaRun
from graph.repo import areas as area_repo
from graph.store.port import GraphStore
from service.rota import accompanied
from service.rota.runs import list_rota_runs, solution_of
from service.rota.solving import solving_process, stop_group
from solver import whatif
from solver.models import Assignment, Problem, Solution

SCENARIO_TIME_LIMIT_MAX = 30.0
ANSWER_GRACE_S = 20.0  # beyond the time limit: starting the process, reading, explaining
NO_AREA = "no area"


class NoRotaYet(LookupError):
    """The week has no rota run of the organisation to start from."""


class ScenarioFailed(RuntimeError):
    """The scenario's solver ended without a rota (the message says why)."""


@dataclass(frozen=True)
class WeekBase:
    """A week's rota run, its problem, and where its people live."""

    run: RotaRun
    problem: Problem
    solution: Solution
    person_area: dict[str, str]
    areas: list[whatif.Area]


@dataclass(frozen=True)
class Comparison:
    run: RotaRun
    real: whatif.WeekSummary
    scenario: whatif.WeekSummary
    solver_status: str
    solve_seconds: float
    area_names: dict[str, str]


@dataclass(frozen=True)
class HeatMap:
    run: RotaRun
    areas: list[whatif.Area]
    cells: list[whatif.CellValue]
    gaps: int
    usual_languages: tuple[str, ...]  # what the imagined volunteer speaks in any case

    def volunteer_words(self, cell: whatif.CellValue) -> str:
        """Who the cell's volunteer is, in words: "a Polish-speaking female volunteer"."""
        extra = [lang for lang in cell.languages if lang not in self.usual_languages]
        said = [words.speaking(extra)] if extra else []
        said += [cell.gender] if cell.gender else []
        return f"a {' '.join([*said, 'volunteer'])}"


def week_base(*, store: GraphStore, week_start: date, organization_id: str) -> WeekBase:
    """The organisation's week to start from: its live run, else its newest draft; NoRotaYet
    when there is neither."""
    runs = list_rota_runs(store=store, week_start=week_start, organization_id=organization_id)
    run = next((r for r in runs if r.status == "published"), None) or next(
        (r for r in runs if r.status == "draft"), None
    )
    if run is None or run.problem is None or run.solution is None:
        raise NoRotaYet(week_start)
    problem = Problem.model_validate_json(run.problem)
    real = {p.id: accompanied.person_of(p.id) for p in problem.people}
    found = area_repo.areas_of_people(store=store, person_ids=sorted(set(real.values())))
    person_area = {p: found[r] for p, r in real.items() if r in found}
    names = area_repo.area_names_by_id(store=store, area_ids=sorted(set(person_area.values())))
    return WeekBase(
        run=run,
        problem=problem,
        solution=solution_of(run),
        person_area=person_area,
        areas=whatif.areas_of(problem, person_area, names),
    )


def compare_scenario(
    *,
    store: GraphStore,
    week_start: date,
    organization_id: str,
    changes: whatif.Changes,
    time_limit: float | None = None,
) -> Comparison:
    """The week and the scenario ``changes`` make of it, each read by area and time band;
    ScenarioError naming the field for a change that cannot be made, NoRotaYet, ScenarioFailed.
    Solved with the run's own time limit unless ``time_limit`` is given (at most
    ``SCENARIO_TIME_LIMIT_MAX``)."""
    base = week_base(store=store, week_start=week_start, organization_id=organization_id)
    areas = {area.id: area for area in base.areas}
    scenario = whatif.scenario_problem(
        base.problem, changes, areas=areas, person_area=base.person_area
    )
    limit = min(SCENARIO_TIME_LIMIT_MAX, time_limit or base.run.time_limit_s or 10.0)
    solution = solve_apart(scenario.problem, time_limit=limit, previous=base.solution.assignments)
    if solution.status not in ("OPTIMAL", "FEASIBLE"):
        raise ScenarioFailed(
            "; ".join(solution.errors or []) or f"the solver answered {solution.status}"
        )
    return Comparison(
        run=base.run,
        real=whatif.summarise(
            base.problem, base.solution.assignments, person_area=base.person_area
        ),
        scenario=whatif.summarise(
            scenario.problem, solution.assignments, person_area=scenario.person_area
        ),
        solver_status=solution.status,
        solve_seconds=solution.metrics.solve_seconds if solution.metrics else 0.0,
        area_names={area.id: area.name for area in base.areas} | {NO_AREA: NO_AREA},
    )


def recruitment_heat_map(*, store: GraphStore, week_start: date, organization_id: str) -> HeatMap:
    """Where one more volunteer would help the organisation's week most (NoRotaYet without a
    run): by area, weekday and time band."""
    base = week_base(store=store, week_start=week_start, organization_id=organization_id)
    cells = whatif.marginal_values(base.problem, base.solution.assignments, areas=base.areas)
    return HeatMap(
        run=base.run,
        areas=base.areas,
        cells=cells,
        gaps=len(base.solution.unassigned),
        usual_languages=tuple(whatif.recruit_like(base.problem).languages),
    )


def solve_apart(
    problem: Problem,
    *,
    time_limit: float,
    previous: Sequence[Assignment] = (),
    workers: int = 1,
) -> Solution:
    """``problem`` solved by ``solver.solve.solve`` (told the ``previous`` rota) in a process of
    its own (``spawn``: never a fork of the threaded server), which is stopped, with any process
    it started, once it answers or after the time limit and ``ANSWER_GRACE_S``."""
    process, receiver, sender = solving_process(
        problem=problem,
        previous=previous,
        time_limit=time_limit,
        workers=workers,
        name="scenario-solve",
    )
    process.start()
    sender.close()
    try:
        while receiver.poll(time_limit + ANSWER_GRACE_S):
            kind, body = receiver.recv()
            if kind == "solution":
                return Solution.model_validate_json(body)
            if kind == "error":
                raise ScenarioFailed(f"the solver stopped with an error: {body}")
        raise ScenarioFailed("the solver did not answer in time")
    except EOFError:
        raise ScenarioFailed("the solving process stopped without an answer") from None
    finally:
        receiver.close()
        stop_group(process, grace=0)
