"""Widgets every page shares: URL state, the provider, sections that rerun alone, "what ran", check-yourself.

The math stays in ``playground``; numbers are written by :mod:`pages._shared.format`.

A page is laid out with :func:`page`: its sections above one "What ran" expander. A
section decorated with :func:`section` is an ``st.fragment``: a change to one of its own
controls reruns that section only, and the section keeps two things right that live
outside it: it lists its model calls in "What ran" (the expander holds one small table
per section, each redrawn by its own section), and after a rerun of its own it writes
the address bar again from the keys the page's last full run named in :func:`sync_url`.
A section's controls may therefore change only what the section draws; a control whose
value other sections read belongs outside every section (its change reruns the page).
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import quote

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages._shared import format as fmt
from pages._shared import typed
from playground import runtime
from playground.manifest import ModelUnavailable

PROVIDER_KEY = "provider"
_BAD_PARAMS_KEY = "_ui_bad_url_params"


def _leave_pages_directory_mode() -> None:
    """Make sure the entry point's ``st.navigation`` serves every visitor.

    Streamlit treats a folder named ``pages/`` beside the entry point as an
    old-style multipage app until ``st.navigation`` is first called in the
    process. So on a fresh server, a first visitor arriving by a page link would
    get that page run on its own (no sidebar controls, every file of pages/
    listed). Every page imports this module, so the first such run flips the
    flag and reruns, and the entry point then builds the real navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_pages_directory_mode()  # once per process, at first import


# ---------------------------------------------------------------- URL state
_PAGE_KEY = "_ui_page"  # the page that owns the URL keys now in session_state
_OWNED_KEY = "_ui_url_keys"


def _current_page() -> str:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.page_script_hash if ctx else ""


def _own(key: str) -> None:
    """Register ``key`` as URL state of the current page; drop other pages' keys on a page change.

    Pages use short URL keys (``k``, ``s``, ``n``) that mean different things on
    different pages (an int on one, kernel text on another). Session state is
    shared by all pages of a visitor, so a value left by one page must never be
    read by the next: on arriving at a page, every key the previous page owned
    is removed and re-seeded from the link or the default.
    """
    page = _current_page()
    if st.session_state.get(_PAGE_KEY) != page:
        for old in st.session_state.get(_OWNED_KEY, ()):
            st.session_state.pop(old, None)
        st.session_state[_PAGE_KEY] = page
        st.session_state[_OWNED_KEY] = set()
    st.session_state[_OWNED_KEY].add(key)


def _seed(key: str, default, parse: Callable[[str], object]) -> str:
    """Put the URL's value (or the default) in session_state the first time a key is used.

    A value that does not parse or is out of range falls back to the default and
    is reported once by :func:`url_notice`.
    """
    _own(key)
    if key not in st.session_state:
        raw = st.query_params.get(key)
        value = default
        if raw is not None:
            try:
                value = parse(raw)
            except (ValueError, TypeError, OverflowError):
                st.session_state.setdefault(_BAD_PARAMS_KEY, []).append((key, raw))
        st.session_state[key] = value
    return key


def url_int(key: str, default: int, lo: int, hi: int) -> str:
    """Widget key whose integer value lives in the URL, within [lo, hi]."""
    def parse(raw: str) -> int:
        value = int(raw)
        if not lo <= value <= hi:
            raise ValueError(f"{value} outside [{lo}, {hi}]")
        return value
    return _seed(key, default, parse)


def url_float(key: str, default: float, lo: float, hi: float) -> str:
    """Widget key whose float value lives in the URL, within [lo, hi]."""
    def parse(raw: str) -> float:
        value = float(raw)
        if not (math.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"{value} outside [{lo}, {hi}]")
        return value
    return _seed(key, default, parse)


def url_choice(key: str, default: str, options: Sequence[str]) -> str:
    """Widget key whose value is one of ``options`` and lives in the URL."""
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(raw)
        return raw
    return _seed(key, default, parse)


