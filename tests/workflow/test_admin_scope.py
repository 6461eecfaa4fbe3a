"""The Django admin across two governments: a Pemkot admin (admin.bkpsdm) reaches no page of any
object of Pemprov — change, delete, history, history form, revert, bulk delete — and every change
made through the admin is in the audit log with its actor and before/after values.

The scope tests walk every model registered on the admin site, so a model admin added later is
covered without a new test."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse

from project.admin_base import AuditedChangesMixin, ObjectScopeMixin
from rules.loader import load_pack
from rules.models import TableRow
from tests.factories import InstansiFactory, PegawaiFactory, UnitFactory
from workflow.admin.org import InstansiScopedAdmin
from workflow.models import (
    ApiToken,
    AuditAction,
    AuditEvent,
    CapaianOrganisasi,
    Delegasi,
    Dokumen,
    HariLibur,
    Instansi,
    Jabatan,
    JenisInstansi,
    JenisKeadaan,
    JenisPenugasan,
    KeadaanPegawai,
    PaketDokumen,
    Pegawai,
    PenugasanPlt,
    PeranAdmin,
    Periode,
    PredikatOrganisasi,
    Skp,
    Unit,
)
from workflow.services.api_token import api_token_issue
from workflow.services.audit import audit_record
from workflow.services.period import periode_create
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
PACK = Path(__file__).resolve().parents[2] / "config" / "rules"


@pytest.fixture
def pemkot(db):
    return InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)


@pytest.fixture
def bkpsdm(client, pemkot):
    """The Pemkot admin, signed in."""
    user = get_user_model().objects.create_user("admin.bkpsdm", password="x", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=pemkot)
    client.force_login(user)
    return user


@pytest.fixture
def pemprov_world(org):
    """One object of every government-scoped model in Pemprov, as admin.bkd would have made them."""
    bkd = get_user_model().objects.create_user("admin.bkd", password="x", is_staff=True)
    PeranAdmin.objects.create(user=bkd, instansi=org.instansi)
    periode = periode_create(instansi=org.instansi, tahun=2026)
    PenugasanPlt.objects.create(
        pegawai=org.kabid,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2026, 3, 1),
        tanggal_selesai=dt.date(2026, 5, 31),
        nomor_sk="800/12/BKD/2026",
    )
    CapaianOrganisasi.objects.create(periode=periode, unit=org.seksi, predikat=PredikatOrganisasi.BAIK)
    Delegasi.objects.create(
        pemberi=org.kasi,
        penerima=org.kabid,
        mulai=dt.date(2026, 4, 1),
        selesai=dt.date(2026, 4, 30),
        alasan="Cuti tahunan",
    )
    HariLibur.objects.create(
        instansi=org.instansi, tanggal=dt.date(2026, 11, 18), nama="HUT Provinsi Bengkulu", jenis="libur_daerah"
    )
    KeadaanPegawai.objects.create(
        pegawai=org.fungsional, jenis=JenisKeadaan.TUGAS_BELAJAR, tanggal_mulai=dt.date(2025, 9, 1), nomor_sk="800/215"
    )
    skp = Skp.objects.create(
        periode=periode,
        pegawai=org.pelaksana,
        tanggal_mulai=periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
        jabatan_nama=org.pelaksana.jabatan.nama,
        jabatan_jenis=org.pelaksana.jabatan.jenis,
        unit=org.seksi,
        unit_nama=org.seksi.nama,
    )
    Dokumen.objects.create(
        jenis="skp",
        skp=skp,
        berkas="dokumen/skp.pdf",
        nama_berkas="skp_2026.pdf",
        sha256="0" * 64,
        sidik_isi="0" * 64,
        diterbitkan=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    PaketDokumen.objects.create(periode=periode, unit=org.dinkes, jenis="skp")
    api_token_issue(by=bkd, instansi=org.instansi, scopes=["read_results"], nama="Aplikasi gaji")
    audit_record(action=AuditAction.PERIOD_CREATED, obj=periode, by=bkd)
    return org


def request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def outside(model_admin, user):
    """Objects of the admin's model that ``user`` may not see."""
    visible = model_admin.get_queryset(request_as(user)).values("pk")
    return list(model_admin.model._default_manager.exclude(pk__in=visible))


def url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def rows(model):
    return sorted(map(repr, model._default_manager.values()))


def history_ids(obj):
    manager = (
        getattr(type(obj), type(obj)._meta.simple_history_manager_attribute, None)
        if hasattr(type(obj)._meta, "simple_history_manager_attribute")
        else None
    )
    return (
        list(manager.filter(**{type(obj)._meta.pk.attname: obj.pk}).values_list("history_id", flat=True))
        if manager is not None
        else []
    )


def form_data(model_admin, obj, superuser, **changes):
    """What the object's admin form would post, with ``changes`` applied."""
    form = model_admin.get_form(request_as(superuser), obj)(instance=obj)
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    data.update(changes)
    return data


