"""The REST API (issue 16): tokens, scoping per resource, an action through the API changing the
process as the page does, and junk answered with a JSON 400 in Indonesian, never a 500."""

import datetime as dt
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import InstansiFactory, give_accounts, head, head_unit
from tests.helpers import plan_rows
from workflow.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    JenisInstansi,
    JenisJabatan,
    JenisUnit,
    PeranAdmin,
    Skp,
    StatusKepegawaian,
    StatusSkp,
)
from workflow.services import appraisal as svc
from workflow.services.api_token import api_token_issue, api_token_revoke
from workflow.services.period import periode_create
from workflow.services.period_open import period_open

pytestmark = pytest.mark.django_db


def body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


class OtherGovernment:
    """Pemerintah Kota Bengkulu: a head of the city government and one employee, with a period open."""

    def __init__(self):
        self.instansi = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
        root = head_unit(
            self.instansi,
            "PEMKOT",
            "Pemerintah Kota Bengkulu",
            JenisUnit.PEMERINTAH_DAERAH,
            None,
            "Wali Kota",
            JenisJabatan.KEPALA_DAERAH,
        )
        dinas = head_unit(
            self.instansi,
            "DISDIK",
            "Dinas Pendidikan Kota",
            JenisUnit.OPD,
            root,
            "Kepala Dinas Pendidikan Kota",
            JenisJabatan.JPT_PRATAMA,
        )
        self.walikota = head(root, "Wali Kota Bengkulu", status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA)
        self.kadis = head(dinas, "Kadis Pendidikan Kota")
        give_accounts(self.kadis)


@pytest.fixture
def other_org(org, django_capture_on_commit_callbacks):
    """A second government with its own period and appraisals."""
    other = OtherGovernment()
    periode = periode_create(instansi=other.instansi, tahun=2026)
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    assert Skp.objects.filter(pegawai__instansi=other.instansi).exists()
    return other


@pytest.fixture
def submitted(org, opened):
    """The pelaksana's plan submitted to the kasi (the assessor)."""
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=plan_rows(skp))
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIAJUKAN
    return skp


# --- schema and docs ----------------------------------------------------------------------------


def test_schema_is_openapi_3_and_the_docs_page_runs_no_inline_script(client, org, periode):
    client.force_login(org.pelaksana.user)
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/tasks/{id}/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)  # CSP: script-src 'self', no inline
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    # every asset from the product's static files (the sidecar), none from another site
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets and all(a.startswith("/static/drf_spectacular_sidecar/") or a.startswith("/api/v1/") for a in assets)
    init = client.get("/api/v1/docs/?script=")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
    assert "/api/v1/schema/" in init.content.decode()


def test_schema_and_docs_answer_a_token_a_persons_and_an_integrations(org, periode, token_of, client_for):
    _token, integration = api_token_issue(by=None, instansi=org.instansi, scopes=["read_results"], nama="Payroll")
    for secret in (token_of(org.pelaksana.user, scopes=["read_results"]), integration):
        schema = client_for(secret).get("/api/v1/schema/?format=json")
        assert schema.status_code == 200 and "/api/v1/appraisals/" in schema.json()["paths"]
        assert client_for(secret).get("/api/v1/docs/").status_code == 200


def test_schema_and_docs_are_not_for_anonymous_visitors(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 401 and body(schema)["code"] == "not_authenticated"
    docs = client.get("/api/v1/docs/")  # a browser: to the sign-in page, and back after it
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/v1/docs/"
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer knj_not-a-token")
    assert wrong.get("/api/v1/docs/").status_code == 401


# --- authentication and tokens -------------------------------------------------------------------


def test_without_credentials_the_answer_is_json_401_in_indonesian():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert body(response)["code"] == "not_authenticated"
    assert "token" in body(response)["message"].lower() and "Masuk" in body(response)["message"]


def test_token_is_stored_hashed_shown_once_and_marks_its_use(org, periode, token_of, client_for):
    secret = token_of(org.pelaksana.user)
    token = ApiToken.objects.get()
    assert token.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values())) and secret not in str(list(ApiToken.history.values()))
    assert token.terakhir_dipakai is None
    me = client_for(secret).get("/api/v1/me/")
    assert me.status_code == 200
    assert body(me)["nip"] == org.pelaksana.nip and body(me)["token"]["prefix"] == token.prefix
    token.refresh_from_db()
    assert token.terakhir_dipakai is not None
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_ISSUED, object_id=str(token.pk)).exists()


