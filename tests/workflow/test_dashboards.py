"""Dashboards with charts: the numbers drawn are the database's, scoped to whoever looks (an admin
their own government, an assessor their own team, an employee themself), and the progress drills
down OPD → unit → employee."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import InstansiFactory, JabatanFactory, PegawaiFactory, UnitFactory, give_accounts
from workflow.models import (
    CapaianOrganisasi,
    HasilPenilaian,
    JenisInstansi,
    JenisUnit,
    Keberatan,
    PeranAdmin,
    Predikat,
    PredikatOrganisasi,
    Skp,
    StatusSkp,
)
from workflow.selectors.dashboard import appeals_per_month, predikat_history, progress_below, progress_per_opd
from workflow.services.period import periode_create


def appraisal(periode, pegawai, status, *, predikat=None, penilai=None) -> Skp:
    """An appraisal at ``status`` (with a result of ``predikat``), written straight to the tables."""
    skp = Skp.objects.create(
        periode=periode,
        pegawai=pegawai,
        tanggal_mulai=dt.date(periode.tahun, 1, 1),
        tanggal_selesai=dt.date(periode.tahun, 12, 31),
        status=status,
        jabatan_nama=pegawai.jabatan.nama,
        jabatan_jenis=pegawai.jabatan.jenis,
        unit=pegawai.unit,
        unit_nama=pegawai.unit.nama,
        penilai=penilai,
        penilai_nama=penilai.nama if penilai else "",
    )
    if predikat:
        HasilPenilaian.objects.create(
            skp=skp,
            rating_hasil_kerja="sesuai",
            rating_perilaku="sesuai",
            predikat=predikat,
            rule_set="penilaian-kinerja",
            rule_version="1",
        )
    return skp


@pytest.fixture
def spread(org, periode):
    return make_spread(org, periode)


def make_spread(org, periode) -> dict[str, Skp]:
    """Appraisals at several steps: in Dinas Kesehatan a plan in draft (the pelaksana), a plan
    submitted (the kasi), a final Baik (the functional) and a published Sangat Baik (the kabid);
    in the Sekretariat a final Butuh Perbaikan."""
    return {
        "pelaksana": appraisal(periode, org.pelaksana, StatusSkp.DRAFT, penilai=org.kasi),
        "kasi": appraisal(periode, org.kasi, StatusSkp.DIAJUKAN, penilai=org.kabid),
        "fungsional": appraisal(periode, org.fungsional, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kabid),
        "kabid": appraisal(
            periode, org.kabid, StatusSkp.DIPUBLIKASIKAN, predikat=Predikat.SANGAT_BAIK, penilai=org.kadis
        ),
        "sekda": appraisal(periode, org.sekda, StatusSkp.FINAL, predikat=Predikat.BUTUH_PERBAIKAN),
    }


@pytest.fixture
def other_government(db):
    return make_other_government()


def make_other_government() -> dict:
    """Another government with its own OPD, appraisal and admin."""
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    root = UnitFactory(instansi=kota, kode="PEMKOT", nama="Pemerintah Kota Bengkulu", jenis=JenisUnit.PEMERINTAH_DAERAH)
    opd = UnitFactory(instansi=kota, kode="DISDIK-KOTA", nama="Dinas Pendidikan Kota", jenis=JenisUnit.OPD, parent=root)
    guru = PegawaiFactory(instansi=kota, unit=opd, jabatan=JabatanFactory(instansi=kota), nama="Rahasia Kota Lain")
    periode = periode_create(instansi=kota, tahun=2026)
    appraisal(periode, guru, StatusSkp.FINAL, predikat=Predikat.KURANG)
    admin = get_user_model().objects.create_user("admin.kota", password="x", is_staff=True)
    PeranAdmin.objects.create(user=admin, instansi=kota)
    return {"instansi": kota, "opd": opd, "periode": periode, "admin": admin, "guru": guru}


def chart_data(page: str, key: str) -> dict:
    """The JSON a chart on ``page`` is drawn from (its ``json_script`` block)."""
    found = re.search(rf'<script id="kinerja-chart-{key}" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no chart {key}"
    return json.loads(found.group(1))


def by_label(spec: dict) -> dict[str, dict[str, int]]:
    """``{row label: {dataset label: figure}}`` of a chart's data."""
    return {
        label: {d["label"]: d["data"][i] for d in spec["datasets"] if d["data"][i]}
        for i, label in enumerate(spec["labels"])
    }


