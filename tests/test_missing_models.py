"""A model file missing from, or altered in, the models folder: every page that uses it says which file and how to
rebuild it, in words, with no traceback; the pages that do not use it keep working.

Each scenario runs in a fresh process pointed at a damaged COPY of onnx_models/ by PLAYGROUND_MODELS_DIR, as a
server started with that folder would be. The models are walked from the catalog (each concept's ``models=``):

- missing, one model at a time: every page listing it opens, in its default view and each of its tabs (caches
  emptied between models, so nothing loaded for an earlier model hides the gap);
- altered, every model at once (alternately one byte flipped, so the sha256 differs, and cut to half its size):
  the server's warm-up (scripts/serve.py) lists each and goes on; home and every page open; a page without
  models must show no error at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playground import manifest
from playground.catalog import built_concepts
from tests.conftest import REPO_ROOT

TIMEOUT = 120  # seconds per page run
REDACTED = "This app has encountered an error"  # Streamlit's box for an exception it caught itself
MODELS = sorted({name for c in built_concepts() for name in c.models})


def unescape(markdown: str) -> str:
    """Markdown's backslash escapes undone: the text a reader sees."""
    return re.sub(r"\\(.)", r"\1", markdown)


# ---------------------------------------------------------------- run inside the fresh process
def _empty_caches() -> None:
    """Forget every loaded session, checked file and cached result, as a freshly started server has none."""
    import streamlit as st

    from playground import runtime

    st.cache_data.clear()
    st.cache_resource.clear()
    runtime._CACHE = runtime._SessionCache()
    manifest._verified.clear()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("playground", "pages"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def _open(slug: str) -> dict:
    """One page, opened alone (home through the entry point), default view and every other tab (a tab is opened by
    the link key that holds the open tab's label); the few things the test reads, over all of them."""
    from streamlit.testing.v1 import AppTest

    script = str(REPO_ROOT / ("streamlit_app.py" if slug == "home" else f"pages/{slug}.py"))
    at = AppTest.from_file(script, default_timeout=TIMEOUT).run()
    runs = [at]
    labels = [node.label for node in at._tree if getattr(node, "type", "") == "tab"]
    tab_key = next((k for k, v in at.query_params.items() if v in labels), None)
    for label in labels if tab_key else ():
        if label != at.query_params[tab_key]:
            tab = AppTest.from_file(script, default_timeout=TIMEOUT)
            tab.query_params[tab_key] = label
            runs.append(tab.run())
    return {"exception": [e.message for run in runs for e in run.exception],
            "errors": [unescape(e.value) for run in runs for e in run.error],
            "titles": [t.value for t in at.title], "views": len(runs)}


def drive(kind: str) -> None:
    """Print, as JSON, what each page showed: ``kind`` "missing" (one model at a time) or "altered" (all at once)."""
    pages = {c.slug: c.models for c in built_concepts()}
    folder = manifest.MODELS_DIR
    results: dict[str, dict[str, dict]] = {}
    if kind == "missing":
        for name in MODELS:
            path = folder / f"{name}.onnx"
            kept = path.read_bytes()
            path.unlink()
            _empty_caches()
            results[name] = {slug: _open(slug) for slug, models in pages.items() if name in models}
            path.write_bytes(kept)
    else:
        import runpy

        serve = runpy.run_path(str(REPO_ROOT / "scripts" / "serve.py"))  # not a package: loaded by path
        results["serve"] = {"problems": serve["load_models"](built_concepts())}
        results["all"] = {slug: _open(slug) for slug in ["home", *pages]}
    print(json.dumps(results))


# ---------------------------------------------------------------- the scenarios, run once per test session
def damage(folder: Path, kind: str) -> None:
    """For "altered": flip one byte of every other model and cut the rest to half their size."""
    if kind == "altered":
        for k, name in enumerate(MODELS):
            path = folder / f"{name}.onnx"
            data = bytearray(path.read_bytes())
            if k % 2 == 0:
                data[len(data) // 2] ^= 0xFF
                path.write_bytes(bytes(data))
            else:
                path.write_bytes(bytes(data[: len(data) // 2]))


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> dict[str, dict]:
    """Both scenarios, each in its own process (started together: two cores); what every page showed."""
    procs = {}
    for kind in ("missing", "altered"):
        folder = tmp_path_factory.mktemp(kind) / "onnx_models"
        shutil.copytree(manifest.MODELS_DIR, folder)
        damage(folder, kind)
        code = f"from tests.test_missing_models import drive; drive({kind!r})"
        procs[kind] = subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=os.environ | {manifest.MODELS_DIR_ENV: str(folder)})
    results = {}
    for kind, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        results[kind] = json.loads(out.strip().splitlines()[-1])
    return results


def named(errors: list[str], name: str) -> list[str]:
    """The error boxes that name ``name``'s file."""
    return [e for e in errors if f"{name}.onnx" in e]


@pytest.mark.parametrize("name", MODELS)
def test_a_missing_model_is_named_with_its_rebuild_command(shown, name):
    """With one model file removed, each page listing it runs without an exception and still draws its title;
    every error naming the file says it is missing and gives `python -m export <name>`; and the pages either
    name the file or do not need it for their default view (no error at all)."""
    pages = shown["missing"][name]
    assert pages, f"no built page lists {name}"
    for slug, page in pages.items():
        assert not page["exception"], (name, slug, page["exception"])
        assert page["titles"], (name, slug, "the page stopped before its title")
        assert not [e for e in page["errors"] if REDACTED in e or "Something went wrong" in e], (name, slug)
        for error in named(page["errors"], name):
            assert f"{name}.onnx is missing. Rebuild it with: " in error, (slug, error)
            assert f"python -m export {name}" in error, (slug, error)
        assert named(page["errors"], name) or not page["errors"], (name, slug, page["errors"])


def test_a_model_every_default_view_needs_is_named_somewhere(shown):
    """The walk is not empty: the models the pages load in their default views are named by some page when
    missing (conv2d on the edge page, the MobileNetV2 on the style page, among others)."""
    reported = {name for name, pages in shown["missing"].items() if any(named(p["errors"], name) for p in pages.values())}
    assert {"conv2d", "mobilenet_v2", "anchor_detector", "nms_postprocess", "residual_block"} <= reported, reported


@pytest.mark.parametrize("slug", ["home"] + [c.slug for c in built_concepts()])
def test_altered_models_are_named_and_pages_without_models_keep_working(shown, slug):
    """With every model altered (a flipped byte or half its bytes), the page runs without an exception; a page
    with models names at least one of them as not matching the manifest, with its rebuild command; a page
    without models (and without conv2d, which home uses) shows no error at all."""
    page = shown["altered"]["all"][slug]
    models = ("conv2d",) if slug == "home" else next(c.models for c in built_concepts() if c.slug == slug)
    assert not page["exception"], (slug, page["exception"])
    assert not [e for e in page["errors"] if REDACTED in e or "Something went wrong" in e], (slug, page["errors"])
    if not models:
        assert not page["errors"], (slug, page["errors"])
        return
    said = [(name, e) for name in models for e in named(page["errors"], name)]
    assert said, (slug, page["errors"])
    for name, error in said:
        assert f"{name}.onnx does not match the manifest" in error, error
        assert f"python -m export {name}" in error, error
        k = MODELS.index(name)
        assert ("cut short" in error) == (k % 2 == 1), error  # half the bytes: "cut short"; a flipped byte: sha256


def test_the_server_starts_with_altered_models_and_names_each(shown):
    """scripts/serve.py's warm-up does not stop at a bad model file: it lists each one (with its rebuild command)
    and goes on, so the server starts and the pages without models work."""
    problems = shown["altered"]["serve"]["problems"]
    for name in MODELS:
        assert any(f"{name}.onnx does not match the manifest" in p and f"python -m export {name}" in p
                   for p in problems), (name, problems)
