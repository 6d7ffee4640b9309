"""``carecircles solve``: solve a rota problem file (ROTA_FORMAT.md) without any store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

# exit codes (API_CONTRACT.md): 0 a solution was written, 2 invalid problem, 1 pins infeasible
EXIT_INFEASIBLE = 1
EXIT_INVALID = 2


def solve(
    problem: Annotated[Path, typer.Argument(help="problem file (ROTA_FORMAT.md)")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="solution file (default: stdout)")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, help="seconds")] = 30.0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="last week's solution file: its assignments are kept where that costs nothing",
        ),
    ] = None,
) -> None:
    """Solve a rota problem file (ROTA_FORMAT.md) and write the solution."""
    from pydantic import ValidationError

    from solver.models import Solution
    from solver.solve import solution_json, solve_json  # OR-Tools loads only when solving

    err = Console(stderr=True)
    try:
        text = problem.read_bytes()
    except OSError as exc:
        err.print(f"cannot read {problem}: {exc.strerror}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from exc
    last_week = []
    if previous is not None:
        try:
            last_week = Solution.model_validate_json(previous.read_bytes()).assignments
        except OSError as exc:
            err.print(f"cannot read {previous}: {exc.strerror}", markup=False, highlight=False)
            raise typer.Exit(EXIT_INVALID) from exc
        except ValidationError as exc:
            err.print(
                f"--previous: expected a solution file (ROTA_FORMAT.md), got {previous} with "
                f"{exc.error_count()} problems",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_INVALID) from exc
    with err.status("solving", spinner="dots") as status:
        solution = solve_json(
            text,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            progress=lambda message: status.update(f"solving: {message}"),
            previous=last_week,
        )
    if solution.status == "INVALID":
        err.print(f"{problem}: invalid rota problem", markup=False, highlight=False)
        for error in solution.errors or []:
            err.print(f"  - {error}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID)
    text_out = solution_json(solution)
    if output is None:
        typer.echo(text_out)
    else:
        output.write_text(text_out + "\n", encoding="utf-8")
    m = solution.metrics
    if m is not None:
        err.print(
            f"{solution.status}: {m.visits_covered} of {m.visits_total} visits covered, "
            f"need-weighted {m.need_weighted_coverage:.1%} "
            f"(bound {m.need_weighted_upper_bound:.1%}), {m.solve_seconds:.1f} s",
            markup=False,
            highlight=False,
        )
    if solution.status == "INFEASIBLE":
        raise typer.Exit(EXIT_INFEASIBLE)
