"""The site skeleton as a user meets it: login, the Indonesian inbox, profile, team, admin scoping."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import InstansiFactory, PegawaiFactory
from workflow.models import JenisInstansi, PeranAdmin
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
PASSWORD = "Rahasia-2026!"


def login(client, pegawai):
    user = get_user_model().objects.create_user(pegawai.nip or "gubernur", password=PASSWORD)
    pegawai.user = user
    pegawai.save()
    # Through the login page: the axes backend needs the request (client.login gives it none).
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return user


PAGES = ["/", "/appraisal/inbox/", "/kinerja/profil/", "/kinerja/tim/", "/admin/workflow/pegawai/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_login_page_is_indonesian(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="id"' in body


def test_a_wrong_password_is_refused_politely(client, org):
    get_user_model().objects.create_user("pegawai1", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "pegawai1", "password": "salah"})
    assert response.status_code == 200
    assert "nama pengguna dan sandi yang benar" in response.content.decode()


def test_the_home_greets_the_employee_in_indonesian(client, org):
    login(client, org.pelaksana)
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kotak masuk" in body and "SKP saya" in body
    assert "Anda memegang 0 tugas terbuka." in body and "Tidak ada tugas di sini." in body
    assert f"Selamat datang, {org.pelaksana.nama}" in body
    inbox = client.get("/appraisal/inbox/").content.decode()  # the flow's own inbox still answers
    assert "Kotak Masuk" in inbox and "Tidak ada tugas yang terbuka" in inbox


def test_english_can_be_chosen(client, org):
    login(client, org.pelaksana)
    client.post("/i18n/setlang/", {"language": "en", "next": "/appraisal/inbox/"})
    body = client.get("/appraisal/inbox/").content.decode()
    assert "You have no open tasks." in body


def test_profile_shows_the_resolved_assessor_and_superior(client, org):
    login(client, org.pelaksana)
    body = client.get("/kinerja/profil/").content.decode()
    assert "Pejabat Penilai Kinerja" in body
    assert org.kasi.nama in body and org.kabid.nama in body


def test_team_page_lists_the_people_an_assessor_rates(client, org):
    login(client, org.kasi)
    body = client.get("/kinerja/tim/").content.decode()
    assert org.pelaksana.nama in body
    assert org.kadis.nama not in body


def test_team_page_is_empty_for_someone_who_rates_nobody(client, org):
    login(client, org.pelaksana)
    body = client.get("/kinerja/tim/").content.decode()
    assert "Anda tidak menilai siapa pun" in body


@pytest.fixture
def two_governments(org):
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    warga_kota = PegawaiFactory(instansi=kota, nama="Rudi Lubis, S.E.")
    admin = get_user_model().objects.create_user("admin.bkd", password=PASSWORD, is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    return admin, warga_kota


def test_an_admin_sees_only_their_own_government(client, org, two_governments):
    admin, warga_kota = two_governments
    client.force_login(admin)
    body = client.get("/admin/workflow/pegawai/").content.decode()
    assert org.pelaksana.nama in body
    assert warga_kota.nama not in body
    response = client.get(f"/admin/workflow/pegawai/{warga_kota.pk}/change/")
    assert response.status_code == 404  # another government's object does not exist for this admin
    assert client.get(f"/admin/workflow/pegawai/{org.pelaksana.pk}/change/").status_code == 200


def test_an_admin_cannot_move_an_employee_into_another_government(client, org, two_governments):
    admin, warga_kota = two_governments
    client.force_login(admin)
    page = client.get(f"/admin/workflow/pegawai/{org.pelaksana.pk}/change/").content.decode()
    assert warga_kota.unit.nama not in page  # units of the other government are not offered


def test_an_employee_without_staff_rights_cannot_open_the_admin(client, org):
    login(client, org.pelaksana)
    response = client.get("/admin/workflow/pegawai/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_english_browser_still_gets_indonesian_until_the_user_chooses(client, org):
    login(client, org.pelaksana)
    body = client.get("/appraisal/inbox/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Kotak Masuk" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/appraisal/inbox/"})
    assert "You have no open tasks." in client.get("/appraisal/inbox/").content.decode()