SCOPED = {
    Instansi,
    Unit,
    Jabatan,
    Pegawai,
    Periode,
    PenugasanPlt,
    PeranAdmin,
    CapaianOrganisasi,
    Delegasi,
    HariLibur,
    KeadaanPegawai,
    Dokumen,
    PaketDokumen,
    ApiToken,
}


def test_every_registered_model_admin_is_scoped_and_audited():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ObjectScopeMixin), model
        assert isinstance(model_admin, AuditedChangesMixin), model
    assert {m for m, a in admin.site._registry.items() if isinstance(a, InstansiScopedAdmin)} == SCOPED


def test_no_admin_page_of_another_governments_object_answers(client, pemprov_world, bkpsdm):
    root = get_user_model().objects.create_superuser("root", "root@localhost", "x")
    covered = set()
    for model, model_admin in admin.site._registry.items():
        for obj in outside(model_admin, bkpsdm):
            covered.add(model)
            before, history = rows(model), history_ids(obj)
            listing = client.get(url(model, "changelist"))
            assert str(obj) not in listing.content.decode(), (model, str(obj))
            pages = [url(model, "change", obj.pk), url(model, "delete", obj.pk), url(model, "history", obj.pk)]
            if history:
                pages.append(url(model, "simple_history", obj.pk, history[0]))
            for page in pages:
                response = client.get(page)
                assert response.status_code in (403, 404), (page, response.status_code)
                if model_admin.has_module_permission(request_as(bkpsdm)):
                    assert response.status_code == 404, (page, response.status_code)
                assert str(obj) not in response.content.decode(), page
            # The attack of the report: post the form back, moved into one's own government.
            moved = {"instansi": str(bkpsdm.peran_admin.get().instansi_id)} if hasattr(obj, "instansi_id") else {}
            data = form_data(model_admin, obj, root, **moved)
            posts = [
                (url(model, "change", obj.pk), data),
                (url(model, "delete", obj.pk), {"post": "yes"}),
                (url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}),
            ]
            if history:
                posts.append((url(model, "simple_history", obj.pk, history[0]), data))
            for page, payload in posts:
                response = client.post(page, payload)
                if page == url(model, "changelist"):  # the selection is filtered through the scoped list
                    assert response.status_code in (200, 302, 403), (page, response.status_code)
                    assert str(obj) not in response.content.decode(), page
                elif model_admin.has_module_permission(request_as(bkpsdm)):
                    assert response.status_code == 404, (page, response.status_code)
                else:
                    assert response.status_code in (403, 404), (page, response.status_code)
            assert rows(model) == before, model
            assert history_ids(obj) == history, model
    assert covered >= SCOPED | {AuditEvent}
    assert not LogEntry.objects.filter(user=bkpsdm).exists()
    assert not AuditEvent.objects.filter(actor=bkpsdm).exists()


def test_the_history_form_of_a_pemprov_employee_neither_shows_nor_moves_them(client, pemprov_world, bkpsdm, pemkot):
    """The exact attack of issue 11: GET shows the Pemprov employee's form; POST moves them into Pemkot."""
    p = pemprov_world.pelaksana
    version = p.history.latest("history_date").history_id
    page = f"/admin/workflow/pegawai/{p.pk}/history/{version}/"
    assert client.get(page).status_code == 404
    response = client.post(
        page,
        {
            "instansi": pemkot.pk,
            "nip": p.nip,
            "nama": p.nama,
            "status_kepegawaian": "PNS",
            "unit": p.unit_id,
            "jabatan": p.jabatan_id,
            "aktif": "on",
        },
    )
    assert response.status_code == 404
    p.refresh_from_db()
    assert p.instansi == pemprov_world.instansi
    assert client.get(f"/admin/workflow/pegawai/{p.pk}/history/").status_code == 404


def test_a_superuser_still_sees_every_history(client, pemprov_world):
    root = get_user_model().objects.create_superuser("root", "root@localhost", "x")
    client.force_login(root)
    p = pemprov_world.pelaksana
    assert client.get(f"/admin/workflow/pegawai/{p.pk}/history/").status_code == 200
    version = p.history.latest("history_date").history_id
    assert p.nama in client.get(f"/admin/workflow/pegawai/{p.pk}/history/{version}/").content.decode()