def url_bool(key: str, default: bool) -> str:
    """Widget key whose boolean lives in the URL as 1/0."""
    def parse(raw: str) -> bool:
        if raw not in ("0", "1", "true", "false"):
            raise ValueError(raw)
        return raw in ("1", "true")
    return _seed(key, default, parse)


LINK_TEXT_LIMIT = 2000  # characters a text may take in the link, URL-encoded (common proxies cut near 8 KB in all)
_PACKED = "z~"  # a link value starting so is zlib-compressed, base64url text
_LINK_LIMITS: dict[tuple[str, str], tuple[int, int]] = {}  # (page, key) -> (link_limit, max_len) of such a url_text key


def url_text(key: str, default: str, max_len: int = 2000, link_limit: int | None = None) -> str:
    """Widget key whose free text lives in the URL (a longer one is refused and reported).

    With ``link_limit`` the text may be longer than a link should be: beyond that
    many URL-encoded characters it is written compressed, and left out of the link
    when even that is too long (:func:`link_note` says so on the page).
    """
    if link_limit is not None:
        _LINK_LIMITS[(_current_page(), key)] = (link_limit, max_len)

    def parse(raw: str) -> str:
        if link_limit is not None and raw.startswith(_PACKED):
            raw = unpack_text(raw, max_len)
        if len(raw) > max_len:
            raise ValueError("too long")
        return raw
    return _seed(key, default, parse)


def pack_text(text: str, limit: int) -> str | None:
    """``text`` as a link value within ``limit`` URL-encoded characters: as it is, compressed, or None (too long)."""
    if len(quote(text, safe="")) <= limit:
        return text
    packed = _PACKED + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")
    return packed if len(packed) <= limit else None


def unpack_text(raw: str, max_len: int) -> str:
    """The text of a :func:`pack_text` value; ValueError for one that is damaged or unpacks past ``max_len``."""
    body = raw[len(_PACKED):]
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflate = zlib.decompressobj()
        out = inflate.decompress(data, 4 * max_len + 4)  # UTF-8 is at most 4 bytes a character: a bomb stops here
        if inflate.unconsumed_tail or not inflate.eof:
            raise ValueError("damaged or too long")
        return out.decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError("damaged") from exc


def link_note(key: str) -> str | None:
    """A sentence for the page when the link leaves ``key``'s text out (too long even compressed), else None."""
    limits = _LINK_LIMITS.get((_current_page(), key))
    text = st.session_state.get(key)
    if limits is None or not isinstance(text, str) or _link_value(text, *limits) is not None:
        return None
    return (f"This text ({len(text):,} characters) is too long for a link (a link keeps a text of at most "
            f"{limits[1]:,} characters, in at most {limits[0]:,} characters of address, compressed if need be): "
            "a copied link leaves it out and opens with the default instead.")


def _link_value(text: str, link_limit: int, max_len: int) -> str | None:
    """A url_text value as the link holds it, or None when the link leaves it out."""
    return None if len(text) > max_len else pack_text(text, link_limit)


def _encode(value, key: str = "") -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    limits = _LINK_LIMITS.get((_current_page(), key))
    if limits is not None and isinstance(value, str):
        return _link_value(value, *limits)
    return str(value)


def sync_url(keys: Iterable[str]) -> None:
    """Write the current values of ``keys`` into the address bar, so the link reproduces the view.

    Call it at the end of the page. The keys are remembered, so that a :func:`section`
    rerunning alone writes the link again with its new values.
    """
    keys = list(keys)
    for key in keys:
        _own(key)
    st.session_state[_LINK_KEYS] = (_current_page(), keys)
    _write_link(keys)