def test_a_wrong_secret_with_a_real_prefix_is_refused(org, periode, token_of, client_for):
    secret = token_of(org.pelaksana.user)
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    response = client_for(forged).get("/api/v1/me/")
    assert response.status_code == 401 and body(response)["code"] == "token_invalid"
    assert client_for("rubbish").get("/api/v1/me/").status_code == 401


def test_expired_and_revoked_tokens_are_refused(org, periode, token_of, client_for):
    expired = token_of(org.pelaksana.user, days=1)
    with __import__("time_machine").travel(timezone.now() + dt.timedelta(days=2)):
        response = client_for(expired).get("/api/v1/me/")
    assert response.status_code == 401 and body(response)["code"] == "token_expired"
    assert "kedaluwarsa" in body(response)["message"]

    revoked = token_of(org.kasi.user)
    token = ApiToken.objects.get(user=org.kasi.user)
    api_token_revoke(token=token, by=None)
    response = client_for(revoked).get("/api/v1/me/")
    assert response.status_code == 401 and body(response)["code"] == "token_revoked"
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED, object_id=str(token.pk)).exists()
    assert token.history.count() == 2  # issued, revoked


def test_scopes_are_enforced(org, opened, token_of, client_for):
    reader = client_for(token_of(org.pelaksana.user, scopes=["read_results"]))
    response = reader.get("/api/v1/tasks/")
    assert response.status_code == 403 and body(response)["code"] == "scope_missing"
    assert reader.get("/api/v1/appraisals/").status_code == 200


def test_an_integration_reads_its_government_only_and_never_acts(org, opened, other_org, client_for):
    with pytest.raises(Exception, match="tugas|tasks"):
        api_token_issue(by=None, instansi=org.instansi, scopes=["act_tasks"], nama="Aplikasi")
    _token, secret = api_token_issue(
        by=None, instansi=org.instansi, scopes=["read_results", "read_progress"], nama="Payroll"
    )
    payroll = client_for(secret)
    listed = body(payroll.get("/api/v1/appraisals/?page_size=200"))
    ids = {row["id"] for row in listed["results"]}
    assert ids == set(Skp.objects.filter(pegawai__instansi=org.instansi).values_list("pk", flat=True))
    foreign = Skp.objects.filter(pegawai__instansi=other_org.instansi).first()
    assert payroll.get(f"/api/v1/appraisals/{foreign.pk}/").status_code == 404
    response = payroll.get("/api/v1/tasks/")
    assert response.status_code == 403 and body(response)["code"] == "token_integrasi"
    assert payroll.get("/api/v1/progress/?tahun=2026").status_code == 200
    assert payroll.get("/api/v1/tpp/?tahun=2026&bulan=1").status_code == 200


def test_an_admin_issues_tokens_only_for_their_own_government(org, periode, bkd, other_org):
    with pytest.raises(Exception) as refused:
        api_token_issue(by=bkd, instansi=other_org.instansi, scopes=["read_results"], nama="Payroll")
    assert "PermissionDenied" in type(refused.value).__name__
    token, _secret = api_token_issue(by=bkd, instansi=org.instansi, scopes=["read_results"], nama="Payroll")
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_ISSUED, object_id=str(token.pk))
    assert event.actor == bkd and event.instansi_id == org.instansi.pk


