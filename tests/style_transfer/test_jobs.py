"""The server-wide line for generations: a cap on how many run at once, first in first out, stoppable."""

from __future__ import annotations

import threading
import time

import pytest

from playground.style_transfer import jobs

TIMEOUT_S = 20


def wait_until(condition, timeout=TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


class Gate:
    """Work that runs until released, counting how many run at once."""

    def __init__(self):
        self.release, self.lock, self.now, self.most, self.order = threading.Event(), threading.Lock(), 0, 0, []

    def __call__(self, job):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.order.append(job.id)
        while not self.release.is_set() and not job.should_stop():
            job.touch()
            time.sleep(0.01)
        with self.lock:
            self.now -= 1
        return job.id


@pytest.mark.parametrize("slots", [1, 2])
def test_never_more_than_the_slots_run_at_once_and_they_start_in_order(slots):
    """Six jobs on `slots` slots: at most `slots` run together; they start in the order they were submitted."""
    queue, gate = jobs.GenerationQueue(slots, 10), Gate()
    submitted = [queue.submit(gate, 1) for _ in range(6)]
    wait_until(lambda: gate.now == slots)
    assert [j.position for j in submitted if j.state == jobs.WAITING] == list(range(1, 6 - slots + 1))
    gate.release.set()
    wait_until(lambda: all(j.state == jobs.DONE for j in submitted))
    assert gate.most == slots
    assert gate.order == [j.id for j in submitted]
    assert [j.result for j in submitted] == [j.id for j in submitted]


def test_a_full_line_refuses_with_a_message():
    """With one running and two waiting on a line of two, the next submission is refused in words."""
    queue, gate = jobs.GenerationQueue(1, 2), Gate()
    for _ in range(3):
        queue.submit(gate, 1)
    wait_until(lambda: gate.now == 1)
    with pytest.raises(jobs.QueueFull, match="busy"):
        queue.submit(gate, 1)
    gate.release.set()


def test_stopping_a_waiting_job_takes_it_out_of_the_line():
    """A stopped job never runs; the one behind it moves up."""
    queue, gate = jobs.GenerationQueue(1, 5), Gate()
    first, second, third = (queue.submit(gate, 1) for _ in range(3))
    wait_until(lambda: first.state == jobs.RUNNING)
    second.stop()
    wait_until(lambda: second.state == jobs.STOPPED)
    wait_until(lambda: third.position == 1)
    first.stop()
    wait_until(lambda: third.state == jobs.RUNNING)
    third.stop()
    wait_until(lambda: not third.active)
    assert second.id not in gate.order and first.state == jobs.STOPPED


def test_a_job_nobody_watches_is_dropped(monkeypatch):
    """A job not touched for ABANDON_AFTER_S leaves the line unrun (the visitor left)."""
    monkeypatch.setattr(jobs, "ABANDON_AFTER_S", 0.2)
    queue, gate = jobs.GenerationQueue(1, 5), Gate()
    first = queue.submit(gate, 1)
    waiting = queue.submit(lambda job: "ran", 1)
    wait_until(lambda: waiting.state == jobs.DROPPED)
    assert waiting.result is None
    first.stop()


def test_a_failing_job_reports_its_error_and_frees_its_slot():
    """An exception in the work becomes job.error; the next job still runs."""
    queue = jobs.GenerationQueue(1, 5)

    def boom(job):
        raise RuntimeError("out of memory")
    bad = queue.submit(boom, 1)
    good = queue.submit(lambda job: 42, 1)
    wait_until(lambda: good.state == jobs.DONE)
    assert bad.state == jobs.FAILED and "out of memory" in bad.error and good.result == 42


def test_the_shared_queue_reads_its_size_from_the_environment(monkeypatch):
    """PLAYGROUND_GENERATIONS and PLAYGROUND_GENERATION_QUEUE set slots and places."""
    monkeypatch.setenv(jobs.SLOTS_ENV, "3")
    monkeypatch.setenv(jobs.QUEUE_ENV, "7")
    jobs.shared_queue.cache_clear()
    try:
        queue = jobs.shared_queue()
        assert (queue.slots, queue.max_waiting) == (3, 7)
    finally:
        jobs.shared_queue.cache_clear()