def test_progress_per_opd_counts_each_step_as_the_database_holds_it(org, periode, spread):
    rows = {r.label: r.per_step for r in progress_per_opd(periode=periode)}
    assert rows == {
        "Dinas Kesehatan": {
            StatusSkp.DRAFT: 1,
            StatusSkp.DIAJUKAN: 1,
            StatusSkp.FINAL: 1,
            StatusSkp.DIPUBLIKASIKAN: 1,
        },
        "Sekretariat Daerah": {StatusSkp.FINAL: 1},
    }
    for status in StatusSkp.values:  # the same sums as a count per status
        total = sum(r.get(status, 0) for r in rows.values())
        assert total == Skp.objects.filter(periode=periode, status=status).count()


def test_the_admin_sees_stacked_bars_per_opd_with_the_same_numbers_in_a_table(
    client, org, periode, bkd, spread, other_government
):
    client.force_login(bkd)
    page = client.get("/kinerja/rekap/", {"periode": periode.pk}, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    spec = chart_data(page, "progress")
    assert spec["stacked"] and spec["horizontal"]
    assert by_label(spec) == {
        "Dinas Kesehatan": {"SKP disusun": 1, "SKP diajukan": 1, "Terbit": 1, "Final": 1},
        "Sekretariat Daerah": {"Final": 1},
    }
    table = page[page.index("kinerja-chart-progress-figure") :]
    table = table[table.index("<table") : table.index("</table>")]
    assert re.search(r"Sekretariat Daerah</th><td>0</td><td>0</td><td>0</td><td>1</td>", table)
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in page and "workflow/js/charts.js" in page
    assert "Dinas Pendidikan Kota" not in page and "Rahasia Kota Lain" not in page


def test_the_progress_drills_down_from_opd_to_unit_to_employee(client, org, periode, bkd, spread):
    client.force_login(bkd)
    rekap = client.get("/kinerja/rekap/", {"periode": periode.pk}).content.decode()
    assert f"/kinerja/rekap/unit/{org.dinkes.pk}/?periode={periode.pk}" in rekap
    rows = {r.label: r.total for r in progress_below(periode=periode, unit=org.dinkes)}
    assert rows == {"Bidang P2P": 4}  # the kadis has no appraisal: no row of the OPD's own staff
    page = client.get(f"/kinerja/rekap/unit/{org.dinkes.pk}/", {"periode": periode.pk}).content.decode()
    assert f"/kinerja/rekap/unit/{org.bidang.pk}/?periode={periode.pk}" in page
    assert by_label(chart_data(page, "progress"))["Bidang P2P"] == {
        "SKP disusun": 1,
        "SKP diajukan": 1,
        "Terbit": 1,
        "Final": 1,
    }
    page = client.get(f"/kinerja/rekap/unit/{org.bidang.pk}/", {"periode": periode.pk}).content.decode()
    assert f"/kinerja/rekap/unit/{org.seksi.pk}/?periode={periode.pk}" in page
    assert org.kabid.nama in page and org.fungsional.nama in page  # the bidang's own staff
    assert f"/kinerja/riwayat/{spread['kabid'].pk}/" in page
    assert org.dinkes.nama in page  # the way back up
    page = client.get(f"/kinerja/rekap/unit/{org.seksi.pk}/", {"periode": periode.pk}).content.decode()
    assert org.pelaksana.nama in page and org.kasi.nama in page


def test_a_units_distribution_is_drawn_against_its_patterns_bounds(client, org, periode, bkd, spread, rules_pack):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.dinkes, predikat=PredikatOrganisasi.BUTUH_PERBAIKAN)
    client.force_login(bkd)
    page = client.get(f"/kinerja/rekap/unit/{org.dinkes.pk}/", {"periode": periode.pk}, HTTP_ACCEPT_LANGUAGE="id")
    page = page.content.decode()
    spec = chart_data(page, "distribution")
    employees = spec["datasets"][0]["data"]
    assert employees == [1, 1, 0, 0, 0]  # Sangat Baik (the kabid), Baik (the functional); 2 not scored
    assert len(spec["labels"]) == len(Predikat.values)
    assert "Butuh Perbaikan" in page  # the organisation predikat that selects the pattern
    assert "2 dari 4 hasil sudah dinilai" in page
    assert "kinerja-bounds" in page