def test_the_command_creates_lists_and_revokes(org, periode, capsys):
    from django.core.management import call_command

    call_command("api_token", "create", "--instansi", org.instansi.kode, "--scope", "read_results", "--name", "SIASN")
    prefix, secret = capsys.readouterr().out.split("\n")[0].split("\t")[0], None
    token = ApiToken.objects.get(prefix=prefix)
    assert token.is_integration and token.nama == "SIASN"
    call_command("api_token", "list")
    assert "SIASN" in capsys.readouterr().out and secret is None
    call_command("api_token", "revoke", prefix)
    token.refresh_from_db()
    assert token.dicabut is not None


# --- permissions per resource --------------------------------------------------------------------


def test_appraisals_are_scoped_like_the_pages(org, opened, other_org, token_of, client_for):
    employee = client_for(token_of(org.pelaksana.user))
    mine = Skp.objects.get(pegawai=org.pelaksana)
    colleague = Skp.objects.get(pegawai=org.fungsional)
    foreign = Skp.objects.filter(pegawai__instansi=other_org.instansi).first()
    assert [r["id"] for r in body(employee.get("/api/v1/appraisals/"))["results"]] == [mine.pk]
    assert employee.get(f"/api/v1/appraisals/{mine.pk}/").status_code == 200
    assert employee.get(f"/api/v1/appraisals/{colleague.pk}/").status_code == 404
    assert employee.get(f"/api/v1/appraisals/{foreign.pk}/").status_code == 404
    assessor = client_for(token_of(org.kasi.user))
    seen = {r["id"] for r in body(assessor.get("/api/v1/appraisals/"))["results"]}
    assert mine.pk in seen and foreign.pk not in seen and colleague.pk not in seen


def test_government_wide_reads_are_for_their_admins(org, opened, bkd, other_org, token_of, client_for):
    employee = client_for(token_of(org.pelaksana.user))
    for url in ("/api/v1/progress/?tahun=2026", "/api/v1/tpp/?tahun=2026&bulan=1", "/api/v1/audit-events/"):
        response = employee.get(url)
        assert response.status_code == 403, url
        assert body(response)["code"] == "forbidden"
    admin = client_for(token_of(bkd))
    progress = body(admin.get("/api/v1/progress/?tahun=2026"))
    assert {row["opd"]["nama"] for row in progress["results"]} >= {"Dinas Kesehatan"}
    assert admin.get(f"/api/v1/progress/?tahun=2026&instansi={other_org.instansi.pk}").status_code == 404
    events = body(admin.get("/api/v1/audit-events/?page_size=200"))["results"]
    assert events and all(AuditEvent.objects.get(seq=e["seq"]).instansi_id == org.instansi.pk for e in events)


def test_results_filter_by_period_opd_and_predikat(org, opened, bkd, token_of, client_for):
    admin = client_for(token_of(bkd))
    response = admin.get(f"/api/v1/appraisals/?tahun=2026&opd={org.dinkes.pk}&status=draft")
    names = {r["pegawai"]["nama"] for r in body(response)["results"]}
    assert org.pelaksana.nama in names and org.sekda.nama not in names
    assert body(admin.get("/api/v1/results/?predikat=baik"))["count"] == 0
    bad = admin.get("/api/v1/appraisals/?predikat=luar_biasa&periode=abc")
    assert bad.status_code == 400
    assert set(body(bad)["fields"]) == {"predikat", "periode"} and body(bad)["code"] == "invalid"


