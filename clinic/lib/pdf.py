"""HTML to PDF with WeasyPrint: a URL fetcher that serves only our own static files, fixed metadata.

The document's HTML comes from our templates, but it carries text typed by counselors and clinic
admins. Everything is escaped by the template engine; the fetcher is the second line of defence: even
a URL that slipped through (an `<img src="file:///etc/passwd">`, a CSS `@import` or `url()`) is
refused, so rendering never reads a local file outside the static directories and never touches the
network.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
import re
import threading
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint reports every rendering step at INFO ("Step 5 - Creating layout - Page 3"): noise in our logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs in the document resolve against this origin; `.invalid` can never be a real host
# (RFC 6761), and the fetcher answers it from the static directories without any network access.
BASE_URL = "https://weasyprint.invalid/"

# Loading the system fonts (fontconfig) takes most of a cold render; reuse it. Pango and fontconfig
# are not thread-safe, so renders in one process take turns.
_FONT_CONFIG = FontConfiguration()
_RENDER_LOCK = threading.Lock()
_STYLESHEETS: dict[tuple[str, int], CSS] = {}


# WeasyPrint's user-agent stylesheet gives every element six pseudo-elements (::marker, and the
# ::footnote-* and ::note-* boxes of its footnote and note areas), each cascaded and computed for each of
# the handout's ~700 elements: a twentieth of a render. Our documents use none of them (lists are
# `list-style: none`, no footnotes or notes), so they render with the same sheet without those rules.
_PSEUDO_ELEMENT_RULES = re.compile(
    r"^::(marker|footnote-call|footnote-marker|note-call|note-marker|note-callback) \{[^}]*\}$", re.M
)
# (Its @counter-style rules are already in the counter styles WeasyPrint gives each document.)
_UA_STYLESHEET = CSS(string=_PSEUDO_ELEMENT_RULES.sub("", UA), counter_style=CounterStyle())


class _HTML(HTML):
    def _ua_stylesheets(self, forms=False):
        return [_UA_STYLESHEET]


class RefusedURL(ValueError):
    """WeasyPrint asked for a URL outside the app's static files."""


def static_prefix() -> str:
    """The URL under which the document may reference static files, e.g. https://weasyprint.invalid/static/."""
    return BASE_URL + settings.STATIC_URL.lstrip("/")


def static_path(url: str) -> Path:
    """The file behind a static URL, or RefusedURL for anything else (other schemes, hosts, `..`)."""
    prefix = static_prefix()
    if not url.startswith(prefix):
        raise RefusedURL(f"refused to fetch {url[:200]!r}: only the app's static files are served")
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise RefusedURL(f"refused to fetch {url[:200]!r}: query strings are not served")
    relative = unquote(url[len(prefix) :])
    normalised = posixpath.normpath(relative)
    if (
        not relative
        or normalised != relative
        or normalised.startswith(("/", "../"))
        or normalised == ".."
        or "\\" in relative
        or "\x00" in relative
    ):
        raise RefusedURL(f"refused to fetch {url[:200]!r}: not a plain static path")
    found = finders.find(normalised)
    if not found:
        raise RefusedURL(f"refused to fetch {url[:200]!r}: no such static file")
    return Path(found)


