"""Uploaded files (evidence, appeal attachments): where they are stored and what they are called.

A file is stored under a random, unguessable name (``bukti/2026/07/<random>.pdf``) that carries
nothing of its original name; the original name is kept in a field beside it for display and as
the download's file name. Files are never served from MEDIA_URL: only the permission-checked
download views (``workflow.views.files``) hand them out."""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import PurePath

from django.utils import timezone
from django.utils.deconstruct import deconstructible

NAME_MAX_LENGTH = 255
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


@deconstructible
class RandomName:
    """``upload_to`` for a FileField: ``<folder>/<year>/<month>/<random>.<ext>``.

    The extension (lower-cased) stays so the type of a download is known without the database;
    the random part is 192 bits from ``secrets``."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        ext = PurePath(filename).suffix.lower()
        if not _EXTENSION.fullmatch(ext):
            ext = ""
        return f"{self.folder}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{ext}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


def original_name(filename: str) -> str:
    """The name the uploader's file had, fit to show and to send in Content-Disposition: without
    any folder (Windows browsers may send one), control characters or surrounding blanks, at most
    255 characters with the extension kept."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc").strip()
    if len(name) > NAME_MAX_LENGTH:
        suffix = PurePath(name).suffix[:20]
        name = name[: NAME_MAX_LENGTH - len(suffix)] + suffix
    return name
