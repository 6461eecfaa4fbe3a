"""Error pages (DEBUG off, as in production): Indonesian 403/404/500 pages in the product's frame
with a way back, and the login error said once and correctly."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.views.defaults import server_error

PASSWORD = "Rahasia-2026!"


@pytest.fixture
def employee(db):
    return get_user_model().objects.create_user("199001012020121001", password=PASSWORD)


@pytest.fixture
def signed_in(client, employee):
    client.force_login(employee)
    return client


def test_404_is_indonesian_in_the_frame_with_a_way_back(signed_in, settings):
    assert settings.DEBUG is False
    response = signed_in.get("/tidak-ada-halaman-ini/", HTTP_REFERER="http://testserver/kinerja/profil/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page
    assert 'href="/" ' in page or 'href="/">' in page  # the home page
    assert 'href="http://testserver/kinerja/profil/"' in page and "Kembali ke halaman sebelumnya" in page
    assert "vf-page__menu" in page  # the product's menu, as on every page


def test_the_back_link_never_leads_off_site(signed_in):
    page = signed_in.get("/tidak-ada/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in page
    assert "Ke halaman utama" in page


def test_403_is_indonesian_with_a_way_back_not_only_sign_in_as_another_user(signed_in):
    response = signed_in.get("/aturan/")  # the rules editor: rule admins only
    assert response.status_code == 403
    page = response.content.decode()
    assert "Akses ditolak" in page and "Anda tidak boleh membuka halaman ini" in page
    assert "Ke halaman utama" in page
    assert "pengguna lain" not in page.lower() and "another user" not in page.lower()


@pytest.mark.urls("tests.project.urls_boom")
def test_500_is_indonesian_with_a_way_back(employee):
    client = Client(raise_request_exception=False)
    client.force_login(employee)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan" in page and "Server tidak dapat menyelesaikan permintaan ini" in page
    assert "Ke halaman utama" in page and "Kembali ke halaman sebelumnya" in page


def test_the_500_page_needs_no_database():
    # No django_db mark: any query here fails the test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan" in page and "Ke halaman utama" in page


def test_a_wrong_password_is_said_once_and_without_a_doubled_word(client, employee):
    response = client.post("/accounts/login/", {"username": employee.username, "password": "salah"})
    page = response.content.decode()
    assert page.count("Masukkan nama pengguna dan sandi yang benar.") == 1
    assert "nama pengguna nama pengguna" not in page
    assert 'class="vf-form__errors"' in page  # styled by workflow/kinerja.css
