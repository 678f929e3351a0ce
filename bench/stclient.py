"""A Streamlit client that speaks the browser's WebSocket protocol, for load tests and hosting checks.

What a browser does, and this client too (checked against Streamlit 1.67's server):

1. ``GET /_stcore/health`` sets the ``_streamlit_xsrf`` cookie (and, behind the sticky
   proxy, the replica cookie); every later request carries the cookies it got.
2. ``ws://HOST/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf>]`` and a
   same-origin ``Origin`` header (a foreign origin gets 403).
3. Messages are the protobufs in the wheel: the client sends ``BackMsg`` and reads
   ``ForwardMsg``. The first ``rerun_script`` names the page by ``page_name`` (its URL
   path); the page's own ``page_script_hash`` arrives in the ``navigation`` message.
4. Widgets arrive in ``delta.new_element`` with their id (``$$ID-<hash>-<key>``), bounds
   and current value; ``delta.fragment_id`` says which ``st.fragment`` drew them. A
   change sends every widget's state, with the fragment of the widget that changed.
5. A run is over at its final ``script_finished`` (``FINISHED_EARLY_FOR_RERUN`` is not
   final). Messages the client has cached are sent by the server as ``ref_hash`` stubs
   when the client lists their hashes, as the browser does.

Only loopback addresses are accepted: this is a measuring tool, not a load generator for
other people's servers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import math
import random
import time
import urllib.error
import urllib.request
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

REPLICA_HEADER = "X-Playground-Replica"  # set by deploy/haproxy.cfg on every answer
MAX_CACHED_MESSAGES = 2000  # ref_hash targets kept per session (the browser keeps its own cache the same way)
WIDGET_TYPES = {"slider", "number_input", "selectbox", "radio", "checkbox", "button_group", "text_area",
                "text_input", "file_uploader"}  # widgets whose state the client holds and sends back
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
         ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


class NotLoopback(ValueError):
    """The target is not a loopback address."""


def check_loopback(url: str) -> str:
    """Return ``url`` without a trailing slash if its host is a loopback address, else raise NotLoopback."""
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok or urlsplit(url).scheme != "http":
        raise NotLoopback(f"{url}: only http:// on a loopback address (127.0.0.1, ::1, localhost) is allowed")
    return url.rstrip("/")


def widget_key(widget_id: str) -> str:
    """The user key at the end of a Streamlit widget id (``$$ID-<hash>-<key>``), or "" if it has none."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and widget_id.startswith("$$ID") else ""


@dataclass
class Widget:
    """One widget as the browser holds it: its element proto, its fragment and the state it sends."""

    id: str
    kind: str  # the new_element field: slider, number_input, selectbox, ...
    element: object  # the widget's own proto (Slider, NumberInput, ...)
    fragment_id: str
    state: WidgetState | None  # None: the widget has no state to send (no value yet, e.g. an empty uploader)

    @property
    def key(self) -> str:
        return widget_key(self.id)

    @property
    def disabled(self) -> bool:
        return bool(getattr(self.element, "disabled", False))

    def options(self) -> list[str]:
        """The formatted options of a choice widget."""
        if self.kind == "button_group":
            return [o.content for o in self.element.options]
        return list(getattr(self.element, "options", []))

    def current(self):
        """The value the client would send now, as a Python value (None when empty)."""
        if self.state is None:
            return None
        which = self.state.WhichOneof("value")
        value = getattr(self.state, which) if which else None
        if which in ("double_array_value", "string_array_value", "int_array_value"):
            value = list(value.data)
            return value[0] if len(value) == 1 else (value or None)
        return value


def initial_state(kind: str, el) -> WidgetState | None:
    """The state a browser registers for a freshly drawn widget: its set value, else its default."""
    state = WidgetState(id=el.id)
    if kind == "slider":
        if el.type == Slider.SELECT_SLIDER:
            values = list(el.raw_value) if el.set_value and el.raw_value else [el.options[int(i)] for i in el.default]
            state.string_array_value.data.extend(values)
        else:
            state.double_array_value.data.extend(el.value if el.set_value else el.default)
    elif kind == "number_input":
        has_value = el.HasField("value") if el.set_value else el.HasField("default")
        if not has_value:
            return None
        value = el.value if el.set_value else el.default
        if el.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind in ("selectbox", "radio"):
        if el.set_value:
            if not el.HasField("raw_value"):
                return None
            state.string_value = el.raw_value
        elif el.HasField("default"):
            state.string_value = el.options[el.default]
        else:
            return None
    elif kind == "checkbox":
        state.bool_value = el.value if el.set_value else el.default
    elif kind == "button_group":
        options = [o.content for o in el.options]
        values = list(el.raw_values) if el.set_value else [options[int(i)] for i in el.default]
        state.string_array_value.data.extend(values)
    elif kind in ("text_area", "text_input"):
        if el.set_value:
            if not el.HasField("value"):
                return None
            state.string_value = el.value
        elif el.HasField("default"):
            state.string_value = el.default
        else:
            return None
    elif kind == "file_uploader":
        state.file_uploader_state_value.CopyFrom(FileUploaderState())
    else:
        return None
    return state


