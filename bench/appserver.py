"""Start the app on loopback for measurements and tests: one Streamlit process, or replicas behind the proxy.

Both wait until ``/_stcore/health`` answers and stop what they started on exit.
The replicas come from ``scripts/run_replicas.sh`` (the same script a teacher runs),
so the tests and the load tool measure exactly the setup the README describes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playground.manifest import REPO_ROOT

START_TIMEOUT_S = 120  # a fresh process imports streamlit, plotly and onnxruntime and warms its caches


def free_port() -> int:
    """A TCP port nobody listens on now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds (Linux /proc), 0 if it is gone.

    On a shared machine this is steadier than wall time: another process's load
    stretches a rerun's latency much more than the CPU it needs.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15 of stat


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = START_TIMEOUT_S) -> None:
    """Poll ``url``/_stcore/health until it answers 200; fail with the log's tail if the process dies or it times out."""
    deadline = time.monotonic() + timeout_s
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"the app did not start at {url} (see {log}):\n{tail}")
        time.sleep(0.3)


def proxy_status(sock: Path) -> dict[str, str]:
    """Each replica's status as HAProxy sees it ({"replica-1": "UP", ...}), from its stats socket."""
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(5)
        conn.connect(str(sock))
        conn.sendall(b"show stat\n")
        text = b"".join(iter(lambda: conn.recv(65536), b"")).decode()
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    return {row[1]: row[17] for row in rows if row[0] == "replicas" and row[1].startswith("replica-")}  # svname, status


def wait_all_up(sock: Path, count: int, proc: subprocess.Popen, log: Path, timeout_s: float = 30) -> None:
    """Wait until HAProxy's health checks have marked all ``count`` replicas up (they start as down)."""
    deadline = time.monotonic() + timeout_s
    status: dict[str, str] = {}
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            status = proxy_status(sock)
        except OSError:
            status = {}
        if len(status) == count and all(s == "UP" for s in status.values()):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the proxy does not see every replica up: {status} (see {log})")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group we started, then SIGKILL what is left after 20 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class Server:
    """What was started: the URL to visit and the app processes (for their memory)."""

    url: str
    app_pids: list[int] = field(default_factory=list)
    replica_urls: list[str] = field(default_factory=list)  # each replica's own URL (replicas only)

    def rss_mb(self) -> float:
        """Resident memory of every app process together, in MB."""
        return sum(rss_mb(pid) for pid in self.app_pids)

    def cpu_s(self) -> float:
        """CPU seconds every app process together has used so far."""
        return sum(cpu_s(pid) for pid in self.app_pids)


@contextmanager
def streamlit(log: Path, env: Mapping[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[Server]:
    """The app (``scripts/serve.py``: warmed, then ``streamlit run streamlit_app.py``) on a free loopback port."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "scripts" / "serve.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *args],
            cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
            start_new_session=True)  # its own process group, so stopping it stops everything it started
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, log)
            yield Server(url, [proc.pid])
        finally:
            _stop(proc)


@contextmanager
def replicas(count: int, log: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """``count`` app processes behind HAProxy, started by scripts/run_replicas.sh on free loopback ports."""
    proxy_port, base = free_port(), free_port()
    ports = [base + k for k in range(count)]
    run_dir = log.parent / f"replicas-{proxy_port}"
    settings = {"PLAYGROUND_REPLICAS": str(count), "PLAYGROUND_PROXY_PORT": str(proxy_port),
                "PLAYGROUND_REPLICA_PORT": str(base), "PLAYGROUND_BIND": "127.0.0.1",
                "PLAYGROUND_RUN_DIR": str(run_dir), "PLAYGROUND_PYTHON": sys.executable}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(["bash", str(REPO_ROOT / "scripts" / "run_replicas.sh")], cwd=REPO_ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **(env or {}), **settings})
        url = f"http://127.0.0.1:{proxy_port}"
        try:
            for port in ports:
                wait_healthy(f"http://127.0.0.1:{port}", proc, log)
            wait_healthy(url, proc, log)
            wait_all_up(run_dir / "haproxy.sock", count, proc, log)
            pids = [int((run_dir / f"replica-{k + 1}.pid").read_text()) for k in range(count)]
            yield Server(url, pids, [f"http://127.0.0.1:{p}" for p in ports])
        finally:
            _stop(proc)
