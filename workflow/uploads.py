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

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

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


# Evidence files and appeal attachments: the largest accepted size and the accepted types.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".pptx", ".odt", ".ods"}


@deconstructible
class EvidenceValidator:
    """The rules for an evidence file or appeal attachment, as a field validator (the model's
    FileFields carry it) that the services also ask before anything is written."""

    def __call__(self, upload) -> None:
        if upload is None or not getattr(upload, "name", None):
            return
        ext = PurePath(upload.name).suffix.lower()
        if ext not in EVIDENCE_EXTENSIONS:
            raise ValidationError(
                _("Evidence file %(name)s: type %(ext)s is not allowed (allowed: %(allowed)s).")
                % {"name": upload.name, "ext": ext or "?", "allowed": ", ".join(sorted(EVIDENCE_EXTENSIONS))},
                code="evidence_type",
            )
        if upload.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("Evidence file %(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)},
                code="evidence_size",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, EvidenceValidator)


validate_evidence = EvidenceValidator()


def evidence_problem(upload) -> str | None:
    """The validator's message for ``upload``, or None when it is acceptable (or absent)."""
    try:
        validate_evidence(upload)
    except ValidationError as exc:
        return exc.messages[0]
    return None