def test_another_government_and_other_roles_never_see_the_drill_down(
    client, org, periode, bkd, spread, other_government
):
    client.force_login(other_government["admin"])
    assert client.get(f"/kinerja/rekap/unit/{org.dinkes.pk}/").status_code == 404
    assert client.get(f"/kinerja/rekap/unit/{other_government['opd'].pk}/", {"periode": periode.pk}).status_code == 404
    own = client.get(f"/kinerja/rekap/unit/{other_government['opd'].pk}/").content.decode()
    assert "Rahasia Kota Lain" in own and org.kabid.nama not in own
    client.force_login(bkd)
    assert client.get(f"/kinerja/rekap/unit/{other_government['opd'].pk}/").status_code == 404
    give_accounts(org.pelaksana, org.kabid)
    for user in (org.pelaksana.user, org.kabid.user):
        client.force_login(user)
        assert client.get(f"/kinerja/rekap/unit/{org.dinkes.pk}/").status_code == 403


def test_the_drill_down_costs_the_same_queries_for_more_employees(
    client, org, periode, bkd, spread, django_assert_max_num_queries
):
    client.force_login(bkd)
    url = f"/kinerja/rekap/unit/{org.bidang.pk}/"
    client.get(url)  # warm the caches (the unit tree, the menu)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    few = len(few)  # read now: the next request clears the connection's query log
    for n in range(8):
        person = PegawaiFactory(instansi=org.instansi, unit=org.bidang, jabatan=org.fungsional.jabatan, nama=f"P {n}")
        appraisal(periode, person, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kabid)
    client.get(url)  # the unit tree changed: its cache is built again once
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_assessor_sees_their_team_and_only_their_team(client, org, periode, spread, other_government):
    give_accounts(org.kabid)
    client.force_login(org.kabid.user)
    page = client.get("/kinerja/grafik/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    steps = by_label(chart_data(page, "team-steps"))
    assert steps == {"SKP diajukan": {"Penilaian": 1}, "Final": {"Penilaian": 1}}  # the kasi, the functional
    assert chart_data(page, "team-distribution")["datasets"][0]["data"] == [0, 1, 0, 0, 0]
    assert "Rahasia Kota Lain" not in page and org.pelaksana.nama not in page


def test_the_employee_sees_their_own_published_predikat_over_the_periods(client, org, periode, spread):
    earlier = periode_create(instansi=org.instansi, tahun=2025)
    appraisal(earlier, org.kabid, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kadis)
    appraisal(earlier, org.pelaksana, StatusSkp.DINILAI, predikat=Predikat.KURANG, penilai=org.kasi)
    assert [(h["tahun"], h["predikat"]) for h in predikat_history(pegawai_id=org.kabid.pk)] == [
        (2025, Predikat.BAIK),
        (2026, Predikat.SANGAT_BAIK),
    ]
    assert predikat_history(pegawai_id=org.pelaksana.pk) == []  # scored but not yet published
    give_accounts(org.kabid)
    client.force_login(org.kabid.user)
    page = client.get("/kinerja/grafik/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    spec = chart_data(page, "history")
    assert spec["labels"] == ["2025", "2026"] and spec["datasets"][0]["data"] == [4, 5]
    table = page[page.index("kinerja-chart-history-figure") :]
    assert '<th scope="row">2025</th><td>Baik' in table


def test_appeals_are_counted_per_month_within_the_scope(org, periode, spread, other_government):
    Keberatan.objects.create(skp=spread["fungsional"], alasan="x")
    Keberatan.objects.create(skp=spread["sekda"], alasan="y")
    Keberatan.objects.filter(skp=spread["sekda"]).update(diajukan=timezone.make_aware(dt.datetime(2027, 1, 20)))
    Keberatan.objects.create(skp=Skp.objects.get(pegawai=other_government["guru"]), alasan="z")
    this_month = timezone.localtime().strftime("%Y-%m")
    found = dict(appeals_per_month(Skp.objects.filter(periode=periode)))
    assert found == {this_month: 1, "2027-01": 1} if this_month != "2027-01" else {this_month: 2}
    assert dict(appeals_per_month(Skp.objects.filter(penilai=org.kabid))) == {this_month: 1}


def test_overdue_tasks_are_counted_per_month_of_their_due_date(org, opened):
    from workflow.models import TenggatTugas
    from workflow.selectors.dashboard import overdue_per_month

    skps = Skp.objects.filter(periode=opened.periode)
    due = TenggatTugas.objects.filter(task__process__skp__in=skps, task__finished__isnull=True)
    assert due.count() >= 2
    first, second = list(due[:2])
    due.update(jatuh_tempo=timezone.now() + dt.timedelta(days=30))  # none is late yet
    TenggatTugas.objects.filter(pk=first.pk).update(jatuh_tempo=timezone.make_aware(dt.datetime(2026, 2, 10)))
    TenggatTugas.objects.filter(pk=second.pk).update(jatuh_tempo=timezone.now() + dt.timedelta(days=30))
    assert dict(overdue_per_month(skps)) == {"2026-02": 1}  # the one not yet due is not counted
    mine = Skp.objects.filter(pk__in=[first.task.process.skp.pk])
    assert dict(overdue_per_month(mine)) == {"2026-02": 1}
    assert overdue_per_month(Skp.objects.filter(pk__in=[second.task.process.skp.pk])) == []


def test_someone_without_an_employee_record_or_admin_role_has_no_charts(client, db):
    user = get_user_model().objects.create_user("tamu", password="x")
    client.force_login(user)
    assert client.get("/kinerja/grafik/").status_code == 403


# The progress per OPD's rows as the template loop wrote them, before a template tag wrote them.
_REKAP_LOOP = (
    "{% for r in rows %}<tr><td><a href=\"{% url 'kinerja:rekap_unit' r.unit.pk %}?periode={{ periode.pk }}\">"
    "{{ r.unit.nama }}</a></td><td>{{ r.total }}</td>\n"
    '      <td><progress max="100" value="{{ r.approved_pct }}"></progress> {{ r.approved }} '
    "({{ r.approved_pct }}%)</td>\n"
    '      <td><progress max="100" value="{{ r.published_pct }}"></progress> {{ r.published }} ({{ r.published_pct }}%)'
    "</td></tr>{% endfor %}"
)


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "pk": st.integers(1, 10**9),
                "nama": st.text(max_size=40),
                "total": st.integers(0, 10**6),
                "approved": st.integers(0, 10**6),
                "published": st.integers(0, 10**6),
                "approved_pct": st.integers(0, 100),
                "published_pct": st.integers(0, 100),
            }
        ),
        max_size=6,
    ),
    periode=st.integers(1, 10**9),
    language=st.sampled_from(["id", "en"]),
)
@settings(max_examples=150, deadline=None)
def test_the_progress_rows_read_as_the_template_loop_wrote_them(rows, periode, language):
    """The progress per OPD's rows are written by a template tag: byte for byte what the template
    loop wrote (names escaped, each OPD's link to its own progress in the period, figures as the
    template writes numbers), in both languages."""
    from types import SimpleNamespace

    from django.template import Context, Template
    from django.utils import translation

    data = [r | {"unit": SimpleNamespace(pk=r["pk"], nama=r["nama"])} for r in rows]
    context = {"rows": data, "periode": SimpleNamespace(pk=periode)}
    with translation.override(language):
        tag = Template("{% load kinerja %}{% rekap_rows rows periode %}").render(Context(context))
        assert tag == Template(_REKAP_LOOP).render(Context(context))


