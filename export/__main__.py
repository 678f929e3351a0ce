"""Rebuild the committed models and rewrite their manifest entries.

Usage:
    python -m export               # every model
    python -m export conv2d ...    # only the scripts that produce these models
    python -m export --list        # what can be built
    python -m export --check       # verify committed files against the manifest, build nothing

Each script is also runnable alone (``python -m export.conv2d``) and fixes its
own seeds, so a rebuild gives the same numbers.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

EXPORT_DIR = Path(__file__).parent


def _produces(path: Path) -> tuple[str, ...] | None:
    """A script's module-level ``PRODUCES = (...)``, read without importing it (torch may be absent)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PRODUCES" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    return None


# script module -> the manifest names it writes (models and artifacts), in file-name order
SCRIPTS: dict[str, tuple[str, ...]] = {
    f"export.{path.stem}": produced
    for path in sorted(EXPORT_DIR.glob("*.py"))
    if (produced := _produces(path)) is not None
}


def _scripts_for(names: list[str]) -> list[str]:
    if not names:
        return list(SCRIPTS)
    chosen = []
    for name in names:
        owners = [mod for mod, produced in SCRIPTS.items() if name in produced or mod == f"export.{name}"]
        if not owners:
            known = sorted({n for produced in SCRIPTS.values() for n in produced})
            sys.exit(f"unknown model {name!r}; known: {', '.join(known)}")
        chosen += [m for m in owners if m not in chosen]
    return chosen


def check() -> int:
    """Verify every manifest entry's file and sha256; return the number of problems."""
    from playground.manifest import ModelUnavailable, artifact_path, load_manifest, model_path

    manifest = load_manifest()
    problems = 0
    for kind, resolve in (("models", model_path), ("artifacts", artifact_path)):
        for name in manifest.get(kind, {}):
            try:
                print(f"ok  {resolve(name).name}")
            except ModelUnavailable as exc:
                problems += 1
                print(f"BAD {exc}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m export", description="Rebuild the committed ONNX models.")
    parser.add_argument("names", nargs="*", help="models to rebuild (default: all)")
    parser.add_argument("--list", action="store_true", help="list what can be built")
    parser.add_argument("--check", action="store_true", help="verify files against the manifest")
    args = parser.parse_args(argv)
    if args.list:
        for module, produced in SCRIPTS.items():
            print(f"{module:28s} -> {', '.join(produced)}")
        return
    if args.check:
        sys.exit(1 if check() else 0)
    for module in _scripts_for(args.names):
        print(f"== {module}")
        importlib.import_module(module).main([])


if __name__ == "__main__":
    main()
