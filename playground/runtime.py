"""ONNX Runtime: the one module that creates inference sessions.

Each committed model is loaded once per process and shared by every caller;
``InferenceSession.run`` is safe to call from many threads at once. The
provider is chosen per call ("auto", "cuda" or "cpu"): auto takes CUDA when the
installed onnxruntime offers it and the session starts on it, else the CPU,
and the fallback is said in plain words in :attr:`RunRecord.note`.

Examples
--------
>>> from playground import runtime
>>> with runtime.record_runs() as runs:
...     out = runtime.run("conv2d", feeds)            # doctest: +SKIP
>>> runs[0].provider, runs[0].latency_ms              # doctest: +SKIP
('CPUExecutionProvider', 0.4)
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import statistics
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort

from playground.manifest import model_path

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
PROVIDER_CHOICES = ("auto", "cuda", "cpu")
MAX_CACHED_GRAPHS = 128  # sessions for graphs built on the fly (e.g. shape probes)

# Environment knobs for hosting; see README "Hosting".
THREADS_ENV = "PLAYGROUND_ORT_THREADS"  # intra-op threads per call; 0 = one per core
SPIN_ENV = "PLAYGROUND_ORT_SPIN"  # "1" lets idle ORT threads spin (lower latency, busier CPU)


@dataclass(frozen=True)
class ProviderPlan:
    """The providers a session will be asked for, and why."""

    choice: str
    providers: tuple[str, ...]
    note: str | None  # plain words when the plan is not what was asked for


@dataclass(frozen=True)
class LoadedSession:
    """A started session and the providers it actually runs on."""

    session: ort.InferenceSession
    providers: tuple[str, ...]  # session.get_providers(), first one does the work
    note: str | None


@dataclass(frozen=True)
class RunRecord:
    """What ran for one model call: shown in each page's "what ran" expander."""

    model: str
    providers: tuple[str, ...]
    latency_ms: float
    note: str | None

    @property
    def provider(self) -> str:
        return self.providers[0]


def available_providers() -> list[str]:
    """Execution providers the installed onnxruntime build offers."""
    return list(ort.get_available_providers())


def plan_providers(choice: str, available: Iterable[str]) -> ProviderPlan:
    """Decide which providers to ask for, before any session exists.

    Parameters
    ----------
    choice : {"auto", "cuda", "cpu"}
    available : iterable of str
        What ``onnxruntime.get_available_providers()`` lists.
    """
    if choice not in PROVIDER_CHOICES:
        raise ValueError(f"provider must be one of {PROVIDER_CHOICES}, not {choice!r}")
    if choice == "cpu":
        return ProviderPlan(choice, (CPU,), None)
    if CUDA in set(available):
        return ProviderPlan(choice, (CUDA, CPU), None)
    if choice == "cuda":
        note = ("CUDA was asked for, but this onnxruntime has no CUDA provider "
                "(it needs onnxruntime-gpu and an NVIDIA GPU): running on the CPU instead.")
    else:
        note = "Auto: this onnxruntime has no CUDA provider, so models run on the CPU."
    return ProviderPlan(choice, (CPU,), note)


