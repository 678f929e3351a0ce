"""The layout's rules, checked on the source: where a concept lives and what may import what."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from playground.catalog import CONCEPTS, built_concepts
from tests.conftest import REPO_ROOT

SLUGS = [c.slug for c in CONCEPTS]


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO_ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from … import`` in the file names (absolute imports)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def concept_of(path: Path) -> str | None:
    """The slug a file belongs to: playground/<slug>/…, pages/<slug>.py or pages/_<slug>/…."""
    rel = path.relative_to(REPO_ROOT).parts
    if rel[0] == "playground" and len(rel) > 2 and rel[1] in SLUGS:
        return rel[1]
    if rel[0] == "pages" and len(rel) == 2 and path.stem in SLUGS:
        return path.stem
    if rel[0] == "pages" and len(rel) > 2 and rel[1].lstrip("_") in SLUGS:
        return rel[1].lstrip("_")
    return None


@pytest.mark.parametrize("slug", [c.slug for c in built_concepts()])
def test_each_built_concept_has_its_package_page_helpers_tests_and_bench(slug):
    """A built concept's five places all carry its slug."""
    for place in (f"playground/{slug}/__init__.py", f"pages/{slug}.py", f"pages/_{slug}", f"tests/{slug}",
                  f"bench/{slug}.py"):
        assert (REPO_ROOT / place).exists(), place


def test_a_concept_imports_only_shared_modules_and_earlier_concepts():
    """No file of a concept imports a concept that comes later in the catalog (or any page of another concept)."""
    offences = []
    for path in python_files("playground", "pages"):
        own = concept_of(path)
        if own is None:
            continue
        later = SLUGS[SLUGS.index(own) + 1:]
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "playground" and len(parts) > 1 and parts[1] in later:
                offences.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
            if parts[0] == "pages" and len(parts) > 1 and parts[1].lstrip("_") in SLUGS and \
                    parts[1].lstrip("_") != own:
                offences.append(f"{path.relative_to(REPO_ROOT)} imports another page's {module}")
    assert not offences, offences


def test_the_library_imports_neither_streamlit_nor_plotly_nor_torch():
    """playground/ returns arrays and numbers; pages/_shared turns them into figures; torch stays in export/."""
    offences = [f"{p.relative_to(REPO_ROOT)}: {m}" for p in python_files("playground") for m in imported_modules(p)
                if m.split(".")[0] in ("streamlit", "plotly", "torch")]
    assert not offences, offences


def test_only_the_runtime_module_creates_inference_sessions():
    """`InferenceSession(` is called in playground/runtime.py and nowhere else (export included)."""
    callers = []
    for path in python_files("playground", "pages", "export", "bench"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == \
                    "InferenceSession":
                callers.append(str(path.relative_to(REPO_ROOT)))
    assert set(callers) <= {"playground/runtime.py"}, callers


def test_tests_never_import_another_test_file():
    """Tests share only tests/references.py and tests/conftest.py."""
    offences = [f"{p.relative_to(REPO_ROOT)}: {m}" for p in python_files("tests") for m in imported_modules(p)
                if m.startswith("tests.") and m.split(".")[1] not in ("references", "conftest")]
    assert not offences, offences
