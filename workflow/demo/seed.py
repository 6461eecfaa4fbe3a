"""Seeding the demo (``manage.py seed_demo``): the demo organisation of Pemprov Bengkulu, its users,
the 2026 holidays and the 2026 period, through the same import and services as real data; and the
demo logins.

Idempotent: a second run finds everything in place and writes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command

from ..models import Instansi, JenisInstansi, Pegawai, PembukaanPeriode, PeranAdmin, Periode, StatusPeriode
from ..services.holidays import holiday_years, holidays_load
from ..services.keadaan import exclusions_record, opening_reference_date
from ..services.org_import import org_import
from ..services.period import periode_create
from ..services.period_open import employees_left_out, employees_to_open, period_open_chunk
from ..services.roles import RULE_ADMIN_GROUP, ensure_admin_group
from ..services.system import system_user
from . import org as demo
from .simulation import simulate_demo

DEMO_YEAR = 2026


def demo_seed(*, out, simulate: bool = False) -> dict[str, str]:
    """Load the rules, the two governments, their people and the 2026 period, writing progress to
    ``out``; with ``simulate``, open the period and drive it to a realistic spread of steps. Returns
    the NIP of each demo role (for ``print_logins``). Call it inside a transaction."""
    by = system_user()
    call_command("load_rules", str(settings.BASE_DIR / "config" / "rules"), stdout=out)
    provinsi = _instansi(*demo.PROVINSI, JenisInstansi.PROVINSI, by)
    kota = _instansi(*demo.KOTA, JenisInstansi.KOTA, by)
    rows, roles = demo.provinsi_rows()
    report = org_import(instansi=provinsi, rows=list(enumerate(rows, start=2)), by=by)
    out.write(f"{provinsi.nama}: {report.summary()}")
    report = org_import(instansi=kota, rows=list(enumerate(demo.kota_rows(), start=2)), by=by)
    out.write(f"{kota.nama}: {report.summary()}")
    for instansi in (provinsi, kota):
        if not Periode.objects.filter(instansi=instansi, tahun=DEMO_YEAR).exists():
            periode_create(instansi=instansi, tahun=DEMO_YEAR, status=StatusPeriode.OPEN)
    _users(provinsi, kota, by)
    _holidays((provinsi, kota), by, out)
    if simulate:
        _simulate(provinsi, by, out)
    return roles


def _simulate(provinsi, by, out):
    periode = Periode.objects.get(instansi=provinsi, tahun=DEMO_YEAR)
    on = opening_reference_date(periode)
    ids = list(employees_to_open(periode, on=on).exclude(skp_set__periode=periode).values_list("pk", flat=True))
    if ids:
        job = PembukaanPeriode.objects.create(periode=periode, dibuka_oleh=by, total=len(ids), chunks=1)
        # Those on leave or suspended (the demo's employee on study leave) are left out, as the
        # admin's opening records them: the opening's page lists them with the reason.
        exclusions_record(job=job, leaves=employees_left_out(periode, on=on), on=on, by=by)
        period_open_chunk(job_id=job.pk, pegawai_ids=ids, by=by)
    report = simulate_demo(periode=periode)
    out.write("Simulated lifecycle: " + ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())))


def _holidays(governments, by, out):
    """The national holidays and cuti bersama of the demo year (and of the next, where its file is
    shipped: appeals against the year's results run into it) in each government's calendar."""
    years = [y for y in (DEMO_YEAR, DEMO_YEAR + 1) if y in holiday_years()]
    for instansi in governments:
        for tahun in years:
            report = holidays_load(instansi=instansi, tahun=tahun, by=by)
            out.write(f"{instansi.nama}: holidays {tahun}: {len(report.added)} added, {len(report.kept)} already there")


def _instansi(kode, nama, jenis, by):
    instansi = Instansi.objects.filter(kode=kode).first()
    if instansi is None:
        instansi = Instansi(kode=kode, nama=nama, jenis=jenis)
        instansi._history_user = by
        instansi.save()
    return instansi


def _users(provinsi, kota, by):
    users = get_user_model().objects
    password = make_password(demo.DEMO_PASSWORD)  # hashed once, shared by every demo account
    # Employees imported with an unusable password get the demo password (first run only); the
    # Governor and the Wali Kota among them, whose accounts the import named (column username).
    unusable = users.filter(pegawai__instansi__in=[provinsi, kota], password__startswith="!")  # noqa: S106
    unusable.update(password=password)
    group = ensure_admin_group()
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", "admin@localhost", demo.DEMO_PASSWORD)
    for username, instansi in (("admin.bkd", provinsi), ("admin.bkpsdm", kota)):
        user = users.filter(username=username).first()
        if user is None:
            user = users.create(
                username=username, first_name=f"Admin {instansi.nama}"[:150], is_staff=True, password=password
            )
            user.groups.add(group)
        if not PeranAdmin.objects.filter(user=user, instansi=instansi).exists():
            role = PeranAdmin(user=user, instansi=instansi)
            role._history_user = by
            role.save()
    # As the README says: the province's BKD admin also edits the scoring rules ("Aturan").
    users.get(username="admin.bkd").groups.add(Group.objects.get(name=RULE_ADMIN_GROUP))


def demo_logins(roles: dict[str, str] | None = None) -> list[demo.DemoLogin]:
    if roles is None:
        _, roles = demo.provinsi_rows()
    logins = [
        demo.DemoLogin("Superuser", "admin", "Administrator", "—"),
        demo.DemoLogin("Admin BKD Pemprov Bengkulu", "admin.bkd", "Admin BKD", "—"),
        demo.DemoLogin("Admin BKPSDM Kota Bengkulu", "admin.bkpsdm", "Admin BKPSDM", "—"),
        demo.DemoLogin("Gubernur (penilai JPT; memutus keberatan JPT)", demo.GUBERNUR_USERNAME, "", ""),
    ]
    labels = {
        "sekda": "Sekretaris Daerah (JPT Madya)",
        "kadis": "Kepala Dinas Kesehatan (JPT Pratama, penilai; keberatannya menunggu keputusan Gubernur)",
        "kabid": "Kepala Bidang P2P (Administrator, penilai)",
        "kasi": "Kepala Seksi Surveilans dan Imunisasi (Pengawas, penilai)",
        "pelaksana": "Pelaksana PPPK (pegawai, masuk dengan NI PPPK)",
        "fungsional": "Fungsional (pegawai)",
        "kacabdin": "Kepala Cabang Dinas Pendidikan Wilayah I (Administrator, penilai Kepala Sekolah)",
        "kepsek": "Kepala SMA Negeri 2 Kota Bengkulu (Kepala Sekolah, fungsional, penilai guru)",
        "guru": "Guru (fungsional)",
    }
    people = {p.nip: p for p in Pegawai.objects.filter(nip__in=roles.values()).select_related("jabatan")}
    for key, label in labels.items():
        person = people.get(roles.get(key))
        if person is not None:
            logins.append(demo.DemoLogin(label, person.nip, person.nama, person.jabatan.nama))
    gubernur = Pegawai.objects.filter(user__username=demo.GUBERNUR_USERNAME).select_related("jabatan").first()
    if gubernur is not None:
        logins[3].nama, logins[3].jabatan = gubernur.nama, gubernur.jabatan.nama
    return logins


def print_logins(out, roles=None) -> None:
    out.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})\n")
    for login in demo_logins(roles):
        who = f" — {login.nama}, {login.jabatan}" if login.nama and login.jabatan != "—" else ""
        out.write(f"  {login.username:<20} {login.role}{who}")
    out.write("")
