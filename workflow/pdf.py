"""PDF rendering (WeasyPrint) and QR codes (segno): HTML in, PDF bytes out, nothing fetched.

WeasyPrint needs Pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``) and the fonts the print CSS
names (``fonts-dejavu-core``); README "Production setup" and ``.ci/run`` install them. The fetcher
given to WeasyPrint accepts ``data:`` URIs only (the QR code is one), so a document never reaches
the network or the file system, whatever its text holds."""

from __future__ import annotations

import hashlib
from functools import cache


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


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a whole document with its own ``<style>``), fetching nothing but
    ``data:`` URIs."""
    weasyprint, urls = _weasyprint()
    fetcher = urls.URLFetcher(allowed_protocols={"data"}, timeout=1)
    return weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI (error correction M, black on white), sized by the
    page's CSS."""
    import segno  # ~0.1 s on first use, like WeasyPrint above

    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, dark="#000", light="#fff")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