@dataclass
class RunResult:
    """One script run as the client saw it: from the request to the final script_finished."""

    seconds: float
    status: str  # the final script_finished status name, or "timeout" / "dropped"
    fragment: bool  # whether only a fragment reran
    exceptions: list[str] = field(default_factory=list)
    error_boxes: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)  # URLs of the images the run drew
    texts: list[str] = field(default_factory=list)  # the markdown and image captions the run drew
    messages: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY") and not (
            self.exceptions or self.error_boxes)


class Session:
    """One visitor: cookies, a WebSocket, the widgets on screen, the media URLs of the last runs."""

    def __init__(self, base_url: str, timeout_s: float = 60.0) -> None:
        self.base = check_loopback(base_url)
        self.timeout_s = timeout_s
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.session_id = ""
        self.page_name = ""
        self.page_script_hash = ""
        self.query_string = ""
        self.widgets: dict[str, Widget] = {}
        self.first_values: dict[str, object] = {}  # each widget key's value when the page first drew it
        self.answered_by: list[tuple[str, str]] = []  # (request, X-Playground-Replica) behind the sticky proxy
        self._cache: OrderedDict[str, ForwardMsg] = OrderedDict()

    # ------------------------------------------------------------ HTTP with the session's cookies
    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _remember(self, headers, request: str = "") -> None:
        replica = headers.get(REPLICA_HEADER)
        if replica:
            self.answered_by.append((request, replica))
        for raw in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value

    def http(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             ) -> tuple[int, Message, bytes]:
        """One HTTP request to the server with this session's cookies (blocking; status, headers, body).

        The headers are case-insensitive (``headers.get("content-type")``).
        """
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers={"Cookie": self._cookie_header(), **(headers or {})})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an environment proxy
        try:
            with opener.open(request, timeout=self.timeout_s) as resp:
                self._remember(resp.headers, f"{method} {path}")
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            self._remember(exc.headers, f"{method} {path}")
            return exc.code, exc.headers, exc.read()

    # ------------------------------------------------------------ the WebSocket
    async def open(self, page_name: str, query_string: str = "") -> RunResult:
        """Connect and run ``page_name`` (its URL path; "" for the default page) as a first visit."""
        status, _, _ = await asyncio.to_thread(self.http, "GET", "/_stcore/health")
        if status != 200:
            raise ConnectionError(f"health check answered {status}")
        xsrf = self.cookies.get("_streamlit_xsrf", "")
        parts = urlsplit(self.base)
        self.ws = await websockets.connect(
            f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            origin=self.base, additional_headers={"Cookie": self._cookie_header()}, max_size=None,
            compression=None, proxy=None, open_timeout=self.timeout_s, ping_interval=None)
        replica = self.ws.response.headers.get(REPLICA_HEADER)
        if replica:
            self.answered_by.append(("WebSocket /_stcore/stream", replica))
        self.page_name, self.query_string = page_name, query_string
        return await self._rerun(fragment_id="", first=True)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _client_state(self, fragment_id: str, first: bool) -> BackMsg:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query_string
        rerun.page_name = self.page_name
        if not first:
            rerun.page_script_hash = self.page_script_hash
            rerun.widget_states.widgets.extend(w.state for w in self.widgets.values() if w.state is not None)
        if fragment_id:
            rerun.fragment_id = fragment_id
        rerun.cached_message_hashes.extend(self._cache)
        return msg

    async def _rerun(self, fragment_id: str, first: bool = False) -> RunResult:
        start = time.perf_counter()
        await self.ws.send(self._client_state(fragment_id, first).SerializeToString())
        return await self._read_run(start, fragment_id)

    def _resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """A ref_hash stub replaced by the message it points to (with the stub's own metadata)."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable:
                self._cache[msg.hash] = msg
                while len(self._cache) > MAX_CACHED_MESSAGES:
                    self._cache.popitem(last=False)
            return msg
        cached = self._cache.get(msg.ref_hash)
        if cached is None:
            raise ConnectionError(f"server referred to a message this client never got ({msg.ref_hash})")
        self._cache.move_to_end(msg.ref_hash)
        full = ForwardMsg()
        full.CopyFrom(cached)
        full.metadata.CopyFrom(msg.metadata)
        return full

    async def _read_run(self, start: float, fragment_id: str) -> RunResult:
        """Read messages until the final script_finished; keep the widgets and media the run drew."""
        result = RunResult(0.0, "", bool(fragment_id))
        seen: dict[str, Widget] = {}
        deadline = start + self.timeout_s
        while True:
            try:
                data = await asyncio.wait_for(self.ws.recv(), max(deadline - time.perf_counter(), 0.001))
            except TimeoutError:
                result.status = "timeout"
                break
            except websockets.ConnectionClosed:
                result.status = "dropped"
                break
            result.messages += 1
            result.bytes += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            msg = self._resolve(msg)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":
                self.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._on_element(msg.delta, seen, result)
            elif kind == "script_finished" and msg.script_finished in FINAL:
                result.status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                ran = set(msg.metadata.run.fragment_ids)
                self._keep_widgets(seen, ran if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                                   else None)
                break
        result.seconds = time.perf_counter() - start
        return result

    def _on_element(self, delta, seen: dict[str, Widget], result: RunResult) -> None:
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            result.error_boxes.append(element.alert.body[:300])
        elif kind == "imgs":
            result.media.extend(img.url for img in element.imgs.imgs)
            result.texts.extend(img.caption for img in element.imgs.imgs if img.caption)
        elif kind == "markdown":
            result.texts.append(element.markdown.body)
        elif kind in WIDGET_TYPES:
            el = getattr(element, kind)
            old = self.widgets.get(el.id)
            state = initial_state(kind, el)
            if old is not None and old.state is not None and not getattr(el, "set_value", False):
                state = old.state  # the browser keeps what the visitor chose until the server sets another value
            seen[el.id] = widget = Widget(el.id, kind, el, delta.fragment_id, state)
            self.first_values.setdefault(widget.key, widget.current())

    def _keep_widgets(self, seen: dict[str, Widget], fragments: set[str] | None) -> None:
        """Drop the widgets a finished run no longer drew (only those of the fragments that ran, for a fragment run)."""
        if fragments is None:
            self.widgets = dict(seen)
            return
        # A keyed widget whose id changed (Streamlit's id includes some parameters, e.g. a slider's bounds) is the
        # same widget: the browser has only the new one, so keep only that.
        redrawn = {w.key for w in seen.values() if w.key}
        kept = {i: w for i, w in self.widgets.items()
                if (w.fragment_id not in fragments or i in seen) and not (w.key and w.key in redrawn and i not in seen)}
        kept.update(seen)
        self.widgets = kept

    # ------------------------------------------------------------ what a visitor does
    async def set_value(self, widget: Widget, value) -> RunResult:
        """Give ``widget`` a new value, as a visitor would, and wait for the rerun it starts."""
        state = WidgetState(id=widget.id)
        if widget.kind == "slider" and widget.element.type == Slider.SELECT_SLIDER:
            state.string_array_value.data.append(str(value))
        elif widget.kind == "slider":
            state.double_array_value.data.append(float(value))
        elif widget.kind == "number_input":
            if widget.element.data_type == NumberInput.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif widget.kind in ("selectbox", "radio", "text_area", "text_input"):
            state.string_value = str(value)
        elif widget.kind == "checkbox":
            state.bool_value = bool(value)
        elif widget.kind == "button_group":
            state.string_array_value.data.append(str(value))
        else:
            raise ValueError(f"{widget.kind} widgets are not changed by this client")
        widget.state = state
        self.widgets[widget.id] = widget
        return await self._rerun(widget.fragment_id)

    async def upload(self, widget: Widget, name: str, data: bytes, mime: str) -> RunResult:
        """Upload one file through ``widget`` as the browser does: ask for URLs, PUT the file, rerun."""
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.session_id = self.session_id
        request.file_urls_request.file_names.append(name)
        await self.ws.send(request.SerializeToString())
        response = await asyncio.wait_for(self._file_urls_response(), self.timeout_s)
        if response.error_msg:
            raise ConnectionError(f"upload refused: {response.error_msg}")
        urls = response.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        status, _, text = await asyncio.to_thread(
            self.http, "PUT", urls.upload_url, body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}",
             "X-Xsrftoken": self.cookies.get("_streamlit_xsrf", ""), "Origin": self.base})
        if status != 204:
            raise ConnectionError(f"upload answered {status}: {text[:200]!r}")
        state = WidgetState(id=widget.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        widget.state = state
        self.widgets[widget.id] = widget
        return await self._rerun(widget.fragment_id)

    async def _file_urls_response(self):
        while True:  # no script runs between two visitor actions, so nothing else is expected here
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            if msg.WhichOneof("type") == "file_urls_response":
                return msg.file_urls_response


# ---------------------------------------------------------------- choosing a visitor's next change
MOVABLE = {"slider", "number_input", "selectbox", "radio", "checkbox", "button_group"}
GENERIC_STEPS = 3  # a widget with no listed values moves within this many steps above its default


def candidate_values(widget: Widget, first=None, steps: int = GENERIC_STEPS) -> list:
    """Values a visitor might give ``widget`` next, other than its current one.

    Numbers move within ``steps`` steps above ``first``, the value the page first
    showed (below it when that is the maximum), so settings stay near the page's own
    defaults; choices take any option, toggles flip. Unbounded number inputs (answer
    boxes) are not moved.
    """
    el, now = widget.element, widget.current()
    if widget.kind == "checkbox":
        return [not now]
    if widget.kind in ("selectbox", "radio", "button_group") or (
            widget.kind == "slider" and el.type == Slider.SELECT_SLIDER):
        return [o for o in widget.options() if o != now]
    if widget.kind == "number_input" and not (el.has_min and el.has_max):
        return []
    lo, hi = el.min, el.max
    step = el.step or 1
    base = first if isinstance(first, (int, float)) else (now if now is not None else lo)
    base = min(max(base, lo), hi)
    up = [base + k * step for k in range(0, steps + 1) if base + k * step <= hi + 1e-9]
    down = [base - k * step for k in range(0, steps + 1) if base - k * step >= lo - 1e-9]
    values = up if len(up) > 1 else down
    integer = (widget.kind == "number_input" and el.data_type == NumberInput.INT) or (
        widget.kind == "slider" and el.data_type == Slider.INT)
    values = [int(round(v)) if integer else round(v, 10) for v in values]
    return [v for v in values if not _same(v, now)]


@dataclass
class ChangePlan:
    """Which widgets a load run moves, and to which values.

    ``values`` maps a widget key to the values it may take (a page's bench module can
    list them, e.g. to keep clear of settings the page reports as invalid); widgets not
    listed move by :func:`candidate_values` unless ``only_listed``. ``skip`` keys are never moved.
    """

    values: dict[str, Sequence] = field(default_factory=dict)
    skip: frozenset[str] = frozenset()
    only_listed: bool = False

    def movable(self, session: Session) -> list[Widget]:
        out = []
        for w in session.widgets.values():
            if w.kind not in MOVABLE or w.disabled or not w.key or w.key in self.skip:
                continue
            if self.only_listed and w.key not in self.values:
                continue
            if self.choices(w, session.first_values.get(w.key)):
                out.append(w)
        return out

    def choices(self, widget: Widget, first=None) -> list:
        if widget.key in self.values:
            now = widget.current()
            listed = [v for v in self.values[widget.key] if not _same(v, now)]
            return [v for v in listed if _in_bounds(widget, v)]
        return candidate_values(widget, first)

    def next_change(self, session: Session, rng: random.Random) -> tuple[Widget, object] | None:
        """A random widget and a new value for it, or None if nothing on the page can be moved."""
        widgets = self.movable(session)
        if not widgets:
            return None
        widget = rng.choice(widgets)
        return widget, rng.choice(self.choices(widget, session.first_values.get(widget.key)))


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, abs_tol=1e-9)
    return a == b


def _in_bounds(widget: Widget, value) -> bool:
    el = widget.element
    if widget.kind == "number_input" and el.has_min and el.has_max:
        return el.min <= value <= el.max
    if widget.kind == "slider" and el.type != Slider.SELECT_SLIDER:
        return el.min <= value <= el.max
    if widget.kind in ("selectbox", "radio", "button_group") or widget.kind == "slider":
        return value in widget.options()
    return True


def describe(widgets: Sequence[Widget]) -> str:
    """Widget keys and kinds, for a report."""
    return json.dumps(sorted({f"{w.key} ({w.kind})" for w in widgets}), ensure_ascii=False)
