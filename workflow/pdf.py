"""PDF rendering (WeasyPrint) and QR codes (segno): HTML in, PDF bytes out, nothing fetched.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``) and the fonts the print CSS
names (``fonts-dejavu-core``); README "Production setup" and ``.ci/run`` install them. The fetcher
given to WeasyPrint accepts ``data:`` URIs only (the QR code is one), so a document never reaches
the network or the file system, whatever its text holds."""

from __future__ import annotations

import hashlib
import threading
from functools import cache, lru_cache


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (its system libraries are not installed)."""


# WeasyPrint is imported on first use, not when this module is: loading it (Pango, its default
# stylesheets) takes about a second, which every process — web workers, Celery, manage.py, the test
# run — would pay at start-up whether or not it ever renders a document.
@cache
def _weasyprint():
    try:
        import weasyprint
        import weasyprint.urls
    except OSError as exc:  # the system libraries are missing: say which
        needs = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        raise PdfUnavailable(f"WeasyPrint needs Pango ({needs}): {exc}") from exc
    return weasyprint, weasyprint.urls


# Built once per thread and reused by every document it renders: a font configuration (fontconfig
# work for each new one; the documents declare no web fonts that could differ), the parsed print
# stylesheet and the fetcher (whose HTTPS handler alone creates an SSL context). Per thread, not
# per process: a Pango font map is not to be shared between threads.
_reused = threading.local()


def _font_config():
    if not hasattr(_reused, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _weasyprint()
        _reused.font_config = FontConfiguration()
    return _reused.font_config


def _stylesheet(css: str):
    """The parsed print stylesheet ``css`` (parsed once, not once per document)."""
    sheets = _reused.__dict__.setdefault("stylesheets", {})
    if css not in sheets:
        weasyprint, _urls = _weasyprint()
        sheets[css] = weasyprint.CSS(string=css, font_config=_font_config())
    return sheets[css]


def _fetcher():
    """The fetcher of every document: ``data:`` URIs only."""
    if not hasattr(_reused, "fetcher"):
        _weasyprint_module, urls = _weasyprint()
        _reused.fetcher = urls.URLFetcher(allowed_protocols={"data"}, timeout=1)
    return _reused.fetcher


def render_pdf(html: str, *, css: str = "") -> bytes:
    """The PDF of ``html`` (a whole document) styled by ``css`` (parsed once and reused),
    fetching nothing but ``data:`` URIs."""
    weasyprint, _urls = _weasyprint()
    fetcher = _fetcher()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    stylesheets = [_stylesheet(css)] if css else None
    return document.write_pdf(stylesheets=stylesheets, font_config=_font_config())


@lru_cache(maxsize=256)
def qr_png_data_uri(text: str) -> str:
    """A QR code of ``text`` as a PNG data URI (error correction M, black on white, 6 px a module;
    the print CSS sizes it and keeps its edges sharp). PNG, not SVG: WeasyPrint draws an SVG QR
    code rectangle by rectangle in Python, a bitmap in one image operation."""
    import segno  # ~0.1 s on first use, like WeasyPrint above

    return segno.make(text, error="m", micro=False).png_data_uri(scale=6, border=2, dark="#000", light="#fff")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