def test_list_queries_do_not_grow_with_the_page(org, opened, bkd, token_of, client_for, django_assert_max_num_queries):
    admin = client_for(token_of(bkd))
    admin.get("/api/v1/appraisals/?page_size=1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        admin.get("/api/v1/appraisals/?page_size=1")
    with CaptureQueriesContext(connection) as many:
        assert body(admin.get("/api/v1/appraisals/?page_size=200"))["count"] > 3
    assert len(many) == len(one)


def test_appraisal_pages_keep_the_lists_order(org, opened, bkd, token_of, client_for):
    """Year (newest first), unit, employee's name: page after page, each appraisal once."""
    admin = client_for(token_of(bkd))
    pages = [body(admin.get(f"/api/v1/appraisals/?page_size=2&page={n}")) for n in (1, 2, 3)]
    ids = [row["id"] for page in pages for row in page["results"]]
    expected = Skp.objects.filter(pegawai__instansi=org.instansi).order_by(
        "-periode__tahun", "unit_nama", "pegawai__nama", "pk"
    )
    assert len(ids) == 6 and ids == list(expected.values_list("pk", flat=True)[:6])


def test_rules_are_listed_and_evaluated_with_a_trace(org, periode, rules_pack, token_of, client_for):
    api = client_for(token_of(org.pelaksana.user, scopes=["read_results"]))
    keys = {r["key"] for r in body(api.get("/api/v1/rules/"))["results"]}
    assert "penilaian-kinerja" in keys
    decided = api.post(
        "/api/v1/rules/penilaian-kinerja/evaluate/",
        {"table": "predikat_kinerja", "inputs": {"hasil_kerja": "di_atas", "perilaku": "sesuai"}},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert body(decided)["outputs"] == {"predikat": "baik"} and body(decided)["trace"]
    junk = api.post(
        "/api/v1/rules/penilaian-kinerja/evaluate/",
        {"table": "predikat_kinerja", "inputs": {"hasil_kerja": "luar biasa"}},
        format="json",
    )
    assert junk.status_code == 400 and body(junk)["message"]
    version = body(api.get("/api/v1/rules/penilaian-kinerja/versions/1/"))
    assert any(t["name"] == "predikat_kinerja" for t in version["tables"])


# --- acting on tasks -----------------------------------------------------------------------------


def test_the_assessor_approves_a_plan_through_the_api_like_the_page(org, submitted, token_of, client_for):
    assessor = client_for(token_of(org.kasi.user))
    tasks = body(assessor.get("/api/v1/tasks/"))["results"]
    task = next(t for t in tasks if t["step"] == "approve_plan")
    assert task["appraisal"] == submitted.pk and task["flow"] == "appraisal" and task["due"]
    detail = body(assessor.get(f"/api/v1/tasks/{task['id']}/"))
    assert detail["actionable"] and "keputusan" in {f["name"] for f in detail["fields"]}

    # the employee can neither see nor do the assessor's step
    employee = client_for(token_of(org.pelaksana.user))
    assert employee.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "setujui"}, format="json").status_code == 404

    done = assessor.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "setujui", "catatan": ""}, format="json")
    assert done.status_code == 200, done.content
    assert body(done)["message"] == "Keputusan Anda atas SKP telah dicatat."
    submitted.refresh_from_db()
    assert submitted.status == StatusSkp.DISETUJUI
    event = AuditEvent.objects.get(action=AuditAction.PLAN_APPROVED, object_id=str(submitted.pk))
    assert event.actor == org.kasi.user
    again = assessor.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "setujui"}, format="json")
    assert again.status_code == 404


def test_returning_a_plan_without_a_note_is_refused_with_the_pages_message(org, submitted, token_of, client_for):
    assessor = client_for(token_of(org.kasi.user))
    task = next(t for t in body(assessor.get("/api/v1/tasks/"))["results"] if t["step"] == "approve_plan")
    bad = assessor.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "kembalikan"}, format="json")
    assert bad.status_code == 400
    assert body(bad)["code"] and body(bad)["message"]
    submitted.refresh_from_db()
    assert submitted.status == StatusSkp.DIAJUKAN
    junk = assessor.post(f"/api/v1/tasks/{task['id']}/", {"keputusan": "entah"}, format="json")
    assert junk.status_code == 400 and "keputusan" in body(junk)["fields"]
    assert body(junk)["message"] == "Perbaiki isian yang ditandai."
    not_json = assessor.post(f"/api/v1/tasks/{task['id']}/", "{oops", content_type="application/json")
    assert not_json.status_code == 400 and body(not_json)["code"] == "parse_error"


