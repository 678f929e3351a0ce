"""The real-client load tool and what it relies on: the client's rules, sections that rerun alone, a short load run.

The page tests drive pages through AppTest, which always reruns the whole script;
here a real WebSocket client (``bench/stclient.py``) talks to a running server, so a
control inside an ``st.fragment`` reruns only its section, as in a browser.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench import appserver
from bench.load import targets
from bench.stclient import NotLoopback, Session, candidate_values, check_loopback, widget_key
from playground.catalog import built_concepts
from tests.conftest import ARTIFACTS, REPO_ROOT


# ---------------------------------------------------------------- the client's rules, without a server
@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:8501", "https://127.0.0.1", "ftp://localhost",
                                 "http://127.0.0.1.example.com", "http://[::2]:80"])
def test_client_refuses_anything_but_loopback(url):
    """The tool measures our own server only: any other host (or scheme) is refused before connecting."""
    with pytest.raises(NotLoopback):
        check_loopback(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8501", "http://localhost:1/", "http://[::1]:8501", "http://127.9.9.9"])
def test_client_accepts_loopback(url):
    """127.0.0.0/8, ::1 and localhost are loopback."""
    assert check_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize("widget_id, key", [("$$ID-0f3a9c-p", "p"), ("$$ID-0f3a9c-q_guess", "q_guess"),
                                            ("$$ID-0f3a9c-net-h", "net-h"), ("plain-id", "")])
def test_widget_key_is_the_id_after_its_hash(widget_id, key):
    """Streamlit ids end with the user key after the hash, which may itself contain dashes."""
    assert widget_key(widget_id) == key


def _slider(value: float, lo: float, hi: float, step: float):
    from streamlit.proto.Slider_pb2 import Slider
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    from bench.stclient import Widget

    el = Slider(id="$$ID-x-s", min=lo, max=hi, step=step, data_type=Slider.INT)
    state = WidgetState(id=el.id)
    state.double_array_value.data.append(value)
    return Widget(el.id, "slider", el, "", state)


@pytest.mark.parametrize("value, first, lo, hi, expected", [
    (1, 1, 1, 4, [2, 3, 4]),      # up to 3 steps above the first value
    (3, 1, 1, 4, [1, 2, 4]),      # never the current value
    (4, 4, 1, 4, [3, 2, 1]),      # at the maximum: below it instead
    (0, 0, 0, 1, [1]),            # a range of two values
])
def test_generic_moves_stay_near_the_first_value_and_change_it(value, first, lo, hi, expected):
    """A control with no listed values moves within 3 steps of the value the page first showed, always to a new one."""
    assert candidate_values(_slider(value, lo, hi, 1), first) == expected


# ---------------------------------------------------------------- a real server, real clients
@pytest.fixture(scope="module")
def server():
    """The app as it is hosted (scripts/serve.py), on a free loopback port."""
    with appserver.streamlit(ARTIFACTS / "load_test_server.log") as running:
        yield running


def _run(coro):
    return asyncio.run(coro)


def _by_key(session: Session, key: str):
    return next(w for w in session.widgets.values() if w.key == key)


def test_the_served_process_has_not_loaded_torch(server):
    """scripts/serve.py warms every page in the serving process, and torch stays out of it (export only):
    no torch library is mapped into the process (Linux /proc)."""
    (pid,) = server.app_pids
    assert "torch" not in Path(f"/proc/{pid}/maps").read_text()


def test_a_sections_own_control_reruns_only_it_and_keeps_link_and_what_ran_right(server):
    """On the edge page, the output-cell picker lives in section 1: changing it reruns that fragment alone,
    the link gets the new value (and keeps every other), and the section redraws its "What ran" table.
    The padding slider is read by every section, so it reruns the whole page."""
    async def visit():
        async with Session(server.url) as s:
            opened = await s.open("edge_filters")
            assert opened.ok, (opened.status, opened.exceptions, opened.error_boxes)
            before = parse_qs(s.query_string)
            alone = await s.set_value(_by_key(s, "pi__typed"), "2")  # a number field: its text box (ui.number_field)
            after = parse_qs(s.query_string)
            whole = await s.set_value(_by_key(s, "p"), 1)
            return before, alone, after, whole, parse_qs(s.query_string)

    before, alone, after, whole, last = _run(visit())
    assert alone.ok and alone.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert after["pi"] == ["2"] and {k: v for k, v in after.items() if k != "pi"} == \
        {k: v for k, v in before.items() if k != "pi"}
    assert any(t.startswith("**1 · The course's 6×6 example**") and "| `conv2d` |" in t for t in alone.texts)
    assert not any("Filters learned by backprop" in t for t in alone.texts)  # other sections were not redrawn
    assert whole.ok and whole.status == "FINISHED_SUCCESSFULLY" and last["p"] == ["1"]


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.name)
def test_every_control_of_every_page_reruns_without_error(server, target):
    """A real visitor changes each control the load tool moves on the page, one after the other: every rerun
    (whole page or one section) finishes with no exception and no error box, and the link follows."""
    async def visit():
        async with Session(server.url) as s:
            results = [await s.open(target.page_name)]
            rng = random.Random(0)
            done = set()
            for _ in range(40):
                todo = [w for w in target.plan.movable(s) if w.key not in done]
                if not todo:
                    break
                widget = todo[0]
                value = rng.choice(target.plan.choices(widget, s.first_values.get(widget.key)))
                in_link = widget.key in parse_qs(s.query_string)
                result = await s.set_value(widget, value)
                results.append(result)
                done.add(widget.key)
                if in_link and isinstance(value, int) and not isinstance(value, bool):
                    links.append((widget.key, str(value), parse_qs(s.query_string).get(widget.key)))
            return done, results

    links: list[tuple[str, str, list[str] | None]] = []
    done, results = _run(visit())
    assert done, "the page has controls the tool can move"
    bad = [(r.status, r.exceptions, r.error_boxes) for r in results if not r.ok]
    assert not bad, bad
    assert all(link == [value] for _, value, link in links), links  # whole page or one section: the link follows


@pytest.mark.skipif(not built_concepts(), reason="no concept page is built yet")
def test_short_load_run_reports_sane_numbers_and_no_errors(tmp_path):
    """`python -m bench.load --short` starts its own server, drives two sessions for a few seconds, stops by
    itself, and reports latencies in order, a positive rerun rate, memory readings and zero errors."""
    out = tmp_path / "load.json"
    done = subprocess.run([sys.executable, "-m", "bench.load", "--short", "--json", str(out)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (page,) = json.loads(out.read_text())["results"]
    assert page["first_visit"]["status"] == "FINISHED_SUCCESSFULLY" and not page["first_visit"]["errors"]
    (phase,) = page["phases"]
    assert phase["sessions"] == 2 and phase["mode"] == "capacity"
    assert phase["changes"] >= 2
    assert 0 < phase["p50_ms"] <= phase["p95_ms"] <= phase["max_ms"] < 60_000
    assert phase["reruns_per_s"] > 0 and phase["cpu_ms_per_rerun"] > 0
    assert phase["errors"] == {"exceptions": 0, "error_boxes": 0, "timeouts": 0, "dropped": 0}, phase["error_samples"]
    assert 50 < phase["rss_before_mb"] <= phase["rss_peak_mb"] and phase["rss_after_mb"] > 50
    assert phase["moved"] != "[]"


def test_load_tool_refuses_a_remote_target():
    """`--url` with a host other than loopback stops before any connection, with a message."""
    done = subprocess.run([sys.executable, "-m", "bench.load", "--url", "http://example.com:8501"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "loopback" in done.stderr