def session_options() -> ort.SessionOptions:
    """Options shared by every session: thread count and spinning from the environment."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(os.environ.get(THREADS_ENV, "0"))
    opts.inter_op_num_threads = 1
    # Spinning threads burn a core while idle; off by default so many visitors share fairly.
    opts.add_session_config_entry("session.intra_op.allow_spinning", os.environ.get(SPIN_ENV, "0"))
    opts.log_severity_level = 3  # errors only: a CUDA probe failing is reported in our own words
    return opts


SessionFactory = Callable[..., ort.InferenceSession]


def start_session(source: str | bytes, plan: ProviderPlan,
                  factory: SessionFactory = ort.InferenceSession) -> LoadedSession:
    """Create a session on the planned providers, falling back to the CPU.

    A CUDA session can fail to start (driver or CUDA libraries missing) or can
    start with only the CPU provider; both end on the CPU with a note.
    """
    note = plan.note
    if CUDA in plan.providers:
        try:
            session = factory(source, sess_options=session_options(), providers=list(plan.providers))
            providers = tuple(session.get_providers())
            if CUDA in providers:
                return LoadedSession(session, providers, note)
            note = "The CUDA provider did not start on this machine: running on the CPU instead."
        except Exception as exc:  # onnxruntime raises several types for a broken CUDA setup
            note = f"The CUDA provider failed to start ({type(exc).__name__}): running on the CPU instead."
    session = factory(source, sess_options=session_options(), providers=[CPU])
    return LoadedSession(session, tuple(session.get_providers()), note)


def cpu_session(source: str | bytes) -> ort.InferenceSession:
    """A CPU session outside the shared cache: for ``export/`` to check a model it has just built.

    Parameters
    ----------
    source : str or bytes
        A model file's path or a serialized ModelProto.
    """
    return start_session(source, plan_providers("cpu", available_providers())).session


class _SessionCache:
    """Process-wide sessions: committed models forever, built graphs in a bounded LRU."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[tuple[str, tuple[str, ...]], LoadedSession] = {}
        self._graphs: OrderedDict[tuple[str, tuple[str, ...]], LoadedSession] = OrderedDict()

    def model(self, name: str, plan: ProviderPlan) -> LoadedSession:
        key = (name, plan.providers)
        with self._lock:
            if key not in self._models:
                loaded = start_session(str(model_path(name)), plan)
                self._models[key] = LoadedSession(loaded.session, loaded.providers,
                                                  loaded.note or plan.note)
            return self._models[key]

    def graph(self, model_bytes: bytes, plan: ProviderPlan) -> LoadedSession:
        key = (hashlib.sha256(model_bytes).hexdigest(), plan.providers)
        with self._lock:
            if key in self._graphs:
                self._graphs.move_to_end(key)
                return self._graphs[key]
            loaded = start_session(model_bytes, plan)
            self._graphs[key] = loaded
            while len(self._graphs) > MAX_CACHED_GRAPHS:
                self._graphs.popitem(last=False)
            return loaded


_CACHE = _SessionCache()
_RECORDERS: contextvars.ContextVar[tuple[list[RunRecord], ...]] = contextvars.ContextVar(
    "playground_run_recorders", default=())


@contextmanager
def record_runs(alone: bool = False) -> Iterator[list[RunRecord]]:
    """Collect a :class:`RunRecord` for every model call made inside the block.

    The list belongs to the calling thread's context, so concurrent visitors
    never see each other's records. Blocks nest: a call is recorded by every
    enclosing block, except that ``alone=True`` keeps the calls inside it from
    the enclosing ones (a page section that lists its own calls).
    """
    runs: list[RunRecord] = []
    token = _RECORDERS.set((runs,) if alone else _RECORDERS.get() + (runs,))
    try:
        yield runs
    finally:
        _RECORDERS.reset(token)


def get_session(name: str, provider: str = "auto") -> LoadedSession:
    """The shared session of a committed model (see ``onnx_models/manifest.json``)."""
    return _CACHE.model(name, plan_providers(provider, available_providers()))


def _run(loaded: LoadedSession, label: str, feeds: Mapping[str, np.ndarray],
         output_names: list[str] | None) -> dict[str, np.ndarray]:
    names = output_names or [o.name for o in loaded.session.get_outputs()]
    start = time.perf_counter()
    values = loaded.session.run(names, dict(feeds))
    latency_ms = (time.perf_counter() - start) * 1e3
    record = RunRecord(label, loaded.providers, latency_ms, loaded.note)
    for runs in _RECORDERS.get():
        runs.append(record)
    return dict(zip(names, values))


def run(name: str, feeds: Mapping[str, np.ndarray], output_names: list[str] | None = None,
        provider: str = "auto") -> dict[str, np.ndarray]:
    """Run a committed model.

    Parameters
    ----------
    name : str
        Model name in the manifest, e.g. ``"conv2d"``.
    feeds : mapping of input name to array
        Arrays must already have the manifest's dtypes.
    output_names : list of str, optional
        Outputs to compute; all of them by default.
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    dict of str to numpy.ndarray
    """
    return _run(get_session(name, provider), name, feeds, output_names)