def test_a_view_only_user_cannot_revert_through_the_history_form(client, pemprov_world):
    """Seeing a history form is not the right to save it (simple-history saves any POST to it)."""
    viewer = get_user_model().objects.create_user("auditor", password="x", is_staff=True)
    group = Group.objects.create(name="Auditor")
    group.permissions.add(*ensure_admin_group().permissions.filter(codename__startswith="view_"))
    viewer.groups.add(group)
    PeranAdmin.objects.create(user=viewer, instansi=pemprov_world.instansi)
    client.force_login(viewer)
    unit = pemprov_world.seksi
    version = unit.history.latest("history_date").history_id
    page = f"/admin/workflow/unit/{unit.pk}/history/{version}/"
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {
            "instansi": unit.instansi_id,
            "kode": unit.kode,
            "nama": "Seksi Baru",
            "jenis": unit.jenis,
            "parent": unit.parent_id,
            "aktif": "on",
        },
    )
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.nama == "Seksi Surveilans dan Imunisasi"


@pytest.fixture
def own_unit(pemkot):
    return UnitFactory(instansi=pemkot, kode="KOTA-BKPSDM", nama="BKPSDM Kota Bengkulu")


def test_a_change_in_the_admin_is_audited_with_before_and_after(client, bkpsdm, own_unit):
    data = {
        "instansi": own_unit.instansi_id,
        "kode": own_unit.kode,
        "nama": "Badan Kepegawaian Kota",
        "jenis": own_unit.jenis,
        "aktif": "on",
    }
    response = client.post(f"/admin/workflow/unit/{own_unit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED)
    assert event.actor == bkpsdm
    assert event.object_id == str(own_unit.pk) and event.content_type.model == "unit"
    assert event.instansi_id == own_unit.instansi_id
    assert event.before == {"nama": "BKPSDM Kota Bengkulu"}
    assert event.after == {"nama": "Badan Kepegawaian Kota"}


def test_a_revert_in_the_admin_is_audited_against_the_current_values(client, bkpsdm, own_unit):
    first = own_unit.history.latest("history_date").history_id
    own_unit.nama = "Nama Sementara"
    own_unit.save()
    data = {
        "instansi": own_unit.instansi_id,
        "kode": own_unit.kode,
        "nama": "BKPSDM Kota Bengkulu",
        "jenis": own_unit.jenis,
        "aktif": "on",
    }
    response = client.post(f"/admin/workflow/unit/{own_unit.pk}/history/{first}/", data)
    assert response.status_code == 302
    own_unit.refresh_from_db()
    assert own_unit.nama == "BKPSDM Kota Bengkulu"
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED)
    assert (event.before, event.after) == ({"nama": "Nama Sementara"}, {"nama": "BKPSDM Kota Bengkulu"})


def test_adding_and_deleting_in_the_admin_are_audited(client, bkpsdm, pemkot, own_unit):
    response = client.post(
        "/admin/workflow/jabatan/add/", {"instansi": pemkot.pk, "nama": "Analis SDM Aparatur", "jenis": "pelaksana"}
    )
    assert response.status_code == 302
    jabatan = Jabatan.objects.get(nama="Analis SDM Aparatur")
    added = AuditEvent.objects.get(action=AuditAction.ADMIN_ADDED)
    assert added.after["nama"] == "Analis SDM Aparatur" and added.before == {}
    assert added.instansi_id == pemkot.pk and added.actor == bkpsdm
    response = client.post(f"/admin/workflow/jabatan/{jabatan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(action=AuditAction.ADMIN_DELETED)
    assert deleted.before["nama"] == "Analis SDM Aparatur" and deleted.after == {}
    assert deleted.object_id == str(jabatan.pk) and deleted.instansi_id == pemkot.pk


def test_a_bulk_delete_in_the_admin_writes_one_event_per_object(client, bkpsdm, pemkot):
    made = [PegawaiFactory(instansi=pemkot, nama=f"Pegawai Kota {n}") for n in range(3)]
    response = client.post(
        "/admin/workflow/pegawai/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [p.pk for p in made]},
    )
    assert response.status_code == 302
    assert not Pegawai.objects.filter(pk__in=[p.pk for p in made]).exists()
    events = AuditEvent.objects.filter(action=AuditAction.ADMIN_DELETED)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in made)
    assert {e.actor_id for e in events} == {bkpsdm.pk}