def _write_link(keys: Sequence[str]) -> None:
    # An empty widget (None) is left out: the link then opens with that widget empty too.
    wanted = {k: _encode(st.session_state[k], k) for k in keys if st.session_state.get(k) is not None}
    wanted = {k: v for k, v in wanted.items() if v is not None}  # a text too long for a link is left out
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def url_notice() -> None:
    """Say which link parameters were ignored (bad or out-of-range values).

    Call it after every ``url_*`` key of the page has been created (a value is
    only checked when its key is first used); to show the warning near the top,
    keep an ``st.empty()`` there and call this inside it at the end.
    """
    bad = st.session_state.pop(_BAD_PARAMS_KEY, None)
    if bad:
        st.warning("Some settings in the link were not valid and were reset to defaults: "
                   + ", ".join(f"{key}={fmt.escape(raw, limit=40)}" for key, raw in bad))  # the value: escaped


# ---------------------------------------------------------------- typed numbers
FIELD_SUFFIX = "__typed"  # number field K is drawn as the text box K + this; K itself holds the value read
FIELDS_KEY = "_ui_fields"  # {K: (the value the field last read, the text it read it from, (lo, hi, whole, optional))}
_UNSEEN = object()


def field_key(key: str) -> str:
    """The widget key of number field ``key``'s text box (what a test types into)."""
    return key + FIELD_SUFFIX


def number_field(label: str, lo: float | None, hi: float | None, *, key: str, value: float | None = None,
                 whole: bool = True, optional: bool = False, container=None, **text_kwargs) -> int | float | None:
    """A number the learner types, read exactly and checked against ``[lo, hi]``: the value, or None.

    Drawn as a text box, so the server reads the very text the field shows (Streamlit's
    number input keeps its last valid value on the server while the browser shows
    −5 or 99999999999999999999, and reads ``1e3`` as 1). When the text is not valid,
    an error in words is drawn under the field (in ``container``, e.g. its column) and
    the function returns None: the caller draws no result from it.

    ``st.session_state[key]`` holds the value read (an ``int`` for a ``whole`` field,
    None while the text is not valid), so :func:`url_int`/:func:`url_float` seed it,
    :func:`sync_url` writes it into the link (leaving it out while it is None) and
    other code reads it as it read a number input's value. Setting the key from
    outside (a preset, a button, a new link) refills the box. ``value`` is the start
    value when the key is not seeded (default ``lo``, or empty for an ``optional``
    field, which reads as None without an error: an answer not typed yet).
    ``text_kwargs`` go to ``st.text_input`` (``help``, ``disabled``, ``on_change``, ...).
    """
    box = container if container is not None else st
    text_key = field_key(key)
    seen = st.session_state.setdefault(FIELDS_KEY, {})
    if key not in st.session_state:
        st.session_state[key] = value if value is not None or optional else lo
    current = st.session_state[key]
    last_value, last_text, _ = seen.get(key, (_UNSEEN, "", None))
    if last_value is _UNSEEN or last_value != current:  # first drawn, or set from outside: show the value
        st.session_state[text_key] = typed.show_number(current)
    elif text_key not in st.session_state:  # the box was not drawn in the last run: keep what was typed
        st.session_state[text_key] = last_text
    text = box.text_input(label, key=text_key, **text_kwargs)
    reading = typed.read_number(text, lo, hi, whole=whole, name=label, optional=optional)
    st.session_state[key] = reading.value
    seen[key] = (reading.value, text, (lo, hi, whole, optional))  # the rule, for tests that type into every field
    if not reading.ok:
        box.error(reading.problem)
    return reading.value


WAITING = ("Nothing is computed from these numbers until every field holds a valid one: "
           "the message under the field says what it takes.")


def missing(*values) -> bool:
    """Whether a number field a result needs is not valid (None); if so, say that no result is drawn.

    Use it as ``if ui.missing(h, w): return`` right after the fields, so that a
    result is never drawn for a value other than the one the field shows.
    """
    if any(v is None for v in values):
        st.info(WAITING)
        return True
    return False


# ---------------------------------------------------------------- the page itself
# KaTeX draws display formulas in boxes that scroll sideways; a pixel or two of overflow made them
# scroll regions that a keyboard cannot reach (axe: scrollable-region-focusable). Padding removes it.
# A chart's text alternative (pages/_shared/plot.py) is for screen readers only: out of the layout, clipped to nothing.
PAGE_CSS = (".katex-display { padding: 0.3em 0.25em 0.6em; }\n"
            '[data-testid="stElementContainer"]:has(.chart-alt) { position: absolute; width: 1px; height: 1px; '
            "overflow: hidden; clip-path: inset(50%); white-space: nowrap; }")


def page_style() -> None:
    """The app's few style rules, on every page (our own CSS, never a visitor's text)."""
    st.html(f"<style>{PAGE_CSS}</style>")


def favicon():
    """The tab icon, drawn here: a 3×3 kernel over a grid, so the browser never fetches one from outside.

    Without ``page_icon`` Streamlit shows the page's Material icon as the favicon and loads it from
    fonts.gstatic.com on every page.
    """
    import numpy as np
    from PIL import Image

    cells = np.indices((8, 8)).sum(axis=0) % 2  # (8, 8) checkerboard
    rgb = np.where(cells[..., None], [[[226, 232, 240]]], [[[148, 163, 184]]]).astype(np.uint8)
    rgb[2:5, 2:5] = (198, 40, 40)  # the kernel, in the theme's primary colour
    return Image.fromarray(np.kron(rgb, np.ones((4, 4, 1), np.uint8)))


# ---------------------------------------------------------------- runtime
def provider_sidebar() -> str:
    """The sidebar's execution-provider control (auto / CUDA / CPU)."""
    st.sidebar.selectbox(
        "ONNX Runtime provider", runtime.PROVIDER_CHOICES, key=PROVIDER_KEY,
        format_func={"auto": "auto (CUDA if it works, else CPU)", "cuda": "CUDA", "cpu": "CPU"}.get,
        help="Where the pages' ONNX models run. Auto takes the GPU when onnxruntime-gpu and a GPU are present.",
    )
    plan = runtime.plan_providers(provider(), runtime.available_providers())
    st.sidebar.caption(f"Asked for: {', '.join(plan.providers)}")
    return provider()


def provider() -> str:
    """The visitor's provider choice ("auto" when the sidebar has not run, e.g. in tests)."""
    return st.session_state.get(PROVIDER_KEY, "auto")


def runs_table(runs: Sequence[runtime.RunRecord], label: str = "") -> str:
    """Markdown: one row per model call (model, the provider that actually ran it, latency), under ``label``."""
    rows = [f"| `{r.model}` | {r.provider} | {r.latency_ms:.2f} |" for r in runs]
    head = f"**{label}**\n\n" if label else ""
    return head + "\n".join(["| model | provider | latency (ms) |", "|---|---|---|", *rows])


LATENCY_NOTE = "Latency is the wall time of `InferenceSession.run` for that call, on this server."


def show_runs(runs: Sequence[runtime.RunRecord], title: str = "What ran") -> None:
    """A "what ran" expander of its own, for a page not laid out with :func:`page`."""
    for note in sorted({r.note for r in runs if r.note}):
        st.info(note)
    with st.expander(title):
        if not runs:
            st.write("No model ran for this view.")
            return
        st.markdown(runs_table(runs))
        st.caption(LATENCY_NOTE)


# ---------------------------------------------------------------- sections
_PANEL_KEY = "_ui_runs_panel"  # (page, its "What ran" expander): a container of the page's last full run
_LINK_KEYS = "_ui_link_keys"  # (page, keys) the last full run wrote into the link
_LISTED_KEY = "_ui_runs_listed"  # model calls listed by the sections of this full run, for the notes


@contextmanager
def page(title: str = "What ran") -> Iterator[None]:
    """Lay out the page: everything drawn inside the block, then one "What ran" expander below it.

    The expander is made before the sections run, so that a :func:`section` rerunning
    alone can still reach it; each section (and each :func:`listed` block) fills its own
    part. Provider notes (e.g. "running on the CPU instead") are shown once, above it.
    """
    body = st.container()
    notes = st.empty()
    panel = st.expander(title)
    st.session_state[_PANEL_KEY] = (_current_page(), panel)
    st.session_state[_LISTED_KEY] = []
    with body:
        yield
    listed_runs = st.session_state.pop(_LISTED_KEY, [])
    with notes.container():
        for note in sorted({r.note for r in listed_runs if r.note}):
            st.info(note)
    with panel:
        if listed_runs:
            st.caption(LATENCY_NOTE)
        else:
            st.write("No model ran for this view.")


@contextmanager
def listed(label: str) -> Iterator[list[runtime.RunRecord]]:
    """Record the model calls made in the block and list them in the page's "What ran" under ``label``.

    Outside :func:`page` (e.g. a page function run alone in a test) the calls are listed in place.
    """
    with runtime.record_runs(alone=True) as runs:
        yield runs
    page_panel = st.session_state.get(_PANEL_KEY)
    if page_panel is None or page_panel[0] != _current_page():  # no ui.page on this page: list them here
        show_runs(runs)
        return
    panel = page_panel[1]
    st.session_state.setdefault(_LISTED_KEY, []).extend(runs)
    with panel:
        # Always write here, even when nothing ran: a fragment may only fill an outside
        # container on its own reruns if it wrote to it in the last full run.
        if runs:
            st.markdown(runs_table(runs, label))
        else:
            st.empty()


def _rerun_alone() -> bool:
    """Whether the running script is a fragment's rerun, not a full run of the page."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(ctx and ctx.fragment_ids_this_run)


def section(label: str) -> Callable:
    """Decorator: draw one section of a page as an ``st.fragment`` that lists its model calls under ``label``.

    A change to one of the section's own controls reruns only the section, with the
    arguments it got in the last full run; afterwards the section writes the link
    again (:func:`sync_url`'s keys) and its part of "What ran". The section's return
    value is available in full runs only.
    """
    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def body(*args, **kwargs):
            try:
                with listed(label):
                    result = func(*args, **kwargs)
            except ModelUnavailable as exc:  # this section says which file; the page's other sections still run
                model_unavailable(exc)
                return None
            if _rerun_alone():
                page_keys = st.session_state.get(_LINK_KEYS)
                if page_keys and page_keys[0] == _current_page():
                    _write_link(page_keys[1])
            return result
        return st.fragment(body)
    return decorate


def fragment(func: Callable) -> Callable:
    """``st.fragment`` that says so in words when a model file is missing or altered, instead of failing.

    Streamlit shows an exception raised inside a fragment itself (a redacted error box on a hosted demo)
    before the page could catch it; this catches :class:`ModelUnavailable` inside the fragment.
    """
    @functools.wraps(func)
    def body(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ModelUnavailable as exc:
            model_unavailable(exc)
            return None
    return st.fragment(body)


def model_unavailable(exc: ModelUnavailable) -> None:
    """Say that a model (or recorded data) file is missing or altered: the message names it and the rebuild command."""
    st.error(f"This part of the page needs a file that could not be loaded. {fmt.escape(exc, limit=1000)}")


# ---------------------------------------------------------------- exercises
def check_answer(guess: float | None, expected: float, key: str, tolerance: float = 0.0,
                 explanation: str = "") -> bool | None:
    """Predict-then-check feedback: compare a learner's ``guess`` with ``expected``.

    Returns None until the learner presses "Check", then whether they were right.
    """
    if not st.button("Check", key=f"{key}_check"):
        return None
    if guess is None:
        st.warning("Type your prediction first.")
        return None
    right = abs(float(guess) - float(expected)) <= tolerance
    if right:
        st.success(f"Right: {fmt.exact(expected)}. {explanation}")
    else:
        st.error(f"Not quite: you said {fmt.exact(guess)}, the answer is {fmt.exact(expected)}. {explanation}")
    return right
