"""Past one process: two replicas behind HAProxy, started by scripts/run_replicas.sh, as a teacher would.

Streamlit keeps a visitor's session in one process, and its media and upload requests
carry no session, so every request of a visitor must reach the replica that holds it.
These tests go through the proxy with real clients and check which replica answered
(the proxy names it in ``X-Playground-Replica``).
"""

from __future__ import annotations

import asyncio
import http.client
import io
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from bench import appserver
from bench.stclient import Session
from playground.catalog import built_concepts
from tests.conftest import ARTIFACTS, REPO_ROOT

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REPLICAS = 2
EDGE = "edge_filters"



def need_haproxy() -> None:
    if not Path(HAPROXY).exists():
        pytest.fail(f"{HAPROXY} not found: install it with `apt-get install -y haproxy` (scripts/test.sh does this).")


@pytest.fixture(scope="module")
def proxy():
    """Two replicas and HAProxy on free loopback ports, stopped after the module."""
    need_haproxy()
    with appserver.replicas(REPLICAS, ARTIFACTS / "replicas.log") as running:
        yield running


def _run(coro):
    return asyncio.run(coro)


def test_the_committed_proxy_config_is_valid():
    """deploy/haproxy.cfg passes `haproxy -c`, with a server line appended as run_replicas.sh does."""
    need_haproxy()
    config = ARTIFACTS / "haproxy-check.cfg"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text((REPO_ROOT / "deploy" / "haproxy.cfg").read_text()
                      + "    server replica-1 127.0.0.1:8601 check cookie replica-1\n")
    done = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True,
                          env={"PLAYGROUND_BIND": "127.0.0.1", "PLAYGROUND_PROXY_PORT": "8501",
                               "PLAYGROUND_RUN_DIR": str(config.parent)})
    assert done.returncode == 0, done.stdout + done.stderr


def test_sessions_spread_over_the_replicas_and_each_stays_on_its_own(proxy):
    """Four visitors arriving one after the other are shared out two and two (least connections), and every
    answer a visitor gets (health, WebSocket upgrade) comes from the replica its cookie names."""
    async def visit():
        sessions = [Session(proxy.url) for _ in range(4)]
        try:
            for s in sessions:
                result = await s.open("")
                assert result.ok, (result.status, result.exceptions)
            return [(s.cookies.get("PLAYGROUND_REPLICA"), list(s.answered_by)) for s in sessions]
        finally:
            for s in sessions:
                await s.close()

    seen = _run(visit())
    replicas = [cookie for cookie, _ in seen]
    assert sorted(replicas) == ["replica-1", "replica-1", "replica-2", "replica-2"], replicas
    for cookie, answers in seen:
        assert {request for request, _ in answers} >= {"GET /_stcore/health", "WebSocket /_stcore/stream"}
        assert {replica for _, replica in answers} == {cookie}, answers


def test_every_replica_has_the_same_cookie_secret(proxy):
    """server.cookieSecret comes from one value given to every replica (so one replica accepts the
    signed cookies another set); it is passed in the environment, not on the command line."""
    secrets = set()
    for pid in proxy.app_pids:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        values = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"STREAMLIT_SERVER_COOKIE_SECRET=")]
        assert values and len(values[0]) >= 32
        secrets.add(values[0])
        assert b"cookieSecret" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert len(secrets) == 1


def _png(width: int, height: int) -> bytes:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(np.stack([np.tile(x, (height, 1))] * 3, axis=2), "RGB").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.skipif(EDGE not in {c.slug for c in built_concepts()}, reason="needs the edge page")
def test_an_upload_and_its_images_go_through_the_proxy_to_the_replica_holding_the_session(proxy):
    """On the edge page through the proxy: the upload (file URLs over the WebSocket, then PUT) is accepted,
    the page reruns on the uploaded picture, and each image it draws downloads through the proxy, all from
    the session's replica. The same image asked of the other replica directly is not there: without
    stickiness it would be a broken image."""
    async def visit():
        async with Session(proxy.url) as s:
            await s.open(EDGE)
            uploader = next(w for w in s.widgets.values() if w.key == "upload")
            result = await s.upload(uploader, "class_photo.png", _png(96, 64), "image/png")
            media = []
            for url in result.media:
                status, headers, body = await asyncio.to_thread(s.http, "GET", url)
                media.append((url, status, headers.get("Content-Type"), len(body)))
            return s.cookies["PLAYGROUND_REPLICA"], list(s.answered_by), result, media

    replica, answers, result, media = _run(visit())
    assert result.ok, (result.status, result.exceptions, result.error_boxes)
    # The page drew the upload; its caption is Markdown, so the name arrives escaped (class\_photo\.png).
    assert any(t.startswith(r"class\_photo\.png, in grey") for t in result.texts)
    assert any(request.startswith("PUT /_stcore/upload_file/") for request, _ in answers)
    assert {r for _, r in answers} == {replica}, answers
    assert len(media) >= 5 and all(status == 200 and kind.startswith("image/") and size > 0
                                   for _, status, kind, size in media), media
    other = proxy.replica_urls[1 if replica == "replica-1" else 0]
    direct = Session(other)
    status, _, _ = direct.http("GET", media[0][0])
    assert status == 404


def test_an_upload_over_streamlits_cap_is_refused_by_the_proxy(proxy):
    """A body announced bigger than server.maxUploadSize (10 MB) plus Streamlit's 1 MB of multipart margin gets
    413 from HAProxy itself, before the body is sent: no replica answers (no X-Playground-Replica)."""
    host, port = urlsplit(proxy.url).hostname, urlsplit(proxy.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(12 * 1024 * 1024))
        conn.endheaders()  # the body is never sent: the proxy answers on the header alone
        response = conn.getresponse()
        assert response.status == 413 and response.getheader("X-Playground-Replica") is None
    finally:
        conn.close()
