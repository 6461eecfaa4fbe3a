"""Single sign-on through OpenID Connect (issue 16, item 3), against a real provider.

The provider is django-oauth-toolkit's OpenID Connect server (tests/oidc_provider), run as its own
process with its own database and signing key. The product runs in pytest-django's live server,
configured by the same KINERJA_OIDC_* variables a deployment sets (the issuer: the endpoints come
from the provider's discovery document). A requests session is the browser: it signs in at the
provider, then follows the real authorization-code flow (state, nonce, PKCE) through both servers;
the product exchanges the code and reads the keys and claims over HTTP."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from project.oidc import authentication_backends, oidc_settings
from tests.factories import Org, PegawaiFactory, give_accounts, ni_pppk_for, nip_for
from tests.oidc_provider.fixtures import CLIENT_ID, CLIENT_SECRET, configure
from workflow.models import AuditAction, AuditEvent, StatusKepegawaian
from workflow.sso import nomor_induk_from_claim

PASSWORD = "Rahasia-2026!"
SSO_BUTTON = "Masuk dengan SSO"


@pytest.fixture
def org(transactional_db):
    return Org()


def browser() -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "id"
    return session


def sign_in_at_provider(session, provider, sub, **claims):
    response = session.get(f"{provider}/signin/", params={"sub": sub, "claims": json.dumps(claims)})
    assert response.ok


def sso_sign_in(session, live_server, provider, sub="pegawai", **claims) -> requests.Response:
    """The person signs in at the provider, then presses "Masuk dengan SSO"."""
    sign_in_at_provider(session, provider, sub, **claims)
    return session.get(f"{live_server.url}/oidc/authenticate/", timeout=30)


def signed_in_as(session, live_server):
    """The product's name for the session's user on the profile page, or None when signed out."""
    response = session.get(f"{live_server.url}/", timeout=30)
    return None if urlsplit(response.url).path == "/accounts/login/" else response


def refusals():
    return list(AuditEvent.objects.filter(action=AuditAction.LOGIN_SSO_REFUSED).order_by("seq"))


def test_employee_with_known_nip_signs_in_through_sso(sso, org, live_server):
    give_accounts(org.pelaksana)
    session = browser()
    login_page = session.get(f"{live_server.url}/accounts/login/").text
    assert SSO_BUTTON in login_page
    assert 'name="password"' in login_page  # the local form stays beside the button

    response = sso_sign_in(session, live_server, sso, nip=org.pelaksana.nip)

    assert urlsplit(response.url).path != "/accounts/login/", response.text
    page = signed_in_as(session, live_server)
    assert page is not None and org.pelaksana.nama in page.text
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_SSO)
    assert event.actor_id == org.pelaksana.user_id
    assert event.instansi_id == org.instansi.pk


def test_spaces_in_the_claim_and_the_next_page_are_kept(sso, org, live_server):
    give_accounts(org.kasi)
    nip = org.kasi.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    session = browser()
    sign_in_at_provider(session, sso, "kasi", nip=spaced)
    response = session.get(f"{live_server.url}/oidc/authenticate/", params={"next": "/appraisal/"})
    # The callback sends the person on to the page they asked for.
    callback = next(r for r in response.history if urlsplit(r.url).path == "/oidc/callback/")
    assert callback.headers["Location"] == "/appraisal/"
    assert signed_in_as(session, live_server) is not None


def test_endpoints_set_one_by_one_and_the_claim_from_the_id_token(provider, settings, org, live_server):
    """A provider without discovery and without a userinfo endpoint: the claim comes from the ID token."""
    configure(
        settings,
        {
            "KINERJA_OIDC_CLIENT_ID": CLIENT_ID,
            "KINERJA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "KINERJA_OIDC_AUTHORIZATION_ENDPOINT": f"{provider}/o/authorize/",
            "KINERJA_OIDC_TOKEN_ENDPOINT": f"{provider}/o/token/",
            "KINERJA_OIDC_JWKS_ENDPOINT": f"{provider}/o/.well-known/jwks.json",
        },
    )
    give_accounts(org.kabid)
    session = browser()
    sso_sign_in(session, live_server, provider, sub="kabid", nip=org.kabid.nip)
    page = signed_in_as(session, live_server)
    assert page is not None and org.kabid.nama in page.text


def test_pppk_signs_in_with_ni_pppk(sso, org, live_server):
    pppk = PegawaiFactory(
        instansi=org.instansi,
        unit=org.seksi,
        jabatan=org.pelaksana.jabatan,
        status_kepegawaian=StatusKepegawaian.PPPK,
        nip=ni_pppk_for(901),
        nama="Rani Oktaviani, A.Md.",
    )
    give_accounts(pppk)
    session = browser()
    sso_sign_in(session, live_server, sso, sub="pppk", nip=pppk.nip)
    page = signed_in_as(session, live_server)
    assert page is not None and pppk.nama in page.text


def test_unknown_nip_is_refused_and_no_account_is_created(sso, org, live_server, settings):
    give_accounts(org.pelaksana)
    users_before = get_user_model().objects.count()
    unknown = nip_for(9999)
    session = browser()
    # More refusals than the lockout limit: an SSO refusal is no password guess, locks nobody out.
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sso_sign_in(session, live_server, sso, sub="orang-asing", nip=unknown)
        assert urlsplit(response.url).path == "/accounts/login/"
        assert f"Tidak ada pegawai dengan NIP / NI PPPK {unknown}" in response.text
        assert SSO_BUTTON in response.text
    assert signed_in_as(session, live_server) is None
    assert get_user_model().objects.count() == users_before
    assert refusals()[-1].after["reason"] == "unknown"

    # From the same address, a known employee still gets in.
    colleague = browser()
    sso_sign_in(colleague, live_server, sso, nip=org.pelaksana.nip)
    assert signed_in_as(colleague, live_server) is not None


def test_missing_claim_is_refused(sso, org, live_server):
    give_accounts(org.pelaksana)
    session = browser()
    response = sso_sign_in(session, live_server, sso, sub="tanpa-nip")
    assert "tidak mengirimkan NIP atau NI PPPK" in response.text
    assert signed_in_as(session, live_server) is None
    assert refusals()[-1].after["reason"] == "missing_claim"


def test_employee_without_account_or_inactive_is_refused(sso, org, live_server):
    give_accounts(org.kabid)
    org.kabid.aktif = False
    org.kabid.save()
    session = browser()
    response = sso_sign_in(session, live_server, sso, sub="kabid", nip=org.kabid.nip)
    assert "tidak aktif" in response.text
    assert signed_in_as(session, live_server) is None

    # org.kadis has no user account: refused, and none is created for them.
    response = sso_sign_in(browser(), live_server, sso, sub="kadis", nip=org.kadis.nip)
    assert "belum mempunyai akun" in response.text
    org.kadis.refresh_from_db()
    assert org.kadis.user_id is None
    assert [e.after["reason"] for e in refusals()] == ["inactive", "no_account"]
    assert refusals()[0].instansi_id == org.instansi.pk


def test_tampered_state_is_refused(sso, org, live_server):
    give_accounts(org.pelaksana)
    session = browser()
    sign_in_at_provider(session, sso, "pegawai", nip=org.pelaksana.nip)
    # Follow the flow up to the provider's answer, then change the state before the product sees it.
    to_provider = session.get(f"{live_server.url}/oidc/authenticate/", allow_redirects=False)
    answer = session.get(to_provider.headers["Location"], allow_redirects=False)
    callback = urlsplit(answer.headers["Location"])
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    assert query.keys() >= {"code", "state"}
    state = query["state"]  # its first character changed (a state that began with "x" was left intact once)
    query["state"] = ("y" if state[0] == "x" else "x") + state[1:]
    response = session.get(urlunsplit(callback._replace(query=urlencode(query))))
    assert urlsplit(response.url).path == "/accounts/login/"
    assert "Masuk melalui SSO gagal" in response.text
    assert signed_in_as(session, live_server) is None


def test_password_login_still_works_with_sso_on(sso, org, live_server):
    give_accounts(org.pelaksana, password=PASSWORD)
    session = browser()
    session.get(f"{live_server.url}/accounts/login/")
    response = session.post(
        f"{live_server.url}/accounts/login/",
        data={
            "username": org.pelaksana.nip,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
    )
    assert urlsplit(response.url).path != "/accounts/login/"
    page = signed_in_as(session, live_server)
    assert page is not None and org.pelaksana.nama in page.text
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_SSO).exists()


def test_logout_ends_the_session_here_and_at_the_provider(sso, org, live_server):
    give_accounts(org.pelaksana)
    session = browser()
    sso_sign_in(session, live_server, sso, nip=org.pelaksana.nip)
    assert signed_in_as(session, live_server) is not None

    response = session.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{live_server.url}/"},
    )
    # Through the provider's end-session endpoint and back to the login page.
    assert any(urlsplit(r.url).path == "/o/logout/" for r in response.history)
    assert urlsplit(response.url).path == "/accounts/login/"
    assert signed_in_as(session, live_server) is None
    # Signed out at the provider too: SSO asks the person to sign in there again.
    again = session.get(f"{live_server.url}/oidc/authenticate/")
    assert again.text == "provider sign-in page"


def test_without_sso_the_product_is_unchanged(client, db, settings):
    page = client.get("/accounts/login/").content.decode()
    assert SSO_BUTTON not in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "workflow.sso.NipOIDCBackend" not in settings.AUTHENTICATION_BACKENDS


def test_settings_from_the_environment():
    assert oidc_settings({}) == {"KINERJA_OIDC_ENABLED": False}
    configured = oidc_settings(
        {
            "KINERJA_OIDC_CLIENT_ID": "kinerja",
            "KINERJA_OIDC_CLIENT_SECRET": "s",
            "KINERJA_OIDC_TOKEN_ENDPOINT": "https://sso.example.go.id/token",
            "KINERJA_OIDC_NIP_CLAIM": "nip_asn",
            "KINERJA_OIDC_SCOPES": "openid profile nip",
        }
    )
    assert configured["KINERJA_OIDC_ENABLED"] is True
    assert configured["OIDC_OP_TOKEN_ENDPOINT"] == "https://sso.example.go.id/token"
    assert configured["KINERJA_OIDC_NIP_CLAIM"] == "nip_asn"
    assert configured["OIDC_RP_SCOPES"] == "openid profile nip"
    assert configured["OIDC_CREATE_USER"] is False
    assert configured["KINERJA_OIDC_DISCOVERY_URL"] == ""
    # Logout continues at the provider: the form-action of the Content-Security-Policy allows it.
    assert configured["KINERJA_OIDC_FORM_ACTION_ORIGINS"] == []
    with_issuer = oidc_settings(
        {"KINERJA_OIDC_CLIENT_ID": "k", "KINERJA_OIDC_ISSUER": "https://sso.example.go.id/realms/asn/"}
    )
    assert with_issuer["KINERJA_OIDC_DISCOVERY_URL"] == (
        "https://sso.example.go.id/realms/asn/.well-known/openid-configuration"
    )
    assert with_issuer["KINERJA_OIDC_FORM_ACTION_ORIGINS"] == ["https://sso.example.go.id"]
    assert authentication_backends(["a"], False) == ["a"]


def test_provider_down_or_a_stray_callback_lands_on_the_login_page_with_a_message(client, db, settings):
    """No 500 when the provider cannot be reached or a callback comes without a sign-in started here."""
    configure(settings, {"KINERJA_OIDC_CLIENT_ID": CLIENT_ID, "KINERJA_OIDC_ISSUER": "http://127.0.0.1:9/o"})

    response = client.get("/oidc/authenticate/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Penyedia SSO tidak dapat dihubungi" in response.content.decode()

    response = client.get("/oidc/callback/?code=abc&state=xyz", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "Masuk melalui SSO gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("198503152010012003", "198503152010012003"),
        (" 19850315 201001 2 003 ", "198503152010012003"),
        (198503152010012003, "198503152010012003"),
        (None, ""),
        ({"nip": "198503152010012003"}, ""),
        (["198503152010012003"], ""),
        (True, ""),
    ],
)
def test_the_claim_value_is_read_as_a_number_or_refused(value, expected):
    assert nomor_induk_from_claim(value) == expected