class StaticOnlyFetcher(URLFetcher):
    """Serve files found by the staticfiles finders under `static_prefix()`; refuse every other URL.

    Refusals raise: WeasyPrint logs a warning and renders without the resource. `fetched` and
    `refused` record what was asked for, for tests and the hostile-input check.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False, timeout=1)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            path = static_path(url)
        except RefusedURL:
            self.refused.append(url)
            raise
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def _stylesheet(static_name: str) -> CSS:
    """A stylesheet from the static files, parsed once per process (again when the file changes)."""
    url = static_prefix() + static_name
    key = (static_name, static_path(url).stat().st_mtime_ns)
    sheet = _STYLESHEETS.get(key)
    if sheet is None:
        sheet = CSS(url=url, url_fetcher=StaticOnlyFetcher(), font_config=_FONT_CONFIG)
        _STYLESHEETS[key] = sheet
    return sheet


_INVERT = bytes(255 - i for i in range(256))


def _tiff_predict(data: bytes, colors: int) -> bytes:
    """TIFF predictor 2 (ISO 32000-1 §7.4.4.4) over one row: each byte minus the byte `colors` earlier.

    Done with C-speed operations only: the bytes are spread into 16-bit lanes of two big integers,
    `a + (255 - b) + 1` is added lane by lane (it never carries into the next lane), and the low byte of
    every lane is `a - b` modulo 256.
    """
    n = len(data)
    previous = bytes(colors) + data[:-colors]
    a = bytearray(2 * n)
    a[1::2] = data
    b = bytearray(2 * n)
    b[1::2] = previous.translate(_INVERT)
    total = int.from_bytes(a, "big") + int.from_bytes(b, "big") + int.from_bytes(b"\0\1" * n, "big")
    return total.to_bytes(2 * n + 1, "big")[1:][1::2]


def _finish(document, pdf: pydyf.PDF) -> None:
    # PDF/UA: viewers show the document title, not the file name.
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    # pydyf asks every object for its bytes twice (once to write it, once more for the file identifier's
    # hash), and compresses a stream each time, at level 9. Compress each stream here, once, at level 6
    # (a PDF about 1 % larger, written in half the time).
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and obj.compress):
            continue
        data = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)  # as pydyf.Stream.data joins it
        if obj.extra.get("Subtype") == "/OpenType":
            # WeasyPrint subsets fonts keeping the original glyph ids, so a Japanese CFF subset of a few
            # hundred glyphs still carries an offset array of ~60,000 three-byte entries, which Flate
            # compresses poorly (~125 KB per font). Predicting each byte from the byte three before turns
            # those offsets into a repeating pattern: the embedded fonts shrink by half or more.
            data += bytes(-len(data) % 3)  # sfnt parsers ignore trailing padding
            obj.extra["DecodeParms"] = pydyf.Dictionary(
                {"Predictor": 2, "Colors": 3, "BitsPerComponent": 8, "Columns": len(data) // 3}
            )
            data = _tiff_predict(data, 3)
        obj.stream = [zlib.compress(data, 6)]
        obj.compress = False
        obj.extra["Filter"] = "/FlateDecode"


# Tagged PDF (PDF/UA-1): structure tags, document title and language for screen readers.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


def html_to_pdf(
    html: str,
    *,
    identifier: str,
    stylesheets: tuple[str, ...] = (),
    fetcher: StaticOnlyFetcher | None = None,
) -> bytes:
    """Render HTML (with `<title>`, `<html lang>` and `dcterms.created/modified` meta) to tagged PDF bytes.

    The same HTML and identifier give the same bytes: dates come from the document's meta tags, never
    the clock, and the PDF file identifier is `identifier` instead of a random one.
    """
    with _RENDER_LOCK:
        return write(lay_out(html, stylesheets=stylesheets, fetcher=fetcher), identifier=identifier)


def lay_out(html: str, *, stylesheets: tuple[str, ...] = (), fetcher: StaticOnlyFetcher | None = None):
    """First half of `html_to_pdf` (parse, style, lay out pages); separate for the benchmark's breakdown."""
    return _HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or StaticOnlyFetcher()).render(
        font_config=_FONT_CONFIG, stylesheets=[_stylesheet(name) for name in stylesheets], **PDF_OPTIONS
    )


def write(document, *, identifier: str) -> bytes:
    """Second half of `html_to_pdf` (draw pages, subset and embed fonts, write the file)."""
    pdf = document.write_pdf(finisher=_finish, pdf_identifier=False, **PDF_OPTIONS)
    return _with_file_identifier(pdf, identifier.encode("ascii", "replace"))


def _with_file_identifier(pdf: bytes, identifier: bytes) -> bytes:
    """Add the file identifier (/ID: `identifier` and the MD5 of the file) to a PDF written without one.

    pydyf would compute its own second part by serialising every object once more, a sixth of the
    writing time. The /ID entry goes into the dictionary of the file's last object, the
    cross-reference stream (or the trailer): nothing before it moves, so every offset stays valid.
    """
    startxref = pdf.rindex(b"startxref")
    at = pdf.index(b"<<", int(pdf[startxref + len(b"startxref") :].split()[0])) + len(b"<<")
    digest = hashlib.md5(pdf, usedforsecurity=False).hexdigest().encode()
    entry = b"/ID [" + pydyf.String(identifier).data + b" " + pydyf.String(digest).data + b"]"
    return pdf[:at] + entry + pdf[at:]
