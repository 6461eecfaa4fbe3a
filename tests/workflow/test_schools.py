"""Schools (shared/domain.md §4): a school's head post is functional — the Kepala Sekolah is a
teacher with an additional duty — and the Kepala Sekolah assesses the teachers; the head of the
Cabang Dinas (or of the Dinas, where no Cabang Dinas stands between) assesses the Kepala Sekolah.
Which unit kinds may have a functional head post is each government's setting."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import PegawaiFactory, give_accounts, head, head_unit
from tests.helpers import approve, as_csv, person_row, rows, unit_row
from workflow.models import (
    Instansi,
    Jabatan,
    JenisJabatan,
    JenisPenugasan,
    JenisUnit,
    Pegawai,
    PenugasanPlt,
    PeranAdmin,
    Skp,
    Unit,
)
from workflow.selectors.org import assessor_of, assessor_superior_of, is_penilai, team_of
from workflow.services import appraisal as svc
from workflow.services.org_import import OrgImportError, org_import, read_rows
from workflow.services.period import periode_create
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)


def guru_post(instansi, level="ahli_muda", label="Ahli Muda"):
    return Jabatan.objects.get_or_create(
        instansi=instansi, nama=f"Guru {label}", defaults={"jenis": JenisJabatan.FUNGSIONAL, "jenjang": level}
    )[0]


def school(instansi, kode, nama, parent, kepala_nama):
    """A school whose head post is its own functional title, held by ``kepala_nama``."""
    post = Jabatan.objects.create(
        instansi=instansi, nama=f"Kepala {nama}", jenis=JenisJabatan.FUNGSIONAL, jenjang="ahli_madya"
    )
    unit = Unit(instansi=instansi, kode=kode, nama=nama, jenis=JenisUnit.SEKOLAH, parent=parent, jabatan_kepala=post)
    unit.full_clean()
    unit.save()
    return unit, head(unit, kepala_nama)


@pytest.fixture
def dikbud(org):
    """Dinas Pendidikan dan Kebudayaan → Cabang Dinas Wilayah I → SMA Negeri 2 (Kepala Sekolah and
    two teachers); and SLB Negeri 1 directly under the Dinas."""
    i, o = org.instansi, org
    o.dinas = head_unit(
        i,
        "DIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        JenisUnit.OPD,
        o.pemprov,
        "Kepala Dikbud",
        JenisJabatan.JPT_PRATAMA,
    )
    o.cabdin = head_unit(
        i,
        "DIKBUD-CD1",
        "Cabang Dinas Pendidikan dan Kebudayaan Wilayah I",
        JenisUnit.CABANG_DINAS,
        o.dinas,
        "Kepala Cabang Dinas Wilayah I",
        JenisJabatan.ADMINISTRATOR,
    )
    o.kadikbud = head(o.dinas, "Dr. Iskandar Nasution, M.Pd.")
    o.kacabdin = head(o.cabdin, "Ratna Lubis, S.Pd., M.Pd.")
    o.sma, o.kepsek = school(i, "SMAN2", "SMA Negeri 2 Kota Bengkulu", o.cabdin, "Sri Harahap, S.Pd., M.Pd.")
    o.guru = PegawaiFactory(instansi=i, unit=o.sma, jabatan=guru_post(i), nama="Fajar Ramadhan, S.Pd.")
    o.guru2 = PegawaiFactory(
        instansi=i, unit=o.sma, jabatan=guru_post(i, "ahli_pertama", "Ahli Pertama"), nama="Wulan Purnama, S.Pd."
    )
    o.slb, o.kepsek_slb = school(i, "SLBN1", "SLB Negeri 1 Kota Bengkulu", o.dinas, "Yudi Siregar, S.Pd.")
    o.guru_slb = PegawaiFactory(instansi=i, unit=o.slb, jabatan=guru_post(i), nama="Indah Sari, S.Pd.")
    return o


# --- assessor resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "assessor", "superior"),
    [
        ("guru", "kepsek", "kacabdin"),  # Guru → Kepala Sekolah, whose own assessor is above
        ("guru2", "kepsek", "kacabdin"),
        ("kepsek", "kacabdin", "kadikbud"),  # the Kepala Sekolah → the head of the Cabang Dinas
        ("kacabdin", "kadikbud", "gubernur"),
        ("guru_slb", "kepsek_slb", "kadikbud"),  # no Cabang Dinas: the Kepala Dinas, as domain.md §4 reads
        ("kepsek_slb", "kadikbud", "gubernur"),
    ],
)
def test_teachers_are_assessed_by_the_kepala_sekolah_and_the_kepala_sekolah_as_the_tree_says(
    dikbud, who, assessor, superior
):
    person = getattr(dikbud, who)
    assert assessor_of(person, on=DAY) == getattr(dikbud, assessor)
    assert assessor_superior_of(person, on=DAY) == getattr(dikbud, superior)


def test_the_kepala_sekolah_holds_the_head_post_and_has_the_teachers_as_team(dikbud):
    assert dikbud.kepsek.is_kepala_unit and dikbud.kepsek.jabatan.jenis == JenisJabatan.FUNGSIONAL
    assert team_of(dikbud.kepsek, on=DAY) == [dikbud.guru, dikbud.guru2]
    assert team_of(dikbud.kacabdin, on=DAY) == [dikbud.kepsek]
    give_accounts(dikbud.kepsek, dikbud.guru)
    assert is_penilai(dikbud.kepsek.user) and not is_penilai(dikbud.guru.user)


def test_a_plt_kepala_sekolah_assesses_the_teachers_while_the_post_is_vacant(dikbud):
    dikbud.kepsek.aktif = False
    dikbud.kepsek.save()
    assert assessor_of(dikbud.guru, on=DAY) == dikbud.kacabdin  # vacant: the duty passes upwards
    plt = PenugasanPlt(
        pegawai=dikbud.guru2,
        jabatan=dikbud.sma.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2026, 5, 1),
        tanggal_selesai=dt.date(2026, 12, 31),
        nomor_sk="800/45/DIKBUD/2026",
    )
    plt.full_clean()
    plt.save()
    assert assessor_of(dikbud.guru, on=DAY) == dikbud.guru2
    assert assessor_of(dikbud.guru2, on=DAY) == dikbud.kacabdin  # never their own assessor


# --- the appraisal routes to the Kepala Sekolah -----------------------------------------------------


@pytest.fixture
def school_period(dikbud, django_capture_on_commit_callbacks):
    give_accounts(dikbud.kadikbud, dikbud.kacabdin, dikbud.kepsek, dikbud.guru, dikbud.guru2, dikbud.kabid)
    periode = periode_create(instansi=dikbud.instansi, tahun=2026)
    with (
        time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        period_open(periode=periode, by=None, unit=dikbud.dinas)
    return periode


def test_a_teachers_plan_waits_in_the_kepala_sekolahs_inbox_and_hers_in_the_cabang_dinas(client, dikbud, school_period):
    skp = Skp.objects.get(pegawai=dikbud.guru)
    assert skp.penilai == dikbud.kepsek and skp.atasan_penilai == dikbud.kacabdin
    svc.plan_submit(skp=skp, by=dikbud.guru.user, pendekatan="kuantitatif", rows=rows())
    task = Task.objects.get(process_id=skp.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED])
    assert task.owner == dikbud.kepsek.user
    client.force_login(dikbud.kepsek.user)
    assert dikbud.guru.nama in client.get("/appraisal/inbox/").content.decode()
    team = client.get("/kinerja/tim/").content.decode()
    assert dikbud.guru.nama in team and dikbud.guru2.nama in team
    client.force_login(dikbud.kacabdin.user)
    assert dikbud.guru.nama not in client.get("/appraisal/inbox/").content.decode()
    approve(dikbud, dikbud.kepsek, dikbud.kacabdin)  # the Kepala Sekolah's own plan: the Cabang Dinas
    assert Skp.objects.get(pegawai=dikbud.kepsek).status == "disetujui"


# --- the model's rules, as every entry point meets them -------------------------------------------


def head_post(instansi, nama, jenis=JenisJabatan.FUNGSIONAL, jenjang="ahli_madya"):
    return Jabatan.objects.create(
        instansi=instansi, nama=nama, jenis=jenis, jenjang=jenjang if jenis == JenisJabatan.FUNGSIONAL else ""
    )


def refusal(obj) -> dict[str, list[str]]:
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_functional_head_post_is_refused_for_a_unit_kind_the_government_does_not_allow(org):
    seksi = Unit(
        instansi=org.instansi,
        kode="DINKES-B1-9",
        nama="Seksi Promosi Kesehatan",
        jenis=JenisUnit.SEKSI,
        parent=org.bidang,
        jabatan_kepala=head_post(org.instansi, "Kepala Seksi Promosi Kesehatan"),
    )
    message = refusal(seksi)["jabatan_kepala"][0]
    assert "Jabatan kepala Seksi harus jabatan struktural" in message
    assert "hanya boleh untuk: Satuan pendidikan, UPTD" in message


def test_which_unit_kinds_may_have_a_functional_head_is_the_governments_setting(org):
    org.instansi.unit_kepala_fungsional = [JenisUnit.SEKSI]
    org.instansi.full_clean()
    org.instansi.save()
    seksi = Unit(
        instansi=org.instansi,
        kode="DINKES-B1-9",
        nama="Seksi Promosi Kesehatan",
        jenis=JenisUnit.SEKSI,
        parent=org.bidang,
        jabatan_kepala=head_post(org.instansi, "Kepala Seksi Promosi Kesehatan"),
    )
    seksi.full_clean()
    sekolah = Unit(
        instansi=org.instansi,
        kode="SMAN9",
        nama="SMA Negeri 9",
        jenis=JenisUnit.SEKOLAH,
        parent=org.pemprov,
        jabatan_kepala=head_post(org.instansi, "Kepala SMA Negeri 9"),
    )
    assert "hanya boleh untuk: Seksi" in refusal(sekolah)["jabatan_kepala"][0]
    assert Instansi().unit_kepala_fungsional == ["sekolah", "uptd"]  # the default of a new government


def test_a_pelaksana_title_never_leads_a_unit_not_even_a_school(org):
    sekolah = Unit(
        instansi=org.instansi,
        kode="SMAN9",
        nama="SMA Negeri 9",
        jenis=JenisUnit.SEKOLAH,
        parent=org.pemprov,
        jabatan_kepala=head_post(org.instansi, "Pengelola Sekolah", jenis=JenisJabatan.PELAKSANA),
    )
    assert "harus jabatan struktural" in refusal(sekolah)["jabatan_kepala"][0]


def test_a_shared_teacher_title_cannot_be_a_schools_head_post(dikbud):
    other = Unit(
        instansi=dikbud.instansi,
        kode="SMAN9",
        nama="SMA Negeri 9",
        jenis=JenisUnit.SEKOLAH,
        parent=dikbud.cabdin,
        jabatan_kepala=dikbud.guru.jabatan,
    )
    message = refusal(other)["jabatan_kepala"][0]
    assert "Guru Ahli Muda juga jabatan Fajar Ramadhan, S.Pd." in message
    assert '"Kepala SMA Negeri 9"' in message


def test_a_government_cannot_drop_a_kind_its_schools_still_use(dikbud):
    dikbud.instansi.unit_kepala_fungsional = [JenisUnit.UPTD]
    message = refusal(dikbud.instansi)["unit_kepala_fungsional"][0]
    assert message.startswith("Unit SLB Negeri 1 Kota Bengkulu (Satuan pendidikan) memiliki jabatan kepala fungsional")
    dikbud.instansi.unit_kepala_fungsional = ["sekolah", "kantor"]
    assert "Pilih jenis unit dari daftar" in refusal(dikbud.instansi)["unit_kepala_fungsional"][0]


def test_a_teacher_cannot_join_a_school_without_a_head_post_nor_the_post_be_removed(dikbud):
    empty = Unit.objects.create(
        instansi=dikbud.instansi, kode="SMAN9", nama="SMA Negeri 9", jenis=JenisUnit.SEKOLAH, parent=dikbud.cabdin
    )
    empty.full_clean()  # an empty school may wait for its head post
    teacher = Pegawai(
        instansi=dikbud.instansi,
        nip="199001012015011001",
        nama="Rudi Hakim, S.Pd.",
        status_kepegawaian="PNS",
        unit=empty,
        jabatan=dikbud.guru.jabatan,
    )
    assert "SMA Negeri 9 adalah sekolah tanpa jabatan kepala" in refusal(teacher)["unit"][0]
    dikbud.sma.jabatan_kepala = None
    assert "memerlukan jabatan kepala (Kepala Sekolah)" in refusal(dikbud.sma)["jabatan_kepala"][0]


# --- the admin pages ---------------------------------------------------------------------------------


@pytest.fixture
def bkd_admin(client, org):
    admin = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    client.force_login(admin)
    return admin


def instansi_post(instansi, kinds):
    return {
        "kode": instansi.kode,
        "nama": instansi.nama,
        "jenis": instansi.jenis,
        "plt_boleh_menilai": "on",
        "unit_kepala_fungsional": kinds,
    }


def test_the_bkd_admin_ticks_the_unit_kinds_with_a_functional_head(client, dikbud, bkd_admin):
    url = f"/admin/workflow/instansi/{dikbud.instansi.pk}/change/"
    page = client.get(url).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="unit_kepala_fungsional" value="(\w+)"[^>]* checked', page)
    assert "jenis unit dengan jabatan kepala fungsional" in page and ticked == ["uptd", "sekolah"]
    refused = client.post(url, instansi_post(dikbud.instansi, ["uptd"]))
    assert refused.status_code == 200 and "SLB Negeri 1 Kota Bengkulu" in refused.content.decode()
    junk = client.post(url, instansi_post(dikbud.instansi, ["sekolah", "bukan-jenis"]))
    assert junk.status_code == 200 and "bukan-jenis bukan salah satu dari pilihan" in junk.content.decode()
    dikbud.instansi.refresh_from_db()
    assert dikbud.instansi.unit_kepala_fungsional == ["sekolah", "uptd"]
    done = client.post(url, instansi_post(dikbud.instansi, ["sekolah"]))
    assert done.status_code == 302
    dikbud.instansi.refresh_from_db()
    assert dikbud.instansi.unit_kepala_fungsional == ["sekolah"]


def unit_post(org, **values):
    return {
        "instansi": org.instansi.pk,
        "kode": "DINKES-B1-9",
        "nama": "Seksi Promosi Kesehatan",
        "singkatan": "",
        "jenis": "seksi",
        "parent": org.bidang.pk,
        "aktif": "on",
        **values,
    }


def test_the_unit_admin_refuses_a_functional_head_post_for_a_seksi_and_accepts_it_for_a_school(client, org, bkd_admin):
    post = head_post(org.instansi, "Kepala Seksi Promosi Kesehatan")
    refused = client.post("/admin/workflow/unit/add/", unit_post(org, jabatan_kepala=post.pk))
    assert refused.status_code == 200
    assert "fungsional hanya boleh untuk: Satuan pendidikan, UPTD" in refused.content.decode()
    assert not Unit.objects.filter(kode="DINKES-B1-9").exists()
    kepsek = head_post(org.instansi, "Kepala SMA Negeri 9")
    school_data = unit_post(org, kode="SMAN9", nama="SMA Negeri 9", jenis="sekolah", jabatan_kepala=kepsek.pk)
    assert client.post("/admin/workflow/unit/add/", school_data).status_code == 302
    assert Unit.objects.get(kode="SMAN9").jabatan_kepala == kepsek


def test_the_employee_admin_refuses_a_teacher_in_a_school_without_a_head_post(client, dikbud, bkd_admin):
    empty = Unit.objects.create(
        instansi=dikbud.instansi, kode="SMAN9", nama="SMA Negeri 9", jenis=JenisUnit.SEKOLAH, parent=dikbud.cabdin
    )
    data = {
        "instansi": dikbud.instansi.pk,
        "nip": "199001012015011001",
        "nama": "Rudi Hakim, S.Pd.",
        "status_kepegawaian": "PNS",
        "unit": empty.pk,
        "jabatan": dikbud.guru.jabatan.pk,
        "aktif": "on",
    }
    response = client.post("/admin/workflow/pegawai/add/", data)
    assert response.status_code == 200
    assert "SMA Negeri 9 adalah sekolah tanpa jabatan kepala (Kepala Sekolah)" in response.content.decode()
    assert not Pegawai.objects.filter(nip="199001012015011001").exists()
    # ...nor can the school lose its head post while it has teachers
    sma = dikbud.sma
    change = {
        "instansi": sma.instansi_id,
        "kode": sma.kode,
        "nama": sma.nama,
        "singkatan": "",
        "jenis": "sekolah",
        "parent": sma.parent_id,
        "jabatan_kepala": "",
        "aktif": "on",
    }
    response = client.post(f"/admin/workflow/unit/{sma.pk}/change/", change)
    assert response.status_code == 200 and "memerlukan jabatan kepala (Kepala Sekolah)" in response.content.decode()
    sma.refresh_from_db()
    assert sma.jabatan_kepala_id is not None


# --- the import ------------------------------------------------------------------------------------

NIP_KADIS, NIP_KACABDIN, NIP_KEPSEK, NIP_GURU, NIP_GURU2 = (
    "197003121996031011",
    "197209051998012014",
    "197506212001042017",
    "198811022013021023",
    "199402142023052031",
)


def school_rows():
    """Dinas → Cabang Dinas → SMA Negeri 2 with its Kepala Sekolah and two teachers."""
    return [
        unit_row("DIKBUD", "Dinas Pendidikan dan Kebudayaan", "", "opd", "Kepala Dikbud", "jpt_pratama"),
        unit_row("DIKBUD-CD1", "Cabang Dinas Wilayah I", "DIKBUD", "cabdin", "Kepala Cabang Dinas I", "administrator"),
        unit_row(
            "SMAN2",
            "SMA Negeri 2 Kota Bengkulu",
            "DIKBUD-CD1",
            "sekolah",
            "Kepala SMA Negeri 2",
            "fungsional",
            "ahli_madya",
        ),
        person_row("DIKBUD", NIP_KADIS, "Dr. Iskandar Nasution, M.Pd.", "Kepala Dikbud", "jpt_pratama", kepala="ya"),
        person_row("DIKBUD-CD1", NIP_KACABDIN, "Ratna Lubis, M.Pd.", "Kepala Cabang Dinas I", "administrator", "ya"),
        person_row(
            "SMAN2", NIP_KEPSEK, "Sri Harahap, M.Pd.", "Kepala SMA Negeri 2", "fungsional", "ya", jenjang="ahli_madya"
        ),
        person_row("SMAN2", NIP_GURU, "Fajar Ramadhan, S.Pd.", "Guru Ahli Muda", "fungsional", jenjang="ahli_muda"),
        person_row(
            "SMAN2", NIP_GURU2, "Wulan Purnama, S.Pd.", "Guru Ahli Pertama", "fungsional", jenjang="ahli_pertama"
        ),
    ]


def run(rows, instansi=None, **kwargs):
    instansi = (
        instansi
        or Instansi.objects.get_or_create(
            kode="PEMPROV-BKL", defaults={"nama": "Pemerintah Provinsi Bengkulu", "jenis": "provinsi"}
        )[0]
    )
    return org_import(instansi=instansi, rows=read_rows(as_csv(rows), "org.csv"), **kwargs)


def test_an_imported_school_routes_teachers_to_the_kepala_sekolah():
    report = run(school_rows())
    assert report.created["unit"] == 3 and report.created["pegawai"] == 5
    guru, kepsek = Pegawai.objects.get(nip=NIP_GURU), Pegawai.objects.get(nip=NIP_KEPSEK)
    assert kepsek.is_kepala_unit and kepsek.jabatan.jenis == "fungsional" and kepsek.jabatan.jenjang == "ahli_madya"
    assert assessor_of(guru).nip == NIP_KEPSEK and assessor_superior_of(guru).nip == NIP_KACABDIN
    assert assessor_of(kepsek).nip == NIP_KACABDIN and assessor_superior_of(kepsek).nip == NIP_KADIS
    assert run(school_rows()).unchanged["pegawai"] == 5  # a rerun changes nothing


def test_a_promoted_kepala_sekolah_updates_the_level_of_the_head_post():
    run(school_rows())
    rows = [r for r in school_rows() if r["tipe"] == "pegawai" and r["kode_unit"] == "SMAN2"]
    rows[0]["jenjang"] = "ahli_utama"
    run(rows)
    assert Pegawai.objects.get(nip=NIP_KEPSEK).jabatan.jenjang == "ahli_utama"


def test_the_shipped_example_covers_a_cabang_dinas_with_a_school(settings):
    from pathlib import Path

    from workflow.services.org_import import read_file

    instansi = Instansi.objects.create(kode="PEMPROV-BKL", nama="Pemerintah Provinsi Bengkulu", jenis="provinsi")
    org_import(instansi=instansi, rows=read_file(Path(settings.BASE_DIR) / "config" / "org" / "contoh-impor.csv"))
    school_unit = Unit.objects.get(jenis=JenisUnit.SEKOLAH)
    assert school_unit.parent.jenis == JenisUnit.CABANG_DINAS and school_unit.parent.parent.kode == "DIKBUD"
    kepsek = Pegawai.objects.get(unit=school_unit, jabatan=school_unit.jabatan_kepala)
    teachers = Pegawai.objects.filter(unit=school_unit).exclude(pk=kepsek.pk)
    assert teachers.count() == 2 and all(assessor_of(t) == kepsek for t in teachers)
    assert assessor_of(kepsek).unit == school_unit.parent


def spoil(index, **values):
    def apply(rows):
        rows[index].update(values)
        return rows

    return apply


def drop(index):
    def apply(rows):
        del rows[index]
        return rows

    return apply


SCHOOL_BAD_CASES = [
    (
        "school without a head post",
        lambda r: drop(5)(spoil(2, jabatan="", jenis_jabatan="", jenjang="")(r)),
        "Baris 4: sekolah SMAN2 tidak memiliki jabatan kepala (Kepala Sekolah)",
    ),
    (
        "functional head post for a cabang dinas",
        spoil(1, jenis_jabatan="fungsional", jenjang="ahli_madya"),
        "Baris 3: jabatan kepala Kepala Cabang Dinas I harus berjenis jabatan struktural",
    ),
    (
        "functional head on an employee row for a cabang dinas",
        spoil(4, jenis_jabatan="fungsional", jenjang="ahli_madya"),
        "fungsional hanya boleh untuk unit berjenis: Satuan pendidikan, UPTD (unit ini: cabdin)",
    ),
    (
        "functional head post without a level",
        spoil(2, jenjang=""),
        "Baris 4: jabatan kepala Kepala SMA Negeri 2 adalah jabatan fungsional: isi jenjangnya",
    ),
    (
        "a level on a structural head post",
        spoil(1, jenjang="ahli_muda"),
        "Baris 3: hanya jabatan fungsional yang memiliki jenjang",
    ),
    (
        "head post level differs from the head's row",
        spoil(5, jenjang="ahli_muda"),
        "Baris 7: jabatan kepala unit SMAN2 berjenjang ahli_madya pada baris 4, bukan ahli_muda",
    ),
    (
        "a shared teacher title as the head post",
        lambda r: spoil(5, jabatan="Guru Ahli Muda")(spoil(2, jabatan="Guru Ahli Muda")(r)),
        "Baris 4: jabatan kepala fungsional Guru Ahli Muda juga jabatan pegawai pada baris 8",
    ),
    (
        "two units name the same head post",
        spoil(1, jabatan="Kepala Dikbud"),
        "Baris 3: jabatan Kepala Dikbud sudah menjadi jabatan kepala unit pada baris 2",
    ),
]


@pytest.mark.parametrize(("label", "spoil_rows", "message"), SCHOOL_BAD_CASES, ids=[c[0] for c in SCHOOL_BAD_CASES])
def test_bad_school_rows_are_reported_in_indonesian_and_nothing_is_written(label, spoil_rows, message):
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(spoil_rows(school_rows()))
    assert any(message in e for e in caught.value.errors), caught.value.errors
    assert Pegawai.objects.count() == 0 and Unit.objects.count() == 0


def test_a_government_without_functional_heads_refuses_the_school_row():
    instansi = Instansi.objects.create(
        kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis="kota", unit_kepala_fungsional=[]
    )
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(school_rows(), instansi=instansi)
    assert "Baris 4: jabatan kepala Kepala SMA Negeri 2 harus berjenis jabatan struktural" in caught.value.errors[0]
    assert "hanya boleh untuk unit berjenis: — (unit ini: sekolah)" in caught.value.errors[0]
    assert Unit.objects.count() == 0


def test_teachers_for_a_school_in_the_database_without_a_head_post_are_refused_by_row(dikbud):
    Unit.objects.create(
        instansi=dikbud.instansi, kode="SMAN9", nama="SMA Negeri 9", jenis=JenisUnit.SEKOLAH, parent=dikbud.cabdin
    )
    rows = [person_row("SMAN9", NIP_GURU, "Fajar Ramadhan, S.Pd.", "Guru Ahli Muda", "fungsional", jenjang="ahli_muda")]
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(rows, instansi=dikbud.instansi)
    assert caught.value.errors == [
        "Baris 2: sekolah SMAN9 tidak memiliki jabatan kepala (Kepala Sekolah) yang menilai para gurunya: isi kolom "
        "jabatan pada baris unitnya (jenis_jabatan fungsional beserta jenjangnya), atau tandai baris kepalanya dengan "
        "kepala_unit ya."
    ]
    assert not Pegawai.objects.filter(nip=NIP_GURU).exists()


def test_the_admin_upload_of_a_school_without_a_head_lists_the_row_and_writes_nothing(client, org, bkd_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    rows = drop(5)(spoil(2, jabatan="", jenis_jabatan="", jenjang="")(school_rows()))
    payload = {"instansi": org.instansi.pk, "file": SimpleUploadedFile("org.csv", as_csv(rows))}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/admin/workflow/pegawai/impor/", payload)
    body = client.get(response["Location"]).content.decode()
    assert "tidak ada yang disimpan" in body
    assert "Baris 4: sekolah SMAN2 tidak memiliki jabatan kepala (Kepala Sekolah)" in body
    assert not Unit.objects.filter(kode="SMAN2").exists()
