"""The analysis notebooks run end to end on the seeded data and are committed stripped.

Each notebook is executed in a fresh kernel (nbclient, the engine nbmake uses) with ``TMPDIR``
pointing at this test's own folder, so the throwaway graph server a notebook starts lives there;
while the kernel is still up, no process may be left running in that folder.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 240
# Figures each notebook draws when it works (a cell that silently stops plotting fails here).
FIGURES = {
    "care_network.ipynb": 5,
    "rota_quality.ipynb": 4,
    "loneliness_outcomes.ipynb": 4,
    "plan_outcomes.ipynb": 3,
}
WORDS_WE_DO_NOT_USE = re.compile(r"\b(clients?|cases?|service users?)\b", re.IGNORECASE)


def _name(path: Path) -> str:
    return path.stem


def _figures(notebook: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def _processes_in(folder: Path) -> list[str]:
    """Processes whose working directory is inside ``folder`` (the embedded server runs in its
    data directory)."""
    found = []
    for process in psutil.process_iter(["pid", "name"]):
        try:
            cwd = process.cwd()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        if cwd.startswith(str(folder)):
            found.append(f"{process.info['name']} (pid {process.info['pid']}) in {cwd}")
    return found


def test_the_four_notebooks_are_there() -> None:
    assert [path.name for path in NOTEBOOKS] == sorted(FIGURES)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_runs_without_error_and_leaves_nothing_running(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError with the traceback
        left_running = _processes_in(tmp_path)

    assert left_running == [], f"{path.name} left processes running: {left_running}"
    assert list(tmp_path.glob("carecircles-notebook-*")) == [], "temporary folder not removed"
    assert _figures(notebook) == FIGURES[path.name]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and (cell.outputs or cell.execution_count is not None or "execution" in cell.metadata)
    ]
    assert dirty == [], f"{path.name}: cells {dirty} hold outputs; run `nbstripout {path}`"
    # And the git filter (nbstripout) would leave the file exactly as it is.
    verify = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, f"nbstripout would change {path.name}: {verify.stdout}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_says_who_it_is_for_in_our_words(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    opening = notebook.cells[0]
    assert opening.cell_type == "markdown"
    assert re.search(r"coordinators|link workers", opening.source, re.IGNORECASE)
    for index, cell in enumerate(notebook.cells):
        found = WORDS_WE_DO_NOT_USE.findall(cell.source)
        assert found == [], f"{path.name} cell {index} says {found}; say person, visit, circle"
