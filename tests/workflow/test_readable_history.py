"""The timeline of one SKP in people's words: field labels and values in Indonesian, before →
after, the steps people took; no internal numbers, task numbers or gateways. The technical view
stays for admins and auditors."""

from __future__ import annotations

import re

import pytest

from tests.helpers import approve
from workflow.models import Pendekatan, Skp


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def approved(org, opened, rules_pack):
    """The pelaksana's plan submitted and approved; then the approach changed by the employee."""
    skp = approve(org, org.pelaksana, org.kasi)
    skp = Skp.objects.get(pk=skp.pk)
    skp.pendekatan = Pendekatan.KUALITATIF
    skp._history_user = org.pelaksana.user
    skp.save()
    return skp


def test_a_field_change_reads_as_its_label_and_values_before_and_after(client, org, approved):
    client.force_login(org.pelaksana.user)
    page = visible_text(client.get(f"/kinerja/riwayat/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert "pendekatan: Kuantitatif → Kualitatif" in page
    assert "status: SKP diajukan → SKP disetujui" in page
    assert "SKP (penilaian)" in page and "Skp (penilaian)" not in page
    assert "Langkah: Susun SKP" in page and "Langkah: Setujui SKP" in page
    assert org.kasi.nama in page and "Ekspektasi perilaku: Akuntabel" in page


def test_the_readable_timeline_hides_internal_numbers_and_gateways(client, org, approved):
    client.force_login(org.pelaksana.user)
    page = visible_text(client.get(f"/kinerja/riwayat/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    for internal in ("Rencana disetujui?", "Evaluasi mana berikutnya?", "proses:", "urutan:", "Proses (dibuat)"):
        assert internal not in page, internal
    assert not re.search(r"#\d+/\d+", page)  # task numbers
    assert "evaluasi: — →" not in page  # a review's id
    assert "Tampilan teknis" not in page  # the employee has no technical view
    technical = visible_text(
        client.get(
            f"/kinerja/riwayat/{approved.pk}/", {"tampilan": "teknis"}, HTTP_ACCEPT_LANGUAGE="id"
        ).content.decode()
    )
    assert "Rencana disetujui?" not in technical  # asking for it changes nothing for them


def test_admins_switch_to_the_technical_view_with_every_node(client, org, approved, bkd):
    client.force_login(bkd)
    readable = visible_text(client.get(f"/kinerja/riwayat/{approved.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert "Tampilan teknis" in readable and "Rencana disetujui?" not in readable
    technical = visible_text(
        client.get(
            f"/kinerja/riwayat/{approved.pk}/", {"tampilan": "teknis"}, HTTP_ACCEPT_LANGUAGE="id"
        ).content.decode()
    )
    assert "Rencana disetujui?" in technical and "Proses" in technical


def test_each_status_change_reads_once_while_the_technical_view_keeps_both_records(client, org, approved, bkd):
    client.force_login(bkd)
    url = f"/kinerja/riwayat/{approved.pk}/"
    readable = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode())
    changes = ("status: — → SKP disusun", "status: SKP disusun → SKP diajukan", "status: SKP diajukan → SKP disetujui")
    for change in changes:
        assert readable.count(change) == 1, change  # the action's event says it; its history row not again
    assert "pendekatan: Kuantitatif → Kualitatif" in readable  # a change no event states stays
    technical = visible_text(client.get(url, {"tampilan": "teknis"}, HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert technical.count("SKP disusun → SKP diajukan") == 2  # the event and the history row
