"""Real visitors, measured: N concurrent WebSocket sessions per page, with and without think time.

Usage:
    python -m bench.load                                # every page, N = 1, 10, 30, both modes (about 25 min)
    python -m bench.load --pages edge_filters --sessions 1 10
    python -m bench.load --modes capacity --capacity-seconds 10
    python -m bench.load --short                        # a few seconds on one page: what the test suite runs
    python -m bench.load --replicas 2                   # through HAProxy in front of 2 app processes
    python -m bench.load --url http://127.0.0.1:8501    # a server already running (loopback only)

Each session is a real client (``bench/stclient.py``): it opens the page, then changes
one control at a time to a new valid value and waits for the rerun to finish, as a
browser would. Two modes:

- think: each session changes a control every 2–4 s (random) for ``--think-seconds``;
  the class-of-30 case.
- capacity: no think time; each session changes a control as soon as the last rerun
  finished, for ``--capacity-seconds``; reruns/s is what the server can do.

Reported per page and N: p50, p95 and max of the time from a control change to the
finished rerun (what the visitor waits for, sent and received), reruns/s, errors
(exceptions, error boxes, timeouts, dropped connections), the server's RSS before the
sessions open, at the peak and after they closed, and what one idle session costs.
Server time per interaction in the 100 ms contract is this latency with N = 1.

The app is started on loopback with ``server.disconnectedSessionTTL`` set to
``--ttl`` seconds (Streamlit keeps a closed session 120 s by default, for reconnects),
so "after" can be read once the closed sessions have really gone. Everything is
bounded: sessions, changes per session, seconds per phase, and ``--max-minutes``.
Results are printed and written as JSON to ``bench/results/`` (not committed).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import appserver
from bench.core import Row
from bench.stclient import ChangePlan, NotLoopback, RunResult, Session, check_loopback, describe
from playground.catalog import built_concepts
from playground.manifest import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"
SESSIONS = (1, 10, 30)
THINK_S = (2.0, 4.0)  # a visitor's pause between two changes, uniform
MAX_SESSIONS = 64  # refuse more: this measures a class, it is not a stress tool
SETTLE_S = 2.0  # after opening or closing sessions, before memory is read
HOME = "home"
# Home has no control of its own: its visitor switches the provider in the sidebar.
HOME_PLAN = ChangePlan(values={"provider": ["auto (CUDA if it works, else CPU)", "CPU"]}, only_listed=True)
HOME_BUDGET_MS = 100  # the home page's control (the provider) has the same contract as every page
DEFAULT_SKIP = frozenset({"provider"})  # the sidebar's provider is the same on every page; pages are measured on theirs


@dataclass
class Target:
    """A page to measure: its name in the report, its URL path and how its visitors change it."""

    name: str
    page_name: str  # URL path, "" for the home page
    plan: ChangePlan


def targets(names: Sequence[str] | None = None) -> list[Target]:
    """Home and every built concept, in catalog order (or only ``names``).

    A concept's ``bench/<slug>.py`` may define ``LOAD_PLAN`` (a :class:`ChangePlan`)
    to say which values its controls take; otherwise every control moves a few steps
    from its default and choices take any option.
    """
    out = [Target(HOME, "", HOME_PLAN)]
    for concept in built_concepts():
        try:
            module = importlib.import_module(f"bench.{concept.slug}")
        except ModuleNotFoundError:
            module = None
        plan = getattr(module, "LOAD_PLAN", None) or ChangePlan(skip=DEFAULT_SKIP)
        out.append(Target(concept.slug, concept.slug, plan))
    if names:
        known = {t.name: t for t in out}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown page(s) {unknown}; built: {list(known)}")
        out = [known[n] for n in names]
    return out


@dataclass
class Phase:
    """What a load phase measured: one page, N sessions, one mode."""

    page: str
    sessions: int
    mode: str  # "think" or "capacity"
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    fragment_runs: int = 0
    errors: dict[str, int] = field(default_factory=lambda: {"exceptions": 0, "error_boxes": 0, "timeouts": 0,
                                                             "dropped": 0})
    error_samples: list[str] = field(default_factory=list)
    moved: str = ""  # the controls the visitors changed
    open_ms: list[float] = field(default_factory=list)  # each session's first page run
    rss_before_mb: float = 0.0
    rss_open_mb: float = 0.0  # all N sessions open and idle
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0  # after every session closed and the server dropped them
    cpu_s: float = float("nan")  # server CPU time used during the phase (all app processes)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def reruns_per_s(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_rerun(self) -> float:
        return self.cpu_s * 1e3 / self.count if self.count else float("nan")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def idle_session_mb(self) -> float:
        return (self.rss_open_mb - self.rss_before_mb) / self.sessions

    def record(self, result: RunResult) -> None:
        """Count one run: its latency if it finished, and every way it went wrong."""
        if result.status in ("timeout", "dropped"):
            self.errors["timeouts" if result.status == "timeout" else "dropped"] += 1
            self.error_samples.append(result.status)
        else:
            self.latencies_ms.append(result.seconds * 1e3)
            self.fragment_runs += result.fragment and result.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
        self.errors["exceptions"] += len(result.exceptions)
        self.errors["error_boxes"] += len(result.error_boxes)
        self.error_samples.extend(result.exceptions + result.error_boxes)
        del self.error_samples[10:]

    def summary(self) -> dict:
        return {"page": self.page, "sessions": self.sessions, "mode": self.mode, "changes": self.count,
                "fragment_runs": self.fragment_runs, "p50_ms": self.pct(0.5), "p95_ms": self.pct(0.95),
                "max_ms": max(self.latencies_ms, default=float("nan")), "reruns_per_s": self.reruns_per_s,
                "errors": self.errors, "error_samples": self.error_samples, "moved": self.moved,
                "open_p50_ms": statistics.median(self.open_ms) if self.open_ms else float("nan"),
                "open_max_ms": max(self.open_ms, default=float("nan")), "seconds": self.seconds,
                "rss_before_mb": self.rss_before_mb, "rss_open_mb": self.rss_open_mb,
                "rss_peak_mb": self.rss_peak_mb, "rss_after_mb": self.rss_after_mb,
                "idle_session_mb": self.idle_session_mb,
                "cpu_ms_per_rerun": self.cpu_ms_per_rerun}


class Sampler:
    """Reads the server's RSS every quarter second while a phase runs; keeps the peak."""

    def __init__(self, server: appserver.Server | None) -> None:
        self.server, self.peak, self._task = server, 0.0, None

    def now(self) -> float:
        return self.server.rss_mb() if self.server and self.server.app_pids else float("nan")

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self.now())
            await asyncio.sleep(0.25)

    def __enter__(self) -> Sampler:
        self.peak = self.now()
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc) -> None:
        self._task.cancel()