def run_graph(model_bytes: bytes, feeds: Mapping[str, np.ndarray], label: str,
              provider: str = "auto") -> dict[str, np.ndarray]:
    """Run a graph built on the fly (not a committed model), e.g. a one-op shape probe.

    Sessions are cached by the graph's bytes, at most ``MAX_CACHED_GRAPHS`` of them.
    """
    loaded = _CACHE.graph(model_bytes, plan_providers(provider, available_providers()))
    return _run(loaded, label, feeds, None)


# ---------------------------------------------------------------- per-node profiling
@dataclass(frozen=True)
class NodeTiming:
    """One node as ONNX Runtime ran it, from its profiler.

    ``name`` is the node's name in ORT's *optimised* graph: a fused node is
    named after one of the nodes it replaced (on the CPU, ``<output>_nchwc``),
    and nodes ORT adds (layout reorders) have names of their own.
    """

    name: str
    op_type: str
    provider: str  # the execution provider whose kernel ran it
    median_us: float  # median over the timed runs of the kernel's own time


@dataclass(frozen=True)
class Profile:
    """Per-node kernel times of a graph, and the time of whole runs, on one session."""

    nodes: tuple[NodeTiming, ...]  # in the order of the first timed run
    run_ms: float  # median of ORT's own "model_run" time over the timed runs
    runs: int
    providers: tuple[str, ...]
    note: str | None


def profile_graph(model_bytes: bytes, feeds: Mapping[str, np.ndarray], runs: int = 10, warmup: int = 3,
                  provider: str = "auto") -> Profile:
    """Time every node of a graph with ONNX Runtime's profiler (``SessionOptions.enable_profiling``).

    The session is created for this call only (never cached: profiling slows
    every run a little, and its trace goes to a temporary file that is read and
    deleted here). ``warmup`` untimed runs come first. On CUDA, unless
    onnxruntime was built with CUDA profiling (``--enable_cuda_profiling``; the
    pip wheels are not), a node's time is the host's time in the kernel's
    launch, not the GPU's work, so per-node CUDA times are only indicative.

    Parameters
    ----------
    model_bytes : bytes
        A serialized ModelProto.
    feeds : mapping of input name to array
    runs, warmup : int
        Timed and untimed runs.
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    Profile
    """
    plan = plan_providers(provider, available_providers())
    with tempfile.TemporaryDirectory(prefix="playground-profile-") as folder:
        opts = session_options()
        opts.enable_profiling = True
        opts.profile_file_prefix = os.path.join(folder, "profile")

        def factory(source, sess_options, providers):  # start_session's fallback, with profiling options
            return ort.InferenceSession(source, sess_options=opts, providers=providers)

        loaded = start_session(model_bytes, plan, factory)
        for _ in range(warmup + runs):
            loaded.session.run(None, dict(feeds))
        with open(loaded.session.end_profiling(), encoding="utf-8") as trace:
            events = json.load(trace)
    model_runs = sorted((e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"),
                        key=lambda e: e["ts"])[warmup:]
    per_node: dict[str, list[float]] = {}
    kinds: dict[str, tuple[str, str]] = {}
    for event in events:
        if event.get("cat") != "Node" or not event.get("name", "").endswith("_kernel_time"):
            continue
        if not any(r["ts"] <= event["ts"] <= r["ts"] + r["dur"] for r in model_runs):
            continue  # a warm-up run
        name = event["name"].removesuffix("_kernel_time")
        per_node.setdefault(name, []).append(float(event["dur"]))
        kinds[name] = (event["args"].get("op_name", ""), event["args"].get("provider", ""))
    nodes = tuple(NodeTiming(name, *kinds[name], statistics.median(times)) for name, times in per_node.items())
    run_ms = statistics.median(r["dur"] for r in model_runs) / 1e3
    return Profile(nodes, run_ms, runs, loaded.providers, loaded.note)
