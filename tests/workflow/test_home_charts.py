"""The home pages draw what each person looks at every day: the employee's predikat over the
periods (home and SKP saya), the assessor's team per step and against the pattern's bounds, the
admin's government as stacked bars per step — with the numbers as a table, and at a cost that does
not grow with the rows."""

from __future__ import annotations

import pytest

from tests.factories import PegawaiFactory
from tests.workflow.test_dashboards import appraisal, by_label, chart_data, make_other_government, make_spread
from workflow.models import CapaianOrganisasi, Predikat, PredikatOrganisasi, StatusPeriode, StatusSkp
from workflow.services.period import periode_create


@pytest.fixture
def spread(org, periode):
    return make_spread(org, periode)


@pytest.fixture
def other_government(db):
    return make_other_government()


@pytest.fixture
def open_period(periode):
    periode.status = StatusPeriode.OPEN
    periode.save()
    return periode


def home(client, user) -> str:
    client.force_login(user)
    return client.get("/kinerja/", HTTP_ACCEPT_LANGUAGE="id").content.decode()


def test_the_employee_sees_their_predikat_over_the_periods_on_home_and_in_my_skp(client, org, periode, spread):
    earlier = periode_create(instansi=org.instansi, tahun=2025)
    appraisal(earlier, org.kabid, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kadis)
    page = home(client, org.kabid.user)
    spec = chart_data(page, "home-history")
    assert spec["labels"] == ["2025", "2026"] and spec["datasets"][0]["data"] == [4, 5]
    assert spec["ticks"]["5"] == "Sangat Baik"
    table = page[page.index("kinerja-chart-home-history-figure") :]
    assert '<th scope="row">2025</th><td>Baik</td>' in table and '<th scope="row">2026</th><td>Sangat Baik' in table
    assert "vendor/chartjs/chart.umd.min.js" in page and "workflow/js/charts.js" in page
    my_skp = client.get("/kinerja/skp-saya/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert chart_data(my_skp, "history")["labels"] == ["2025", "2026"]
    assert "Predikat saya dari periode ke periode" in my_skp


def test_an_employee_without_a_published_result_has_no_chart_and_no_chart_script(client, org, periode, spread):
    page = home(client, org.pelaksana.user)
    assert "kinerja-chart-home-history" not in page and "chart.umd.min.js" not in page
    my_skp = client.get("/kinerja/skp-saya/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Belum ada hasil Anda yang dipublikasikan." in my_skp


def test_the_assessor_home_draws_the_team_per_step_and_against_the_patterns_bounds(
    client, org, periode, spread, rules_pack
):
    CapaianOrganisasi.objects.create(periode=periode, unit=org.bidang, predikat=PredikatOrganisasi.BUTUH_PERBAIKAN)
    page = home(client, org.kabid.user)
    steps = by_label(chart_data(page, "home-team-steps"))
    assert steps == {"SKP diajukan": {"Penilaian": 1}, "Final": {"Penilaian": 1}}  # the kasi, the functional
    spec = chart_data(page, "home-team-distribution")
    assert spec["datasets"][0]["data"] == [0, 1, 0, 0, 0]  # the functional's Baik
    assert "Butuh Perbaikan" in page and "1 dari 2 hasil sudah dinilai" in page and "kinerja-bounds" in page
    assert org.pelaksana.nama not in page  # the kasi's team, not the kabid's


def test_the_admin_home_draws_the_governments_progress_per_opd_as_stacked_bars(
    client, org, open_period, bkd, spread, other_government
):
    page = home(client, bkd)
    spec = chart_data(page, "home-progress")
    assert spec["stacked"] and spec["horizontal"]
    assert by_label(spec) == {
        "Dinas Kesehatan": {"SKP disusun": 1, "SKP diajukan": 1, "Terbit": 1, "Final": 1},
        "Sekretariat Daerah": {"Final": 1},
    }
    assert "Dinas Pendidikan Kota" not in page


def test_an_admin_of_several_governments_sees_one_bar_per_government(
    client, org, open_period, bkd, spread, other_government
):
    other_government["periode"].status = StatusPeriode.OPEN
    other_government["periode"].save()
    bkd.peran_admin.create(instansi=other_government["instansi"])
    page = home(client, bkd)
    rows = by_label(chart_data(page, "home-progress"))
    assert rows == {
        org.instansi.nama: {"SKP disusun": 1, "SKP diajukan": 1, "Terbit": 1, "Final": 2},
        "Pemerintah Kota Bengkulu": {"Final": 1},
    }


def test_the_home_charts_cost_the_same_queries_for_more_rows(
    client, org, open_period, bkd, spread, rules_pack, django_assert_max_num_queries
):
    CapaianOrganisasi.objects.create(periode=open_period, unit=org.bidang, predikat=PredikatOrganisasi.BAIK)

    def count(user) -> int:
        home(client, user)  # warm the caches (the unit tree, the menu, the rules)
        with django_assert_max_num_queries(200) as found:
            client.get("/kinerja/")
        return len(found)

    kabid, admin = count(org.kabid.user), count(bkd)
    for n in range(8):
        person = PegawaiFactory(instansi=org.instansi, unit=org.bidang, jabatan=org.fungsional.jabatan, nama=f"P {n}")
        appraisal(open_period, person, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kabid)
    assert count(org.kabid.user) <= kabid
    assert count(bkd) <= admin


def test_a_charts_table_rows_read_as_the_template_loop_wrote_them():
    """The table under a chart is written in Python: the same rows as the template loop it
    replaced, labels escaped, a missing figure as "—", numbers localized, in both languages."""
    from django.template import Context, Template
    from django.test import override_settings
    from django.utils import translation

    from workflow.views.charts import Chart

    loop = Template(
        '{% for label, figures in chart.rows %}<tr><th scope="row">{{ label }}</th>{% for n in figures %}'
        "<td>{% if n is None %}—{% else %}{{ n }}{% endif %}</td>{% endfor %}</tr>{% endfor %}"
    )
    charts = [
        Chart(
            key="k",
            title="t",
            labels=["Dinas <Kesehatan> & Co", 'Bidang "P2P"'],
            datasets=[{"label": "a", "data": [1234567, 0]}, {"label": "b", "data": [None, 2.5]}],
        ),
        Chart(
            key="c",
            title="t",
            labels=["2025", "2026"],
            datasets=[{"label": "p", "data": [3, 4]}],
            cells=[["Baik"], ["<b>Sangat</b> Baik"]],
        ),
    ]
    for separators in (False, True):
        with override_settings(USE_THOUSAND_SEPARATOR=separators):
            for language in ("id", "en"):
                with translation.override(language):
                    for chart in charts:
                        assert str(chart.rows_html) == loop.render(Context({"chart": chart}))
            with translation.override("id"):
                assert ("1.234.567" in charts[0].rows_html) is separators
    assert "&lt;Kesehatan&gt; &amp; Co" in charts[0].rows_html and "<td>—</td>" in charts[0].rows_html


def test_the_predikat_over_the_periods_follows_a_publication_at_once(client, org, opened_by_bkd, rules_pack):
    """The history is kept between audited writes: a result published (and its appeal decided)
    through the flow shows on the employee's very next page, though a page before had none."""
    from tests.helpers import whole_lifecycle

    assert "kinerja-chart-home-history" not in home(client, org.pelaksana.user)
    whole_lifecycle(org, org.pelaksana, org.kasi)
    spec = chart_data(home(client, org.pelaksana.user), "home-history")
    assert spec["labels"] == ["2026"] and len(spec["datasets"][0]["data"]) == 1


def test_a_unit_heads_home_reads_its_own_and_its_teams_appraisals_together_as_each_list_would(
    client, org, opened, django_assert_num_queries
):
    """A unit head's home reads their own appraisals and their team's in one query, and the open
    tasks of both in one more: the same rows, steps, holders and order as each list read on its
    own — also where an appraisal is in both (a head assessing themselves)."""
    from tests.helpers import rows
    from workflow.models import Skp
    from workflow.selectors.appraisal import team_progress
    from workflow.services import appraisal as svc
    from workflow.views.inbox import home_appraisals, my_appraisals

    staff = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=staff, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())  # now the kasi's step
    periode = opened.periode

    def shown(items, *names):
        return [(i.pk, *(str(getattr(i, n, "")) for n in names)) for i in items]

    def as_apart(team_size: int):
        mine, team, tasks = home_appraisals(org.kasi, periode)
        apart = team_progress(penilai=org.kasi, periode=periode)
        together = team_progress(penilai=org.kasi, periode=periode, skp=team, tasks=tasks)
        assert shown(together["skp"], "step", "holder_name") == shown(apart["skp"], "step", "holder_name")
        assert together["per_step"] == apart["per_step"] and len(together["skp"]) == team_size
        fields = ("step", "holder_name", "mine", "task_url", "due")
        assert shown(my_appraisals(org.kasi, skp=mine, tasks=tasks), *fields) == shown(my_appraisals(org.kasi), *fields)

    with django_assert_num_queries(2):
        home_appraisals(org.kasi, periode)
    as_apart(1)
    Skp.objects.filter(pegawai=org.kasi).update(penilai=org.kasi)  # assessing themselves
    as_apart(2)
    client.force_login(org.kasi.user)
    page = client.get("/kinerja/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Setujui SKP" in page and "Susun SKP" in page  # the team member's step, the kasi's own


def test_the_assessor_home_reads_the_units_organisation_predikat_once_between_writes(
    client, org, periode, spread, rules_pack, bkd
):
    """The team at a glance looks up the organisation predikat of the assessor's unit chain as the
    team page does: read on the first view, kept until the next audited write, and a change (the
    row and its audit event, as ``capaian_set`` makes them) is seen on the next view."""
    import re

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from workflow.models import AuditAction
    from workflow.services.audit import audit_record

    capaian = CapaianOrganisasi.objects.create(
        periode=periode, unit=org.bidang, predikat=PredikatOrganisasi.BUTUH_PERBAIKAN
    )
    client.force_login(org.kabid.user)

    def view():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/kinerja/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
        org_line = re.search(r'<p class="kinerja-pattern-org">.*?</p>', page, re.S).group(0)
        return org_line, [q for q in ctx.captured_queries if 'FROM "workflow_capaianorganisasi"' in q["sql"]]

    page, reads = view()
    assert len(reads) == 1 and "Butuh Perbaikan" in page
    again, reads = view()
    assert reads == [] and "Butuh Perbaikan" in again
    with transaction.atomic():
        capaian.predikat = PredikatOrganisasi.ISTIMEWA
        capaian.save()
        audit_record(action=AuditAction.CAPAIAN_SET, obj=capaian, by=bkd)
    page, reads = view()
    assert len(reads) == 1 and "Istimewa" in page and "Butuh Perbaikan" not in page
