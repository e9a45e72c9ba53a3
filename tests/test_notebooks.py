"""The committee's notebooks are stored clean and run top to bottom on the sample conference.

Executing them solves the sample several times, so those tests are marked slow (they still run in CI).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from scheduler.loader import load_conference

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 300  # the longest cell solves the sample a few times with short limits
NAMES = ("01-build-the-agenda.ipynb", "02-what-if.ipynb")


def expected_figures(name: str) -> int:
    """01 draws one room plan per day of the sample and four whole-conference pictures; 02 draws the changes of
    each of its three scenarios."""
    if name.startswith("01"):
        return len(load_conference(ROOT / "data" / "rome-2023").days) + 4
    return 3


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name):
    code = [c for c in read(name).cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert [c.source[:40] for c in code if c.outputs or c.execution_count is not None] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name):
    notebook = read(name)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError, naming the cell, when any cell fails
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) == expected_figures(name)
