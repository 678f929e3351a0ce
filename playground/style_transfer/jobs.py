"""A server-wide cap on concurrent generations: at most ``slots`` run at once, the rest wait in line.

Thirty learners pressing "run" at once must not make thirty optimisations
share two cores (each would take minutes, and every other page would stall).
Each generation is a :class:`Job` with its own worker thread; a worker waits
in a first-in-first-out line until a slot is free, then runs. The page polls
the job (progress, costs, the latest picture) and never blocks on it. A job
whose page stopped polling (the visitor left) is dropped: it leaves the line,
or stops at its next iteration.

Settings from the environment (see the README's hosting notes):
``PLAYGROUND_GENERATIONS`` slots (default 1) and ``PLAYGROUND_GENERATION_QUEUE``
places in line (default 30).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

SLOTS_ENV = "PLAYGROUND_GENERATIONS"
QUEUE_ENV = "PLAYGROUND_GENERATION_QUEUE"
DEFAULT_SLOTS = 1  # one optimisation uses every core ORT is given; two would each run half as fast
DEFAULT_WAITING = 30  # a class
ABANDON_AFTER_S = 90.0  # a job nobody has looked at for this long is dropped (browsers slow a hidden tab's timers)
WAIT_POLL_S = 0.5  # how often a waiting worker checks whether it was stopped or abandoned

WAITING, RUNNING, DONE, STOPPED, FAILED, DROPPED = "waiting", "running", "done", "stopped", "failed", "dropped"
FINISHED = (DONE, STOPPED, FAILED, DROPPED)


class QueueFull(RuntimeError):
    """The line is full; the message is meant for the learner."""


@dataclass
class Job:
    """One unit of work in the line, and what its page needs to show about it."""

    id: int
    total: int  # iterations planned
    state: str = WAITING
    done: int = 0  # iterations finished
    position: int = 0  # place in line while waiting (1 = next); 0 once running
    error: str | None = None
    result: object = None  # what the work leaves: for a generation, the list of Steps and pictures
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _seen: float = field(default_factory=time.monotonic, repr=False)

    def stop(self) -> None:
        """Ask the job to stop (it leaves the line, or ends after its current iteration)."""
        self._stop.set()

    def touch(self) -> None:
        """Tell the job someone is still looking at it (its page polls)."""
        self._seen = time.monotonic()

    def should_stop(self) -> bool:
        """True once :meth:`stop` was called or nobody has looked for ``ABANDON_AFTER_S``."""
        return self._stop.is_set() or self.abandoned()

    def abandoned(self) -> bool:
        return time.monotonic() - self._seen > ABANDON_AFTER_S

    @property
    def active(self) -> bool:
        return self.state in (WAITING, RUNNING)

    @property
    def elapsed_s(self) -> float:
        """Seconds since it started running (0 while waiting)."""
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


class GenerationQueue:
    """At most ``slots`` jobs run at once in this process; up to ``max_waiting`` wait, first in first out."""

    def __init__(self, slots: int = DEFAULT_SLOTS, max_waiting: int = DEFAULT_WAITING):
        if slots < 1 or max_waiting < 0:
            raise ValueError("slots must be ≥ 1 and max_waiting ≥ 0")
        self.slots, self.max_waiting = slots, max_waiting
        self._cond = threading.Condition()
        self._line: deque[Job] = deque()
        self._running: set[int] = set()
        self._ids = itertools.count(1)
        self.recent_seconds: deque[float] = deque(maxlen=10)  # how long finished jobs ran: for wait estimates

    def submit(self, work: Callable[[Job], object], total: int) -> Job:
        """Queue ``work`` (called as ``work(job)`` in its own thread; its return value becomes ``job.result``).

        ``work`` should check ``job.should_stop()`` and update ``job.done`` as it goes.

        Raises
        ------
        QueueFull
            When ``max_waiting`` jobs are already waiting.
        """
        with self._cond:
            waiting = sum(1 for j in self._line if j.state == WAITING)
            if waiting >= self.max_waiting and len(self._running) >= self.slots:
                raise QueueFull(f"The server is busy: {waiting} generations are already waiting. "
                                "Try again in a minute.")
            job = Job(next(self._ids), total)
            self._line.append(job)
            self._renumber()
        threading.Thread(target=self._worker, args=(job, work), name=f"generation-{job.id}", daemon=True).start()
        return job

    def _renumber(self) -> None:
        for place, job in enumerate(self._line, start=1):
            job.position = place

    def _worker(self, job: Job, work: Callable[[Job], object]) -> None:
        with self._cond:
            while not (self._line[0] is job and len(self._running) < self.slots) and not job.should_stop():
                self._cond.wait(WAIT_POLL_S)
            self._line.remove(job)
            job.position = 0
            self._renumber()
            if job.should_stop():  # stopped or abandoned before it ran
                job.state, job.finished = (STOPPED if job._stop.is_set() else DROPPED), time.monotonic()
                self._cond.notify_all()
                return
            self._running.add(job.id)
            job.state, job.position, job.started = RUNNING, 0, time.monotonic()
            self._cond.notify_all()
        try:
            job.result = work(job)
            state = STOPPED if job._stop.is_set() else DROPPED if job.abandoned() else DONE
        except Exception as exc:  # the page shows it in words; the server keeps serving
            job.error, state = f"{type(exc).__name__}: {exc}", FAILED
        with self._cond:
            self._running.discard(job.id)
            job.finished = time.monotonic()
            job.state = state
            if state == DONE:
                self.recent_seconds.append(job.finished - job.started)
            self._cond.notify_all()

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._line)

    def typical_seconds(self) -> float | None:
        """Median run time of the last finished jobs (None before the first)."""
        with self._cond:
            times = sorted(self.recent_seconds)
        return times[len(times) // 2] if times else None


@lru_cache(maxsize=1)
def shared_queue() -> GenerationQueue:
    """The process-wide queue every visitor's generations go through."""
    return GenerationQueue(int(os.environ.get(SLOTS_ENV, DEFAULT_SLOTS)),
                           int(os.environ.get(QUEUE_ENV, DEFAULT_WAITING)))
