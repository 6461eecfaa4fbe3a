"""The layering written down in the README ("Layers") holds: import-linter checks the contracts in
pyproject.toml — rules never imports workflow, durable_rules only through rules.engine, and the
workflow layers (entry points > flows > pages > forms > services > selectors > domain > models >
utilities), imports inside functions included."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout
