"""Every upload box of every page, fed issue #15's bad-file corpus: each file gets its message in words, never an
exception, and nothing of the file's name is rendered as markup.

The pages are walked from the catalog (and home); the upload boxes are found in each page's default view, in
each of its tabs, and behind a choice whose option is "upload" (a radio or select box), so a page that adds
an upload box later is covered without a list here. The files are generated here: no binary fixtures.
The SVG drawing is named .png: a file ending in .svg never reaches the page's code, since Streamlit's
upload box refuses extensions outside its ``type`` list.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from playground.catalog import built_concepts
from tests.conftest import REPO_ROOT

TIMEOUT = 120
# A file name a visitor could pick: Markdown bold, a link, code, LaTeX and HTML.
PAYLOAD = "**bold** [link](http://evil.example) `code` $x^2$ <b>h</b>"
# What the payload looks like when it reaches Markdown unescaped (each one renders as bold, a live link, code,
# a formula or HTML); an escaped payload contains none of them (a backslash breaks every one).
RAW_MARKS = ("**bold**", "[link](", "`code`", "$x^2$", "<b>h</b>", "http://evil")
PLAIN_TYPES = {"text", "code"}  # elements that show their text as typed, never as markup


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def gradient(w: int, h: int) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.uint8)
    return Image.fromarray(np.stack([np.tile(x, (h, 1)), np.tile(x[::-1], (h, 1)), np.full((h, w), 90, np.uint8)],
                                    axis=2), "RGB")


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (24, 24), colour) for colour in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def exif_rotated_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    return encode(gradient(48, 24), "JPEG", quality=90, exif=exif.tobytes())


@dataclass(frozen=True)
class Bad:
    """One file of the corpus: its name's stem and extension, how to make it, and what the page must say."""

    stem: str  # also in the file name, so a refusal can be checked to name the file
    ext: str
    make: Callable[[], bytes] = field(repr=False)
    refused: bool  # True: an error box must give ``words``; False: the image is used and a notice gives them
    words: str | None  # a regular expression; None: no notice expected (a plain valid image)

    @property
    def name(self) -> str:
        return f"{PAYLOAD} {self.stem}.{self.ext}"


CORPUS = (
    Bad("empty", "png", lambda: b"", True, r"The file is empty"),
    Bad("notes", "png", lambda: b"Shopping list: eggs, milk. Not a picture at all.\n" * 4, True,
        r"not an image we can read"),
    Bad("truncated", "png", lambda: encode(gradient(200, 200), "PNG")[:400], True, r"truncated or damaged"),
    Bad("bomb", "png", lambda: encode(Image.new("L", (8000, 6000)), "PNG"), True,  # 48 MP in ~50 kB
        r"8000×6000 = 48 megapixels; the limit is 40"),
    Bad("deep", "png", lambda: encode(Image.fromarray(np.full((30, 40), 40000, np.uint16)), "PNG"), False,
        r"16-bit greyscale image"),
    Bad("print", "jpg", lambda: encode(gradient(40, 30).convert("CMYK"), "JPEG"), False, r"CMYK image: converted"),
    Bad("animated", "gif", animated_gif, False, r"only the first frame is used"),
    Bad("drawing", "png", lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="9" '
        b'height="9"><script>alert(1)</script></svg>', True, r"SVG drawing"),
    Bad("polyglot", "png", lambda: encode(gradient(40, 30), "PNG") + b"<script>alert(1)</script>", False,
        r"25 bytes after the end of the image; they were ignored"),
    Bad("phone", "jpg", exif_rotated_jpeg, False, r"Rotated to match the photo's EXIF orientation"),
    Bad("huge", "png", lambda: encode(Image.new("RGB", (6000, 4000), (40, 90, 140)), "PNG"), False,
        r"Scaled down from 6000×4000 to 1024×683"),
    Bad("markup", "png", lambda: encode(gradient(40, 30), "PNG"), False, None),
)
REFUSALS = tuple(bad.words for bad in CORPUS if bad.refused)


@functools.cache
def contents(stem: str) -> bytes:
    """The corpus file's bytes, made once per test process (the bomb and the huge image take a moment)."""
    return next(bad for bad in CORPUS if bad.stem == stem).make()


def unescaped_markup(at: AppTest) -> list[str]:
    """Every element (or block) whose markup-rendered fields hold the payload unescaped.

    The element's protobuf is read whole: Markdown bodies, alerts, captions of images, labels, help, options,
    chart specs; only st.text and st.code show text as typed.
    """
    found = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in PLAIN_TYPES:
            continue
        dumped = str(proto)
        found += [f"{node.type}: {mark}" for mark in RAW_MARKS if mark in dumped]
    return found


# ---------------------------------------------------------------- finding the upload boxes
def page_file(slug: str) -> str:
    return "pages/home.py" if slug == "home" else f"pages/{slug}.py"


def open_page(slug: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / page_file(slug)), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def uploader_keys(at: AppTest) -> list[str]:
    return [node.key for node in at._tree if getattr(node, "type", "") == "file_uploader"]


def offers_upload(widget) -> bool:
    """Whether a radio or select box has an option "upload" (its format function may reject other values)."""
    try:
        return widget.format_func("upload") in widget.options
    except Exception:  # e.g. a lookup of "upload" in a dict of presets, or arithmetic on a number option
        return False


def upload_choices(at: AppTest) -> list[tuple[str, str]]:
    """(widget type, key) of each radio or select box offering "upload" that is not on it yet."""
    return [(node.type, node.key) for node in at._tree
            if getattr(node, "type", "") in ("radio", "selectbox") and node.key and node.value != "upload"
            and offers_upload(node)]


@dataclass(frozen=True)
class Box:
    """How to reach one upload box: the link that opens its view, the choices to make, and its key."""

    params: tuple[tuple[str, str], ...]
    choices: tuple[tuple[str, str], ...]
    key: str


def views(slug: str) -> list[dict[str, str]]:
    """The link parameters of the default view and of each other tab (found by the link key naming the open tab)."""
    at = open_page(slug, {})
    labels = [node.label for node in at._tree if getattr(node, "type", "") == "tab"]
    tab_keys = [k for k, v in at.query_params.items() if v in labels]
    found = [{}]
    if tab_keys:
        found += [{tab_keys[0]: label} for label in labels if label != at.query_params[tab_keys[0]]]
    return found


def upload_boxes(slug: str) -> list[Box]:
    boxes: list[Box] = []
    for params in views(slug):
        at = open_page(slug, params)
        keys = uploader_keys(at)
        choices: list[tuple[str, str]] = []
        if not keys:  # an upload box may appear only once "upload" is chosen
            for kind, key in upload_choices(at):
                getattr(at, kind)(key=key).set_value("upload").run()
                choices.append((kind, key))
            keys = uploader_keys(at)
        boxes += [Box(tuple(params.items()), tuple(choices), key) for key in keys
                  if key not in {b.key for b in boxes}]
    return boxes


def has_upload_code(slug: str) -> bool:
    """Whether the page's own code (its file and its helper folder) draws an upload box."""
    sources = [REPO_ROOT / page_file(slug), *(REPO_ROOT / "pages" / f"_{slug}").glob("*.py")]
    return any("file_uploader(" in path.read_text(encoding="utf-8") for path in sources if path.exists())


# ---------------------------------------------------------------- the corpus through each box
def said(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def unescape(markdown: str) -> str:
    """Markdown's backslash escapes undone: the text a reader sees."""
    return re.sub(r"\\(.)", r"\1", markdown)


def check_one(at: AppTest, bad: Bad, where: str) -> None:
    """The page after ``bad`` was uploaded: no exception, the right words, the name never rendered as markup."""
    assert not at.exception, (where, bad.stem, [e.message for e in at.exception])
    errors, notices = said(at, "error"), said(at, "info")
    if bad.refused:
        assert any(re.search(bad.words, unescape(e)) for e in errors), (where, bad.stem, errors)
        shown = [unescape(e) for e in errors] + said(at, "text")
        assert any(f"{bad.stem}.{bad.ext}" in s for s in shown), (where, bad.stem, "the file is not named", shown)
    else:
        refusals = [e for e in errors if any(re.search(words, unescape(e)) for words in REFUSALS)]
        assert not refusals, (where, bad.stem, refusals)
        if bad.words:
            assert any(re.search(bad.words, n) for n in notices), (where, bad.stem, notices)
    assert not unescaped_markup(at), (where, bad.stem, unescaped_markup(at))


PAGES = ["home"] + [c.slug for c in built_concepts()]
UPLOAD_PAGES = [slug for slug in PAGES if has_upload_code(slug)]


def test_upload_boxes_are_drawn_only_by_page_code():
    """No upload box comes from the entry point or pages/_shared, so choosing the pages to walk by their own
    code (the page file and its helper folder) misses none; and some page has one."""
    shared = [REPO_ROOT / "streamlit_app.py", *(REPO_ROOT / "pages" / "_shared").glob("*.py")]
    assert not [path.name for path in shared if "file_uploader(" in path.read_text(encoding="utf-8")]
    assert UPLOAD_PAGES


@pytest.mark.parametrize("slug", UPLOAD_PAGES)
def test_every_upload_box_refuses_or_converts_each_bad_file_in_words(slug):
    """Each upload box of the page (found by walking its views) takes the whole corpus one file after another:
    empty, not an image, truncated, decompression bomb, 16-bit, CMYK, animated GIF, SVG, polyglot, EXIF-rotated,
    24 megapixels, and a name full of Markdown, LaTeX and HTML (every file carries that name); then a good file."""
    boxes = upload_boxes(slug)
    assert boxes, f"{slug}'s code draws an upload box, but none was found in its views"
    for box in boxes:
        at = open_page(slug, dict(box.params))
        for kind, key in box.choices:
            getattr(at, kind)(key=key).set_value("upload").run()
        where = f"{slug}:{box.key}"
        for bad in CORPUS:
            at.file_uploader(key=box.key).set_value((bad.name, contents(bad.stem), "image/png")).run()
            check_one(at, bad, where)
        at.file_uploader(key=box.key).set_value(("fine.png", encode(gradient(64, 48), "PNG"), "image/png")).run()
        assert not at.exception, (where, "a good file after the corpus")
        assert not any(re.search(words, unescape(e)) for e in said(at, "error") for words in REFUSALS), where
