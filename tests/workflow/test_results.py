"""What the result pages say once results are published, appealed and final: progress per OPD,
the team page and the explanation of a predikat."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils.html import strip_tags
from viewflow.workflow.timers import fire_due_timers

from tests.helpers import TEST_RULES_FROM, pack_in_force, through_final_review
from workflow.models import PeranAdmin, StatusSkp
from workflow.services import appeal as svc
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return time_machine.travel(dt.datetime(2026, 12, day, hour, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def admin(org):
    user = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=org.instansi)
    return user


def rekap_row(client, opd: str) -> list[str]:
    """The cells of the OPD's row on the progress page, as text."""
    body = client.get("/kinerja/rekap/").content.decode()
    body = body[body.index("kinerja-rekap") :]  # the table, not the chart's table below it
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if f">{opd}</a></td>" in r)
    return [" ".join(strip_tags(cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_progress_per_opd_counts_results_under_appeal_and_final_as_approved_and_published(
    client, org, opened, rules_pack, admin
):
    """Two published results in Dinas Kesehatan: one is appealed (then decided), the other's window
    closes unused. Both stay counted as plan approved and published at every stage."""
    client.force_login(admin)
    appealed = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    quiet = through_final_review(org, org.kasi, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]
    with at(5):
        keberatan = svc.appeal_file(skp=appealed, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
        svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=True, alasan="Penilaian sesuai bukti.")
    with at(17):
        fire_due_timers()  # the other appeal window closes unused
    appealed.refresh_from_db()
    quiet.refresh_from_db()
    assert appealed.status == quiet.status == StatusSkp.FINAL
    assert rekap_row(client, "Dinas Kesehatan") == ["Dinas Kesehatan", "5", "2 (40%)", "2 (40%)"]


def test_status_order_reaches_later_stages():
    assert set(StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN)) == {"dipublikasikan", "keberatan", "final"}
    assert StatusSkp.DIKEMBALIKAN not in StatusSkp.reached(StatusSkp.DISETUJUI)
    assert StatusSkp.FINAL in StatusSkp.reached(StatusSkp.DISETUJUI)


def team_step(client, nama: str) -> list[str]:
    body = client.get("/kinerja/tim/").content.decode()
    table = body[body.index("kinerja-team-skp") :]
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.S) if nama in r)
    return [" ".join(strip_tags(cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_the_team_page_shows_the_appeal_then_the_final_result_not_the_appeal_window(client, org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    client.force_login(org.kasi.user)
    with at(3):
        assert team_step(client, org.pelaksana.nama)[1] == "Masa keberatan"  # published, window open
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
        _nama, step, holder, _predikat = team_step(client, org.pelaksana.nama)
        assert (step, holder) == ("Tanggapi keberatan", "Anda")  # the appeal's step, held by the assessor
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
        _nama, step, holder, _predikat = team_step(client, org.pelaksana.nama)
        assert step == "Putuskan keberatan" and holder == org.kabid.nama
        svc.appeal_decide(
            keberatan=keberatan,
            by=org.kabid.user,
            uphold=False,
            rating_hasil_kerja="di_atas",
            rating_perilaku="di_atas",
            alasan="Perilaku melayani terbukti di atas ekspektasi.",
        )
        page = client.get("/kinerja/tim/").content.decode()
        _nama, step, holder, predikat = team_step(client, org.pelaksana.nama)
    assert (step, holder, predikat) == ("Final", "—", "Sangat Baik")
    assert "Masa keberatan" not in page


def section(body: str, css: str) -> list[str]:
    """The items of the ``<ul class=css>`` list on the page, as text."""
    block = re.search(rf'<ul class="{css}">(.*?)</ul>', body, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    return [" ".join(html.unescape(strip_tags(item)).split()) for item in items]


def core_rhk_2_below(r):
    """RHK 1 and 3 above expectations, RHK 2 (a core RHK) below."""
    return "di_bawah" if r.urutan == 2 else "di_atas"


def test_after_an_appeal_changed_the_ratings_the_explanation_names_the_decision_and_contradicts_nothing(
    client, org, opened, rules_pack
):
    """The shipped rules suggest "meets expectations" for work results (a core RHK is below); the
    assessor agrees; the Atasan raises both ratings in the appeal. The explanation says who changed
    what, claims nothing the ratings shown contradict, and of the two predikat decisions only the
    appeal's counts."""
    skp = through_final_review(org, org.pelaksana, org.kasi, core_rhk_2_below, lambda v: "sesuai")
    assert (skp.hasil.rating_hasil_kerja, skp.hasil.predikat) == ("sesuai", "baik")
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian RHK 2 tidak dinilai.")
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
    with at(8):
        svc.appeal_decide(
            keberatan=keberatan,
            by=org.kabid.user,
            uphold=False,
            rating_hasil_kerja="di_atas",
            rating_perilaku="di_atas",
            alasan="Bukti baru capaian RHK 2 diterima.",
        )
    client.force_login(org.pelaksana.user)
    body = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    why = " ".join(section(body, "kinerja-explanation"))
    assert "tidak ada RHK utama yang di bawah ekspektasi" not in why  # RHK 2, a core RHK, is shown below
    assert "berbeda dari saran" not in why  # the assessor followed the suggestion; the Atasan changed it
    assert "2 dari 3 RHK dinilai di atas ekspektasi dan 1 di bawah (1 di antaranya RHK utama)" in why
    assert "Pejabat penilai menetapkan rating hasil kerja Sesuai Ekspektasi, sesuai saran" in why
    assert (
        f"Keberatan diputuskan pada 08-12-2026 oleh {org.kabid.nama}: rating hasil kerja diubah dari "
        "Sesuai Ekspektasi menjadi Di Atas Ekspektasi; rating perilaku diubah dari Sesuai Ekspektasi menjadi "
        "Di Atas Ekspektasi"
    ) in why
    assert "Baik menjadi Sangat Baik" in why and "Bukti baru capaian RHK 2 diterima." in why
    assert (
        "Hasil kerja Di Atas Ekspektasi dengan perilaku kerja Di Atas Ekspektasi menghasilkan predikat Sangat Baik"
    ) in why
    applied = section(body, "kinerja-trace")
    predikat = [item for item in applied if "Predikat kinerja pegawai" in item]
    assert len(predikat) == 2
    assert "tidak berlaku lagi: digantikan oleh keputusan keberatan" in predikat[0]
    assert "keputusan keberatan" in predikat[1] and "tidak berlaku lagi" not in predikat[1]
    assert "Rating hasil kerja Di Atas Ekspektasi (syarat: Di Atas Ekspektasi)" in predikat[1]
    assert "Predikat kinerja: Sangat Baik (keputusan keberatan)" in predikat[1]
    assert "di_atas" not in predikat[1]  # the condition syntax stays in the rules editor
    assert all("tidak berlaku lagi" in item for item in applied if "Rating hasil kerja, baris" in item)
    assert "(nilai: )" not in body and "Rating perilaku Sesuai Ekspektasi (syarat:" in body


def test_the_explanation_follows_a_rule_table_the_admin_changed(client, org, opened, rules_pack):
    """A version 2 in which half the RHK above expectations is enough, whatever the core RHK, with
    its own description and a note on the row: the explanation quotes them and the facts, and
    nothing of the shipped table."""
    from dataclasses import replace

    from rules.selectors import version_specs
    from rules.services import rule_version_copy, rule_version_publish, rule_version_replace_content
    from rules.spec import CaseSpec, RowSpec

    draft = rule_version_copy(version=pack_in_force())
    changed = {
        "description": "Aturan uji: separuh RHK di atas ekspektasi sudah cukup, apa pun RHK utamanya.",
        "rows": (
            RowSpec({"porsi_rhk_di_bawah": "> 0.5"}, {"rating": "di_bawah"}),
            RowSpec({"porsi_rhk_di_atas": ">= 0.5"}, {"rating": "di_atas"}, note="Separuh RHK di atas ekspektasi"),
            RowSpec({}, {"rating": "sesuai"}, is_default=True),
        ),
        "tests": (
            CaseSpec(
                "separuh di atas",
                {
                    "porsi_rhk_di_atas": 0.5,
                    "porsi_rhk_di_bawah": 0,
                    "rhk_utama_di_bawah": 1,
                    "porsi_rhk_utama_di_bawah": 0.5,
                },
                {"rating": "di_atas"},
            ),
        ),
    }
    specs = [replace(s, **changed) if s.name == "rating_hasil_kerja" else s for s in version_specs(version=draft)]
    rule_version_replace_content(version=draft, specs=specs)
    rule_version_publish(version=draft, effective_from=TEST_RULES_FROM)

    skp = through_final_review(org, org.pelaksana, org.kasi, core_rhk_2_below, lambda v: "sesuai")
    assert (skp.hasil.rating_hasil_kerja, skp.hasil.rule_version) == ("di_atas", str(draft.number))
    with at(3):
        client.force_login(org.pelaksana.user)
        body = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    why = " ".join(section(body, "kinerja-explanation"))
    assert "tidak ada RHK utama" not in why and "lebih dari separuh" not in why  # the shipped table's words
    assert (
        f"Tabel “Rating hasil kerja” (penilaian-kinerja v{draft.number}), baris 2: Porsi RHK di atas ekspektasi 0,67 "
        "(syarat: paling sedikit 0,5) — menyarankan Rating hasil kerja: Di Atas Ekspektasi."
    ) in why
    assert "Catatan baris: Separuh RHK di atas ekspektasi." in why
    assert "Ketentuan tabel: Aturan uji: separuh RHK di atas ekspektasi sudah cukup, apa pun RHK utamanya." in why
    assert "1 di bawah (1 di antaranya RHK utama)" in why


def test_after_an_upheld_appeal_the_explanation_says_so_and_every_decision_counts(client, org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Mohon ditinjau.")
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
    with at(7):
        svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=True, alasan="Penilaian sesuai bukti.")
    client.force_login(org.pelaksana.user)
    body = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    why = " ".join(section(body, "kinerja-explanation"))
    assert f"Keberatan diputuskan pada 07-12-2026 oleh {org.kabid.nama}: hasil penilaian dikuatkan." in why
    assert "Alasan keputusan: Penilaian sesuai bukti." in why
    assert not any("tidak berlaku lagi" in item for item in section(body, "kinerja-trace"))


def test_the_employees_own_list_follows_the_appeal_to_its_steps(client, org, opened, rules_pack):
    """Under appeal, the employee's list of their appraisals shows the appeal's open step and who
    holds it (the appeal's process), before it the appeal window, after the decision no step."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    client.force_login(org.pelaksana.user)

    def row():
        body = client.get("/kinerja/skp-saya/").content.decode()
        table = re.search(r'<table class="[^"]*kinerja-my-skp-table.*?</table>', body, re.S).group(0)
        return " ".join(html.unescape(strip_tags(table)).split())

    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
        assert f"Tanggapi keberatan — menunggu {org.kasi.nama}" in row()
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
        assert f"Putuskan keberatan — menunggu {org.kabid.nama}" in row()