def test_the_over_time_charts_count_each_period_and_each_team_apart(client, org, periode, spread, bkd):
    """The appeals per month are kept between writes per set of appraisals: the progress page of
    one period never shows another's, nor one assessor's chart another team's (nothing is audited
    between the views: the same audit head)."""
    earlier = periode_create(instansi=org.instansi, tahun=2025)
    old = appraisal(earlier, org.kabid, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kadis)
    Keberatan.objects.create(skp=old, alasan="lama")
    Keberatan.objects.filter(skp=old).update(diajukan=timezone.make_aware(dt.datetime(2025, 3, 15)))
    Keberatan.objects.create(skp=spread["fungsional"], alasan="baru")
    this_month = timezone.localtime().strftime("%Y-%m")
    client.force_login(bkd)
    now = chart_data(client.get(f"/kinerja/rekap/?periode={periode.pk}").content.decode(), "over-time")
    then = chart_data(client.get(f"/kinerja/rekap/?periode={earlier.pk}").content.decode(), "over-time")
    assert now["labels"] == [this_month] and then["labels"] == ["2025-03"]
    give_accounts(org.kabid, org.kasi)
    client.force_login(org.kabid.user)
    assert chart_data(client.get("/kinerja/grafik/").content.decode(), "team-over-time")["labels"] == [this_month]
    client.force_login(org.kasi.user)  # their team (the pelaksana) has no appeal and nothing overdue
    assert "kinerja-chart-team-over-time" not in client.get("/kinerja/grafik/").content.decode()
