"""Factories for realistic organisation data: valid NIPs, Indonesian names, a real unit tree."""

import datetime as dt
import itertools

import factory

from workflow.models import Instansi, Jabatan, JenisInstansi, JenisJabatan, JenisUnit, Pegawai, StatusKepegawaian, Unit
from workflow.nip import make_ni_pppk, make_nip

_seq = itertools.count(1)

NAMES = [
    "Ahmad Saputra",
    "Siti Rahmawati",
    "Budi Santoso",
    "Dewi Lestari",
    "Rina Marlina",
    "Hendra Wijaya",
    "Yuliana Putri",
    "Fajar Ramadhan",
    "Nurul Hidayat",
    "Teguh Pratama",
]


def nip_for(n: int) -> str:
    born = dt.date(1970 + n % 25, n % 12 + 1, n % 28 + 1)
    return make_nip(born, born.year + 25, (n % 12) + 1, 1 + n % 2, n % 999 + 1)


def ni_pppk_for(n: int) -> str:
    """A real-format NI PPPK (appointment year, then the code 21), for a PPPK."""
    born = dt.date(1970 + n % 25, n % 12 + 1, n % 28 + 1)
    return make_ni_pppk(born, 2019 + n % 7, 1 + n % 2, n % 999 + 1)


class InstansiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instansi
        django_get_or_create = ["kode"]

    kode = "PEMPROV-BKL"
    nama = "Pemerintah Provinsi Bengkulu"
    jenis = JenisInstansi.PROVINSI
    # The product requires a core RHK to support the assessor's RHK (so the assessor's plan comes
    # first). The shared fixtures test everything else and draft any plan in any order: they turn
    # it off; tests of the link turn it on (``link_required``), and the drivers in tests/helpers.py
    # follow it either way.
    rhk_atasan_wajib = False


class JabatanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jabatan

    instansi = factory.SubFactory(InstansiFactory)
    nama = factory.Sequence(lambda n: f"Pengadministrasi Umum {n}")
    jenis = JenisJabatan.PELAKSANA


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    instansi = factory.SubFactory(InstansiFactory)
    kode = factory.Sequence(lambda n: f"U{n:03d}")
    nama = factory.Sequence(lambda n: f"Unit {n}")
    jenis = JenisUnit.SEKSI


class PegawaiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pegawai

    instansi = factory.SubFactory(InstansiFactory)
    nip = factory.LazyFunction(lambda: nip_for(next(_seq)))
    nama = factory.Sequence(lambda n: f"{NAMES[n % len(NAMES)]}, S.E.")
    status_kepegawaian = StatusKepegawaian.PNS
    unit = factory.SubFactory(UnitFactory, instansi=factory.SelfAttribute("..instansi"))
    jabatan = factory.SubFactory(JabatanFactory, instansi=factory.SelfAttribute("..instansi"))


def head_unit(instansi, kode, nama, jenis, parent, post, post_jenis):
    jabatan = Jabatan.objects.create(instansi=instansi, nama=post, jenis=post_jenis)
    return Unit.objects.create(
        instansi=instansi, kode=kode, nama=nama, jenis=jenis, parent=parent, jabatan_kepala=jabatan
    )


def head(unit, nama, **kwargs):
    """The holder of ``unit``'s head post."""
    status = kwargs.pop("status_kepegawaian", StatusKepegawaian.PNS)
    nip = None if status == StatusKepegawaian.PEJABAT_NEGARA else nip_for(next(_seq))
    return Pegawai.objects.create(
        instansi=unit.instansi,
        unit=unit,
        jabatan=unit.jabatan_kepala,
        nama=nama,
        nip=nip,
        status_kepegawaian=status,
        **kwargs,
    )


class Org:
    """A slice of Pemprov Bengkulu: Governor → Sekda, Governor → Kadis Kesehatan → Kabid P2P →
    Kasi Imunisasi → a pelaksana; a functional official in the bidang."""

    def __init__(self):
        i = self.instansi = InstansiFactory()
        self.pemprov = head_unit(
            i,
            "PEMPROV",
            "Pemerintah Provinsi Bengkulu",
            JenisUnit.PEMERINTAH_DAERAH,
            None,
            "Gubernur Bengkulu",
            JenisJabatan.KEPALA_DAERAH,
        )
        self.setda = head_unit(
            i,
            "SETDA",
            "Sekretariat Daerah",
            JenisUnit.SEKRETARIAT_DAERAH,
            self.pemprov,
            "Sekretaris Daerah",
            JenisJabatan.JPT_MADYA,
        )
        self.dinkes = head_unit(
            i,
            "DINKES",
            "Dinas Kesehatan",
            JenisUnit.OPD,
            self.pemprov,
            "Kepala Dinas Kesehatan",
            JenisJabatan.JPT_PRATAMA,
        )
        self.bidang = head_unit(
            i, "DINKES-B1", "Bidang P2P", JenisUnit.BIDANG, self.dinkes, "Kepala Bidang P2P", JenisJabatan.ADMINISTRATOR
        )
        self.seksi = head_unit(
            i,
            "DINKES-B1-1",
            "Seksi Surveilans dan Imunisasi",
            JenisUnit.SEKSI,
            self.bidang,
            "Kepala Seksi Surveilans dan Imunisasi",
            JenisJabatan.PENGAWAS,
        )
        self.gubernur = head(
            self.pemprov, "H. Rahmat Syahputra, S.E.", status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA
        )
        self.sekda = head(self.setda, "Dr. Susanti Effendi, M.Si.")
        self.kadis = head(self.dinkes, "dr. Muhammad Yusuf, M.Kes.")
        self.kabid = head(self.bidang, "Siti Sihombing, S.K.M., M.Kes.")
        self.kasi = head(self.seksi, "Zulkifli Wijaya, S.K.M.")
        pelaksana = Jabatan.objects.create(instansi=i, nama="Pengelola Program Imunisasi", jenis=JenisJabatan.PELAKSANA)
        self.pelaksana = PegawaiFactory(instansi=i, unit=self.seksi, jabatan=pelaksana, nama="Hendra Safitri, S.Si.")
        epid = Jabatan.objects.create(
            instansi=i, nama="Epidemiolog Kesehatan Ahli Muda", jenis=JenisJabatan.FUNGSIONAL, jenjang="ahli_muda"
        )
        self.fungsional = PegawaiFactory(instansi=i, unit=self.bidang, jabatan=epid, nama="Dewi Hakim, S.K.M.")


def give_accounts(*people, password="Rahasia-2026!"):
    """A user account (named by NIP) for each employee, as the import creates them."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for person in people:
        if person.user_id is None:
            person.user = users.create_user(person.nip or f"pejabat-{person.pk}", password=password)
            person.save(update_fields=["user"])
    return people
