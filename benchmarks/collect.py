"""Gather the benchmark reports into benchmarks/RESULTS.md.

Each benchmark writes its own report (SOLVER.md, SEED.md, API.md, SUGGEST.md, BACKENDS.md,
ORUK.md, REPAIR.md, WHATIF.md) with the machine, date and load it ran under; this puts them in
one file after
the summary in SUMMARY.md.
Run: ``python -m benchmarks.collect``.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
REPORTS = (
    "SOLVER.md",
    "SEED.md",
    "API.md",
    "SUGGEST.md",
    "BACKENDS.md",
    "ORUK.md",
    "REPAIR.md",
    "WHATIF.md",
)


def collect() -> str:
    """The text of RESULTS.md: the summary, then every report with its headings moved down."""
    parts = [(HERE / "SUMMARY.md").read_text().rstrip()]
    for name in REPORTS:
        text = (HERE / name).read_text().rstrip()
        demoted = "\n".join(
            "#" + line if line.startswith("#") else line for line in text.splitlines()
        )
        parts.append(f"<!-- from benchmarks/{name} -->\n{demoted}")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    (HERE / "RESULTS.md").write_text(collect())
