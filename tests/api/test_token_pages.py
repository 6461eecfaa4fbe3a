"""The BKD admin issues and revokes API tokens in the product (issue 16): their government's
tokens only, the secret shown once, bad input answered with the form's errors and nothing created."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.models import ApiToken, AuditAction, AuditEvent
from workflow.services.api_token import api_token_issue, hash_secret

from .test_api import other_org  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "/kinerja/token-api/"


def issue(client, org, **data):
    return client.post(URL, {"instansi": org.instansi.pk, "hari": 30, **data})


def test_the_admin_issues_a_persons_token_and_sees_its_secret_once(org, periode, bkd, client):
    client.force_login(bkd)
    page = client.get(URL)
    assert page.status_code == 200 and "Token API" in page.content.decode()
    assert 'href="/kinerja/token-api/"' in client.get("/kinerja/").content.decode()

    done = issue(client, org, pengguna=org.kasi.nip, scopes=["act_tasks", "read_results"])
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    secret = re.search(r"data-token-secret>([^<]+)<", done.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.user == org.kasi.user and token.hash == hash_secret(secret) and token.dibuat_oleh == bkd
    assert sorted(token.scopes) == ["act_tasks", "read_results"]
    assert AuditEvent.objects.get(action=AuditAction.API_TOKEN_ISSUED).actor == bkd
    # the secret works on the API, and is never shown again
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.json()["nip"] == org.kasi.nip
    listing = client.get(URL).content.decode()
    assert token.prefix in listing and secret not in listing


def test_an_integration_token_and_bad_input_get_indonesian_errors(org, periode, bkd, client):
    client.force_login(bkd)
    refused = issue(client, org, nama="Payroll", scopes=["act_tasks"])
    assert "Hanya token milik seseorang yang dapat mengerjakan tugas." in refused.content.decode()
    unknown = issue(client, org, pengguna="nobody.here", scopes=["read_results"])
    assert "Tidak ada pengguna" in unknown.content.decode()
    no_name = issue(client, org, scopes=["read_results"])
    assert "Token integrasi memerlukan nama." in no_name.content.decode()
    too_long = issue(client, org, nama="Payroll", scopes=["read_results"], hari=9999)
    assert too_long.status_code == 200 and "3660" in too_long.content.decode()
    assert not ApiToken.objects.exists()

    assert issue(client, org, nama="Payroll", scopes=["read_results", "read_progress"]).status_code == 200
    token = ApiToken.objects.get()
    assert token.user is None and token.nama == "Payroll" and token.instansi == org.instansi
    again = issue(client, org, nama="Payroll", scopes=["read_results"])
    assert "cabut" in again.content.decode().lower() and ApiToken.objects.count() == 1


def test_revoking_asks_first_and_another_governments_token_is_not_found(
    org,
    periode,
    bkd,
    other_org,  # noqa: F811 - the imported fixture
    client,
):
    ours, _secret = api_token_issue(by=None, instansi=org.instansi, scopes=["read_results"], nama="Payroll")
    theirs, _secret = api_token_issue(by=None, instansi=other_org.instansi, scopes=["read_results"], nama="SIASN")
    client.force_login(bkd)
    listing = client.get(URL).content.decode()
    assert ours.prefix in listing and theirs.prefix not in listing
    assert client.get(f"{URL}{theirs.pk}/cabut/").status_code == 404
    assert client.post(f"{URL}{theirs.pk}/cabut/").status_code == 404
    confirm = client.get(f"{URL}{ours.pk}/cabut/")
    assert confirm.status_code == 200 and ours.prefix in confirm.content.decode()
    ours.refresh_from_db()
    assert ours.dicabut is None  # the GET only asks
    assert client.post(f"{URL}{ours.pk}/cabut/").status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.dicabut is not None and theirs.dicabut is None
    assert AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED).actor == bkd
    # the admin cannot issue for another government either
    assert issue(client, other_org, nama="X", scopes=["read_results"]).status_code == 200
    assert ApiToken.objects.filter(instansi=other_org.instansi).count() == 1


def test_only_admins_reach_the_page(org, periode, client):
    client.force_login(org.kasi.user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"nama": "x", "scopes": ["read_results"]}).status_code == 403
    assert 'href="/kinerja/token-api/"' not in client.get("/kinerja/").content.decode()


def test_the_list_pages_and_its_queries_do_not_grow_with_the_rows(org, periode, bkd, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bkd)
    people = [org.kasi, org.pelaksana, org.fungsional, org.kabid]
    counts = []
    for n in range(30):
        person = people[n % len(people)] if n % 2 else None
        api_token_issue(
            by=bkd,
            instansi=org.instansi,
            scopes=["read_results"],
            nama="" if person else f"Integrasi {n}",
            user=person.user if person else None,
        )
        if n in (1, 9):
            client.get(URL)  # warm the per-session caches
            with CaptureQueriesContext(connection) as queries:
                client.get(URL)
            counts.append(len(queries))
    assert counts[0] == counts[1]
    first = client.get(URL).content.decode()
    assert first.count("/cabut/") == 25 and "page=2" in first
    assert client.get(URL + "?page=2").content.decode().count("/cabut/") == 5
    assert client.get(URL + "?page=junk").status_code == 200


junk = st.one_of(st.text(max_size=300), st.integers(-(10**20), 10**20).map(str), st.just(""))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    instansi=junk,
    pengguna=junk,
    nama=junk,
    scopes=st.lists(st.one_of(junk, st.sampled_from(["read_results", "act_tasks"])), max_size=3),
    hari=junk,
)
def test_junk_on_the_form_is_never_a_500_and_creates_nothing(
    org, periode, bkd, client, instansi, pengguna, nama, scopes, hari
):
    client.force_login(bkd)
    data = {"instansi": instansi, "pengguna": pengguna, "nama": nama, "scopes": scopes, "hari": hari}
    before = ApiToken.objects.count()
    response = client.post(URL, data)
    assert response.status_code in (200, 400)  # 400: the site's page for a NUL character
    if "data-token-secret" not in response.content.decode():
        assert ApiToken.objects.count() == before
