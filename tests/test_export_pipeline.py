"""The export pipeline's bookkeeping, without torch: every committed file has a script that rebuilds it."""

from __future__ import annotations

import subprocess
import sys

from export.__main__ import SCRIPTS, _scripts_for
from playground.manifest import load_manifest
from tests.conftest import REPO_ROOT


def test_every_manifest_entry_names_a_script_that_produces_it():
    """`python -m export NAME` can rebuild every model and artifact listed in the manifest."""
    manifest = load_manifest()
    produced = {name for names in SCRIPTS.values() for name in names}
    for kind in ("models", "artifacts"):
        for name, entry in manifest[kind].items():
            target = entry.get("export", name)
            assert target in produced or f"export.{target}" in SCRIPTS, (kind, name)
            assert entry["provenance"]["command"].startswith("python -m export "), (kind, name)


def test_export_check_passes_on_the_committed_files():
    """`python -m export --check` verifies every sha256 and exits 0 (it imports no torch)."""
    out = subprocess.run([sys.executable, "-m", "export", "--check"], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BAD" not in out.stdout


def test_asking_for_one_model_runs_only_its_script():
    """Rebuilding conv2d does not retrain the depth experiment."""
    assert _scripts_for(["conv2d"]) == ["export.conv2d"]