def test_an_inline_change_in_the_admin_is_audited(client, bkpsdm, pemkot):
    periode = periode_create(instansi=pemkot, tahun=2026)
    windows = list(periode.jendela_set.order_by("pk"))
    data = {
        "instansi": pemkot.pk,
        "tahun": 2026,
        "tanggal_mulai": "2026-01-01",
        "tanggal_selesai": "2026-12-31",
        "granularitas": periode.granularitas,
        "batas_rencana": "2026-01-31",
        "status": periode.status,
        "jendela_set-TOTAL_FORMS": str(len(windows)),
        "jendela_set-INITIAL_FORMS": str(len(windows)),
    }
    for n, w in enumerate(windows):
        data.update(
            {
                f"jendela_set-{n}-id": w.pk,
                f"jendela_set-{n}-periode": periode.pk,
                f"jendela_set-{n}-urutan": w.urutan,
                f"jendela_set-{n}-jenis": w.jenis,
                f"jendela_set-{n}-nama": w.nama,
                f"jendela_set-{n}-dibuka": w.dibuka.isoformat(),
                f"jendela_set-{n}-ditutup": w.ditutup.isoformat(),
            }
        )
    data["jendela_set-0-ditutup"] = (windows[0].ditutup + dt.timedelta(days=3)).isoformat()
    response = client.post(f"/admin/workflow/periode/{periode.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED, content_type__model="jendelareview")
    assert event.before == {"ditutup": windows[0].ditutup.isoformat()}
    assert event.after == {"ditutup": data["jendela_set-0-ditutup"]}
    assert event.instansi_id == pemkot.pk


def test_the_rules_admin_history_form_saves_nothing_for_a_viewer(client, db):
    """The rules admin is read-only: its history form ("revert") refuses a POST as well."""
    load_pack(PACK)
    viewer = get_user_model().objects.create_user("pembaca", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tablerow"))
    client.force_login(viewer)
    row = TableRow.objects.order_by("pk").first()
    version = row.history.latest("history_date").history_id
    page = f"/admin/rules/tablerow/{row.pk}/history/{version}/"
    assert client.get(page).status_code == 200
    before = rows(TableRow)
    response = client.post(page, {"table": row.table_id, "position": 99, "conditions": "{}", "outputs": "{}"})
    assert response.status_code == 403
    assert rows(TableRow) == before


def test_a_superuser_granting_a_group_in_the_admin_is_audited(client, db):
    root = get_user_model().objects.create_superuser("root", "root@localhost", "x")
    client.force_login(root)
    user = get_user_model().objects.create_user("199001012015031001", password="x")
    group = Group.objects.get(name="Admin Aturan")
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": user.username,
            "date_joined_0": "2026-01-05",
            "date_joined_1": "08:00:00",
            "is_active": "on",
            "groups": [group.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED, object_id=str(user.pk))
    assert event.actor == root
    assert event.before["groups"] == [] and event.after["groups"] == [group.pk]
    assert "password" not in event.before and "password" not in event.after
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Rahasia-Baru-2026!", "password2": "Rahasia-Baru-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = AuditEvent.objects.filter(action=AuditAction.ADMIN_CHANGED, object_id=str(user.pk)).last()
    assert changed.after == {"password": "*** (changed)"}
    assert "Rahasia" not in str(changed.before) + str(changed.after)


def test_an_employee_cannot_be_given_another_governments_or_an_admins_account(client, bkpsdm, pemkot, pemprov_world):
    mine = PegawaiFactory(instansi=pemkot, nama="Rudi Hartono, S.E.")
    bkd = get_user_model().objects.get(username="admin.bkd")
    data = {
        "instansi": pemkot.pk,
        "nip": mine.nip,
        "nama": mine.nama,
        "status_kepegawaian": "PNS",
        "unit": mine.unit_id,
        "jabatan": mine.jabatan_id,
        "aktif": "on",
    }
    for account in (bkd, bkpsdm):
        response = client.post(f"/admin/workflow/pegawai/{mine.pk}/change/", {**data, "user": account.pk})
        assert response.status_code == 200
        assert "Masukkan pilihan yang valid" in response.content.decode()
    mine.refresh_from_db()
    assert mine.user_id is None
    fresh = get_user_model().objects.create_user("199205052019031002", password="x")
    response = client.post(f"/admin/workflow/pegawai/{mine.pk}/change/", {**data, "user": fresh.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.user == fresh


def test_issued_documents_and_packages_are_read_only_for_their_own_admin(client, pemprov_world):
    """admin.bkd sees the Pemprov document and package and their history, and can change nothing."""
    bkd = get_user_model().objects.get(username="admin.bkd")
    bkd.groups.add(ensure_admin_group())
    client.force_login(bkd)
    doc, paket = Dokumen.objects.get(), PaketDokumen.objects.get()
    before = rows(Dokumen), rows(PaketDokumen)
    assert doc.kode in client.get(url(Dokumen, "changelist")).content.decode()
    page = client.get(url(Dokumen, "change", doc.pk)).content.decode()
    assert doc.kode in page and doc.sha256 in page and "dokumen/skp.pdf" not in page
    assert client.get(url(Dokumen, "history", doc.pk)).status_code == 200
    assert client.get(url(PaketDokumen, "change", paket.pk)).status_code == 200
    assert client.get(url(PaketDokumen, "history", paket.pk)).status_code == 200
    assert client.get(url(Dokumen, "add")).status_code == 403
    assert client.post(url(Dokumen, "change", doc.pk), {"kode": "x"}).status_code == 403
    assert client.post(url(PaketDokumen, "delete", paket.pk), {"post": "yes"}).status_code == 403
    assert (rows(Dokumen), rows(PaketDokumen)) == before