values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3)
)
junk_bodies = st.one_of(
    st.dictionaries(st.sampled_from(["keputusan", "catatan", "ekspektasi_akuntabel", "x"]), values, max_size=4),
    st.dictionaries(st.text(max_size=10), st.one_of(values, st.dictionaries(st.text(max_size=3), values)), max_size=3),
    st.lists(st.integers(), max_size=3),
    st.text(max_size=10),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=junk_bodies)
def test_junk_on_a_task_is_a_json_answer_never_a_500(org, submitted, token_of, client_for, payload):
    if not hasattr(org, "_api_client"):
        org._api_client = client_for(token_of(org.kasi.user))
    task = Skp.objects.get(pk=submitted.pk).process.task_set.order_by("-pk").first()
    response = org._api_client.post(f"/api/v1/tasks/{task.pk}/", payload, format="json")
    assert response.status_code in (200, 400, 404, 409), response.content
    data = body(response)
    assert data["code"] and data["message"]


def test_throttling_counts_per_token(org, periode, token_of, client_for, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    cache.clear()
    original = dict(api_settings.DEFAULT_THROTTLE_RATES)
    from workflow.api.throttling import TokenOrUserThrottle

    TokenOrUserThrottle.THROTTLE_RATES = {"api": "3/min"}
    try:
        first = client_for(token_of(org.pelaksana.user))
        second = client_for(token_of(org.kasi.user))
        statuses = [first.get("/api/v1/me/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert body(first.get("/api/v1/me/"))["code"] == "throttled"
        assert second.get("/api/v1/me/").status_code == 200
    finally:
        TokenOrUserThrottle.THROTTLE_RATES = original
        cache.clear()


def test_the_session_works_for_the_products_own_pages(org, periode, client):
    user = get_user_model().objects.get(pk=org.pelaksana.user_id)
    client.force_login(user)
    assert client.get("/api/v1/me/").json()["nip"] == org.pelaksana.nip
    unused = PeranAdmin  # noqa: F841


def test_the_bkd_admin_revokes_tokens_of_their_government_in_the_admin(org, periode, bkd, other_org, client):
    ours, _secret = api_token_issue(by=None, instansi=org.instansi, scopes=["read_results"], nama="Payroll")
    theirs, _secret = api_token_issue(by=None, instansi=other_org.instansi, scopes=["read_results"], nama="Payroll")
    client.force_login(bkd)
    listing = client.get("/admin/workflow/apitoken/")
    assert listing.status_code == 200
    assert ours.prefix in listing.content.decode() and theirs.prefix not in listing.content.decode()
    assert client.get(f"/admin/workflow/apitoken/{theirs.pk}/change/").status_code == 404
    client.post(
        "/admin/workflow/apitoken/",
        {"action": "revoke", "_selected_action": [ours.pk, theirs.pk]},
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.dicabut is not None and theirs.dicabut is None
    assert AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED).actor == bkd


def test_my_tasks_queries_do_not_grow_with_the_tasks(org, opened, token_of, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assessor = client_for(token_of(org.kabid.user))
    assessor.get("/api/v1/me/")  # the token's first use is noted (once a minute): not a per-row cost
    counts = []
    for person in (org.kasi, org.fungsional):
        skp = Skp.objects.get(pegawai=person)
        svc.plan_submit(skp=skp, by=person.user, pendekatan="kuantitatif", rows=plan_rows(skp))
        with CaptureQueriesContext(connection) as queries:
            rows = body(assessor.get("/api/v1/tasks/"))["results"]
        counts.append((len([r for r in rows if r["step"] == "approve_plan"]), len(queries)))
    assert [n for n, _q in counts] == [1, 2]
    assert counts[0][1] == counts[1][1]
