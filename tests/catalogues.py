"""The translation catalogues compiled for the test run: plain ``pytest`` on a fresh clone works
without ``make messages`` first (the Indonesian pages the tests assert need the .mo files)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("project", "workflow", "rules")  # the packages with a locale/ directory


def stale_catalogues(root: Path = ROOT) -> list[Path]:
    """The .po files of the project's packages whose .mo is missing or older."""
    found = []
    for app in APPS:
        for po in sorted((root / app / "locale").glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                found.append(po)
    return found


def compile_stale_catalogues(root: Path = ROOT) -> list[Path]:
    """Compile every stale catalogue as ``manage.py compilemessages`` does (``msgfmt
    --check-format``); returns the .po files compiled. Fails with a clear message without msgfmt."""
    stale = stale_catalogues(root)
    if not stale:
        return []
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError(
            "The translation catalogues need compiling, but msgfmt (GNU gettext) is not installed: "
            "install gettext, or compile them elsewhere with `make messages`."
        )
    for po in stale:
        subprocess.run([msgfmt, "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return stale


def forget_loaded_catalogues() -> None:
    """Drop the catalogues Django has loaded already, as its autoreloader does when a .mo changes."""
    from django.utils.translation.reloader import translation_file_changed

    translation_file_changed(None, Path("django.mo"))
