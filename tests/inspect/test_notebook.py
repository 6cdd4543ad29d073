"""notebooks/inspect.ipynb runs from top to bottom, so it cannot go stale.

It runs on a run folder that does not exist yet, so the notebook's own
"run the pipeline if missing" path is exercised too.
"""

import pytest

from conftest import ROOT

# executes the notebook on a fresh run: not in `make quick`.
pytestmark = pytest.mark.e2e

NOTEBOOK = ROOT / "notebooks" / "inspect.ipynb"


def test_inspect_notebook_executes(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' (nbformat)")
    nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]' (nbclient)")
    pytest.importorskip("ipykernel", reason="pip install -e '.[test]' (ipykernel)")
    pytest.importorskip("matplotlib", reason="pip install -e '.[test]' (matplotlib)")

    run = tmp_path / "seeds-run"
    monkeypatch.setenv("INSPECT_RUN", str(run))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, when a cell fails

    assert (run / "manifest.json").is_file() and (run / "report.html").is_file()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "ran the pipeline into" in text and "5 documents" in text
    assert "facts: +" in text  # the diff of the two runs
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the plots
    assert not any(o.get("output_type") == "error" for o in outputs)
