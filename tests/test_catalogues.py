"""The test run compiles the translation catalogues itself when one is missing or out of date."""

import os
import shutil
from pathlib import Path

from tests.catalogues import ROOT, compile_stale_catalogues, stale_catalogues

PO = Path("workflow") / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_a_missing_or_older_catalogue_is_compiled_and_a_fresh_one_is_left_alone(tmp_path):
    po = tmp_path / PO
    po.parent.mkdir(parents=True)
    shutil.copy2(ROOT / PO, po)
    mo = po.with_suffix(".mo")
    assert stale_catalogues(tmp_path) == [po]

    assert compile_stale_catalogues(tmp_path) == [po]
    assert mo.stat().st_size > 0 and stale_catalogues(tmp_path) == []
    assert compile_stale_catalogues(tmp_path) == []

    os.utime(mo, (mo.stat().st_atime, po.stat().st_mtime - 10))  # the .po edited after the last compile
    assert compile_stale_catalogues(tmp_path) == [po]
    assert mo.stat().st_mtime >= po.stat().st_mtime


def test_the_session_has_compiled_every_catalogue_of_the_checkout():
    assert stale_catalogues() == []


def test_a_unique_together_clash_says_the_row_already_exists_in_indonesian():
    from django.utils import translation

    with translation.override("id"):
        message = translation.gettext("%(model_name)s with this %(field_labels)s already exists.")
    assert message == "%(model_name)s dengan %(field_labels)s ini sudah ada."
