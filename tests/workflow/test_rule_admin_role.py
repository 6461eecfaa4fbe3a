"""The rule-admin role ("Admin Aturan"): a government admin grants and revokes it for people of
their own government — never for another government's, never more than the role needs — and
every grant is in the audit log."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.factories import InstansiFactory, PegawaiFactory, give_accounts
from workflow.models import AuditAction, AuditEvent, JenisInstansi, PeranAdmin
from workflow.services.roles import RULE_ADMIN_GROUP, ensure_admin_group

pytestmark = pytest.mark.django_db
URL = "/kinerja/admin-aturan/"
RULES = "/aturan/"


def government_admin(username, instansi):
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=instansi)
    return user


@pytest.fixture
def pemkot(db):
    return InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)


@pytest.fixture
def bkd(client, org):
    user = government_admin("admin.bkd", org.instansi)
    client.force_login(user)
    return user


def is_rule_admin(user) -> bool:
    user = get_user_model().objects.get(pk=user.pk)  # fresh: permissions are cached on the instance
    return user.has_perm("rules.manage_rules")


def test_a_bkd_admin_grants_the_role_to_an_employee_of_their_government(client, org, bkd):
    (kasi,) = give_accounts(org.kasi)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"pengguna": kasi.nip}, follow=True)
    assert "kini Admin Aturan" in response.content.decode()
    user = kasi.user
    assert is_rule_admin(user)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert set(user.groups.values_list("name", flat=True)) == {RULE_ADMIN_GROUP}
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED)
    assert event.actor == bkd and event.object_id == str(user.pk)
    assert event.instansi_id == org.instansi.pk
    assert event.after == {"role": RULE_ADMIN_GROUP} and event.before == {}
    client.force_login(user)
    assert client.get(RULES).status_code == 200


def test_the_role_is_revoked_the_same_way(client, org, bkd):
    (kasi,) = give_accounts(org.kasi)
    client.post(URL, {"pengguna": kasi.nip})
    page = client.get(URL).content.decode()
    assert kasi.nama in page
    response = client.post(URL, {"cabut": kasi.user_id}, follow=True)
    assert "bukan lagi Admin Aturan" in response.content.decode()
    assert not is_rule_admin(kasi.user)
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED, actor=bkd).count() == 1


def test_another_governments_people_can_be_neither_granted_nor_revoked(client, org, bkd, pemkot):
    other = PegawaiFactory(instansi=pemkot, nama="Rudi Hartono, S.E.")
    give_accounts(other)
    bkpsdm = government_admin("admin.bkpsdm", pemkot)
    rule_group = Group.objects.get(name=RULE_ADMIN_GROUP)
    bkpsdm.groups.add(rule_group)
    for target in (other.nip, "admin.bkpsdm"):
        response = client.post(URL, {"pengguna": target}, follow=True)
        assert "Tidak ada pengguna dengan NIP atau nama pengguna itu di instansi Anda" in response.content.decode()
    assert not is_rule_admin(other.user)
    listing = client.get(URL).content.decode()
    assert "admin.bkpsdm" not in listing  # another government's rule admin is not listed
    response = client.post(URL, {"cabut": bkpsdm.pk}, follow=True)
    assert "Tidak ada pengguna" in response.content.decode()
    assert is_rule_admin(bkpsdm)
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()


def test_junk_and_superusers_are_refused_with_a_message(client, org, bkd):
    root = get_user_model().objects.create_superuser("root", "root@localhost", "x")
    PeranAdmin.objects.create(user=root, instansi=org.instansi)
    for payload in ({"cabut": "abc"}, {"pengguna": ""}, {"pengguna": "x" * 500}, {"cabut": "9" * 30}, {}):
        response = client.post(URL, payload, follow=True)
        assert response.status_code == 200, payload
    response = client.post(URL, {"pengguna": "root"}, follow=True)
    assert "Superuser sudah memegang semua hak" in response.content.decode()
    root.refresh_from_db()
    assert not root.groups.exists()
    assert not AuditEvent.objects.filter(action__startswith="role.").exists()


def test_only_government_admins_reach_the_page(client, org):
    (pelaksana,) = give_accounts(org.pelaksana)
    client.force_login(pelaksana.user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"pengguna": pelaksana.nip}).status_code == 403
    assert not is_rule_admin(pelaksana.user)
    rule_admin = get_user_model().objects.create_user("aturan", password="x")
    rule_admin.groups.add(Group.objects.get(name=RULE_ADMIN_GROUP))
    client.force_login(rule_admin)
    assert client.post(URL, {"pengguna": pelaksana.nip}).status_code == 403