async def visitor(session: Session, plan: ChangePlan, rng: random.Random, phase: Phase, until: float,
                  think: tuple[float, float] | None, max_changes: int) -> None:
    """One visitor's loop: (think,) change a control, wait for the rerun; until the phase ends."""
    for _ in range(max_changes):
        if think:
            pause = rng.uniform(*think)
            if time.monotonic() + pause >= until:
                return
            await asyncio.sleep(pause)
        if time.monotonic() >= until:
            return
        change = plan.next_change(session, rng)
        if change is None:
            return
        result = await session.set_value(*change)
        phase.record(result)
        if result.status in ("timeout", "dropped"):
            return  # this visitor's connection is no use any more


async def open_sessions(url: str, target: Target, count: int, timeout_s: float, phase: Phase) -> list[Session]:
    """``count`` visitors arriving at once: each connects and runs the page."""
    sessions = [Session(url, timeout_s) for _ in range(count)]
    results = await asyncio.gather(*(s.open(target.page_name) for s in sessions), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            phase.errors["dropped"] += 1
            phase.error_samples.append(f"could not open: {result!r}"[:300])
            continue
        phase.open_ms.append(result.seconds * 1e3)
        phase.errors["exceptions"] += len(result.exceptions)
        phase.errors["error_boxes"] += len(result.error_boxes)
        phase.error_samples.extend(result.exceptions + result.error_boxes)
    return [s for s, r in zip(sessions, results) if not isinstance(r, BaseException)]


async def close_all(sessions: Sequence[Session]) -> None:
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


GC_WAIT_S = 11  # scripts/serve.py collects garbage every 10 s: what closed sessions left is freed by then


async def settle_after_close(url: str, ttl_s: float) -> None:
    """Wait until closed sessions expire, open and close one more so the server drops them, then wait for a collection.

    Streamlit's session store removes expired sessions lazily, when it is next written to;
    their objects are in reference cycles, freed by the server's periodic full collection.
    """
    await asyncio.sleep(ttl_s + 1)
    probe = Session(url, 30)
    try:
        await probe.open("")
    finally:
        await probe.close()
    await asyncio.sleep(GC_WAIT_S)


async def measure_page(url: str, server: appserver.Server | None, target: Target, counts: Sequence[int],
                       modes: Sequence[str], args) -> list[Phase]:
    """For each N: open N sessions, run each mode on them, close them; one Phase per (N, mode)."""
    phases = []
    rng = random.Random(args.seed)
    sampler = Sampler(server)
    for n in counts:
        opened = Phase(target.name, n, "open")
        opened.rss_before_mb = sampler.now()
        with sampler:
            sessions = await open_sessions(url, target, n, args.timeout, opened)
            await asyncio.sleep(SETTLE_S)
            opened.rss_open_mb = sampler.now()
            for index, mode in enumerate(modes):
                phase = Phase(target.name, n, mode, rss_before_mb=opened.rss_before_mb, rss_open_mb=opened.rss_open_mb,
                              open_ms=opened.open_ms)
                if index == 0:  # errors while opening count in the first phase on these sessions
                    phase.errors, phase.error_samples = dict(opened.errors), list(opened.error_samples)
                think = THINK_S if mode == "think" else None
                seconds = args.think_seconds if mode == "think" else args.capacity_seconds
                if args.short:
                    seconds = min(seconds, 3.0)
                max_changes = args.max_changes or (int(seconds / THINK_S[0]) + 1 if think else 10_000)
                movable = {w.key: w for s in sessions for w in target.plan.movable(s)}
                phase.moved = describe(list(movable.values()))
                start, cpu = time.monotonic(), server.cpu_s() if server else float("nan")
                until = start + seconds
                await asyncio.gather(*(visitor(s, target.plan, random.Random(rng.random()), phase, until, think,
                                               max_changes) for s in sessions))
                phase.seconds = time.monotonic() - start
                phase.cpu_s = (server.cpu_s() if server else float("nan")) - cpu
                phases.append(phase)
            peak = sampler.peak
        await close_all(sessions)
        if server is not None:
            await settle_after_close(url, args.ttl)
        for phase in phases[-len(modes):]:
            phase.rss_peak_mb, phase.rss_after_mb = peak, sampler.now()
        print(format_phases(phases[-len(modes):], header=False), flush=True)
    return phases


def format_phases(phases: Sequence[Phase], header: bool = True) -> str:
    """The report table: one line per page, N and mode."""
    head = (f"{'page':18s} {'N':>3s} {'mode':8s} {'changes':>7s} {'p50 ms':>7s} {'p95 ms':>7s} {'max ms':>7s} "
            f"{'reruns/s':>8s} {'cpu ms':>6s} {'errors':>6s} {'open ms':>7s} {'RSS MB before/peak/after':>25s} "
            f"{'MB/idle':>7s}")
    lines = [head, "-" * len(head)] if header else []
    for p in phases:
        rss = f"{p.rss_before_mb:.0f}/{p.rss_peak_mb:.0f}/{p.rss_after_mb:.0f}"
        open_ms = statistics.median(p.open_ms) if p.open_ms else float("nan")
        lines.append(f"{p.page:18s} {p.sessions:3d} {p.mode:8s} {p.count:7d} {p.pct(0.5):7.0f} {p.pct(0.95):7.0f} "
                     f"{max(p.latencies_ms, default=float('nan')):7.0f} {p.reruns_per_s:8.1f} {p.cpu_ms_per_rerun:6.0f} "
                     f"{p.error_count:6d} "
                     f"{open_ms:7.0f} {rss:>25s} {p.idle_session_mb:7.1f}")
        if p.error_samples:
            lines.append(f"    errors {p.errors}: {p.error_samples[:3]}")
    return "\n".join(lines)


async def first_visit(url: str, target: Target, timeout_s: float) -> RunResult:
    """One visitor on a fresh server: the page's first complete run, then the session closes."""
    session = Session(url, timeout_s)
    try:
        return await session.open(target.page_name)
    finally:
        await session.close()


async def run(args) -> list[dict]:
    """Every page: a fresh server (unless --url), its first visit, then each N and mode."""
    pages = targets(args.pages or ([built_concepts()[0].slug] if args.short and built_concepts() else None))
    counts = args.sessions or ((2,) if args.short else SESSIONS)
    if max(counts) > MAX_SESSIONS:
        raise SystemExit(f"at most {MAX_SESSIONS} sessions")
    modes = args.modes or (("capacity",) if args.short else ("think", "capacity"))
    env = {}
    if args.ort_threads is not None:
        env["PLAYGROUND_ORT_THREADS"] = str(args.ort_threads)
    if args.ort_spin is not None:
        env["PLAYGROUND_ORT_SPIN"] = str(args.ort_spin)
    env.update(item.split("=", 1) for item in args.env)
    ttl = ("--server.disconnectedSessionTTL", str(args.ttl))
    print(f"# {platform.machine()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start; "
          f"{time.strftime('%Y-%m-%d %H:%M')}; env {env or 'default'}; "
          + (f"{args.replicas} replicas behind HAProxy" if args.replicas else args.url or "one process"), flush=True)
    print(format_phases([]), flush=True)
    out = []
    for target in pages:
        log = RESULTS / f"server-{target.name}.log"
        if args.url:
            server_cm = None
            url = check_loopback(args.url)
        elif args.replicas:  # the script passes no options through: Streamlit reads the TTL from the environment too
            server_cm = appserver.replicas(args.replicas, log, {**env, "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": ttl[1]})
        else:
            server_cm = appserver.streamlit(log, env, ttl)
        server = server_cm.__enter__() if server_cm else None
        try:
            url = server.url if server else url
            first = await first_visit(url, target, args.timeout)
            first_entry = {"page": target.name, "first_visit_ms": first.seconds * 1e3, "status": first.status,
                           "errors": first.exceptions + first.error_boxes}
            print(f"# {target.name}: first visit on this server {first.seconds * 1e3:.0f} ms ({first.status})",
                  flush=True)
            if server is not None:
                await settle_after_close(url, args.ttl)
            phases = await measure_page(url, server, target, counts, modes, args)
            out.append({"first_visit": first_entry, "phases": [p.summary() for p in phases]})
        finally:
            if server_cm:
                server_cm.__exit__(None, None, None)
    return out


def budgets() -> dict[str, float]:
    """Each page's budget for one control change with one visitor, in ms (the catalog's ``budget_ms``)."""
    return {HOME: HOME_BUDGET_MS} | {c.slug: c.budget_ms for c in built_concepts()}


def rows(seconds: float = 10.0) -> list[Row]:
    """For ``python -m bench``: each page's control change with one real visitor (p50), against its budget."""
    args = parser().parse_args(["--sessions", "1", "--modes", "capacity", "--capacity-seconds", str(seconds)])
    results = asyncio.run(run(args))
    limits = budgets()
    out = []
    for page in results:
        (phase,) = page["phases"]
        name = phase["page"]
        out.append(Row(f"page {name}: a control change, 1 real visitor (p50; p95 {phase['p95_ms']:.0f} ms, "
                       f"{phase['changes']} changes, {phase['fragment_runs']} one section only, "
                       f"{sum(phase['errors'].values())} errors)", phase["p50_ms"], budget_ms=limits.get(name)))
    return out


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m bench.load``."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", help=f"pages to measure ({HOME!r} and concept slugs); default all")
    parser.add_argument("--sessions", nargs="*", type=int, help=f"N values; default {' '.join(map(str, SESSIONS))}")
    parser.add_argument("--modes", nargs="*", choices=("think", "capacity"))
    parser.add_argument("--think-seconds", type=float, default=60.0, help="length of a think-time phase")
    parser.add_argument("--capacity-seconds", type=float, default=20.0, help="length of a no-think phase")
    parser.add_argument("--max-changes", type=int, default=0, help="per session and phase (0: as time allows)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a rerun may take before it is an error")
    parser.add_argument("--ttl", type=int, default=5, help="server.disconnectedSessionTTL for the app started")
    parser.add_argument("--url", help="measure this running server instead of starting one (loopback only)")
    parser.add_argument("--replicas", type=int, default=0, help="start this many replicas behind HAProxy")
    parser.add_argument("--ort-threads", type=int, help="PLAYGROUND_ORT_THREADS for the app started")
    parser.add_argument("--ort-spin", type=int, choices=(0, 1), help="PLAYGROUND_ORT_SPIN for the app started")
    parser.add_argument("--env", nargs="*", default=[], metavar="NAME=VALUE",
                        help="more environment for the app started, e.g. MALLOC_ARENA_MAX=2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--short", action="store_true", help="one page, 2 sessions, 3 s: a smoke run")
    parser.add_argument("--max-minutes", type=float, default=60.0, help="stop everything after this long")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/load-<time>.json)")
    return parser


def main(argv: list[str] | None = None) -> list[dict]:
    options = parser()
    args = options.parse_args(argv)
    if args.url:
        try:
            check_loopback(args.url)
        except NotLoopback as exc:
            options.error(str(exc))
    try:
        results = asyncio.run(asyncio.wait_for(run(args), args.max_minutes * 60))
    except TimeoutError:
        raise SystemExit(f"stopped after --max-minutes {args.max_minutes:g}") from None
    path = args.json or RESULTS / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"argv": sys.argv[1:] if argv is None else argv, "cpus": os.cpu_count(),
                                "results": results}, indent=1, default=str))
    print(f"# written to {path}")
    return results


if __name__ == "__main__":
    main()
