"""The demo organisation of Pemprov Bengkulu (plus a small Pemkot Bengkulu), generated
deterministically as import rows so the demo goes through the same import path as real data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..nip import make_ni_pppk, make_nip

DEMO_PASSWORD = "Kinerja2026!"  # noqa: S105 - printed on purpose: demo only
PROVINSI = ("PEMPROV-BKL", "Pemerintah Provinsi Bengkulu")
KOTA = ("PEMKOT-BKL", "Pemerintah Kota Bengkulu")
# State officials have no NIP: the import names their accounts (column ``username``).
GUBERNUR_USERNAME = "gubernur"
WALIKOTA_USERNAME = "walikota"

MALE = [
    "Ahmad",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Irwan",
    "Joko",
    "Rahmat",
    "Slamet",
    "Teguh",
    "Yudi",
    "Zulkifli",
    "Agus",
    "Bambang",
    "Darmawan",
    "Gunawan",
    "Hasan",
    "Iskandar",
    "Muhammad",
    "Rizki",
    "Syahrial",
    "Taufik",
    "Wahyu",
    "Arif",
    "Rudi",
    "Hidayat",
    "Firmansyah",
    "Andi",
    "Sofyan",
]
FEMALE = [
    "Siti",
    "Dewi",
    "Sri",
    "Rina",
    "Yuliana",
    "Nurhayati",
    "Fitri",
    "Lestari",
    "Ratna",
    "Wulan",
    "Indah",
    "Kartika",
    "Maya",
    "Nurul",
    "Puspita",
    "Rahmawati",
    "Susanti",
    "Utami",
    "Yanti",
    "Desi",
    "Eka",
    "Fadhilah",
    "Herlina",
    "Intan",
    "Juwita",
    "Lina",
    "Mega",
    "Novita",
    "Oktaviani",
    "Reni",
]
LAST = [
    "Saputra",
    "Pratama",
    "Wijaya",
    "Kurniawan",
    "Siregar",
    "Harahap",
    "Nasution",
    "Putri",
    "Lubis",
    "Hakim",
    "Syahputra",
    "Rahman",
    "Hidayat",
    "Santoso",
    "Gunawan",
    "Sihombing",
    "Effendi",
    "Marlina",
    "Yusuf",
    "Junaidi",
    "Anggraini",
    "Purnama",
    "Sari",
    "Zainal",
    "Fauzi",
    "Ramadhan",
    "Safitri",
]
DEGREES = ["S.E.", "S.Kom.", "S.H.", "S.Sos.", "S.T.", "S.Pd.", "S.K.M.", "S.I.P.", "S.Ak.", "S.Si."]
MASTERS = ["M.Si.", "M.M.", "M.T.", "M.Kes.", "M.Pd.", "M.H.", "M.A.P."]

# (code, name, abbreviation, bidang names, functional title and levels, staff title)
OPD = [
    (
        "BKD",
        "Badan Kepegawaian Daerah",
        "BKD",
        ["Bidang Pengadaan dan Informasi Kepegawaian", "Bidang Mutasi dan Promosi", "Bidang Pengembangan Kompetensi"],
        "Analis Sumber Daya Manusia Aparatur",
        "Pengelola Kepegawaian",
    ),
    (
        "INSP",
        "Inspektorat Daerah",
        "Inspektorat",
        ["Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II", "Inspektur Pembantu Khusus"],
        "Auditor",
        "Pengadministrasi Umum",
    ),
    (
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        "Bappeda",
        ["Bidang Perencanaan Ekonomi", "Bidang Perencanaan Infrastruktur", "Bidang Penelitian dan Pengembangan"],
        "Perencana",
        "Analis Perencanaan",
    ),
    (
        "DIKBUD",
        "Dinas Pendidikan dan Kebudayaan",
        "Dikbud",
        ["Bidang Pembinaan SMA", "Bidang Pembinaan SMK", "Bidang Kebudayaan"],
        "Pengawas Sekolah",
        "Pengelola Data Pendidikan",
    ),
    (
        "DINKES",
        "Dinas Kesehatan",
        "Dinkes",
        ["Bidang Pencegahan dan Pengendalian Penyakit", "Bidang Pelayanan Kesehatan", "Bidang Kesehatan Masyarakat"],
        "Epidemiolog Kesehatan",
        "Pengelola Program Imunisasi",
    ),
    (
        "DISNAKERTRANS",
        "Dinas Tenaga Kerja dan Transmigrasi",
        "Disnakertrans",
        ["Bidang Pelatihan dan Penempatan Tenaga Kerja", "Bidang Hubungan Industrial", "Bidang Transmigrasi"],
        "Pengantar Kerja",
        "Pengelola Layanan Ketenagakerjaan",
    ),
    (
        "DISKOMINFOTIK",
        "Dinas Komunikasi, Informatika dan Statistik",
        "Diskominfotik",
        ["Bidang Aplikasi Informatika", "Bidang Informasi dan Komunikasi Publik", "Bidang Statistik dan Persandian"],
        "Pranata Komputer",
        "Pengelola Sistem Informasi",
    ),
    (
        "BPKAD",
        "Badan Pengelola Keuangan dan Aset Daerah",
        "BPKAD",
        ["Bidang Anggaran", "Bidang Perbendaharaan", "Bidang Aset"],
        "Analis Keuangan Pusat dan Daerah",
        "Pengelola Keuangan",
    ),
    (
        "PUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "PUPR",
        ["Bidang Bina Marga", "Bidang Sumber Daya Air", "Bidang Penataan Ruang"],
        "Teknik Jalan dan Jembatan",
        "Pengawas Lapangan",
    ),
]
# The last year a demo employee was appointed in (the demo's period is 2026).
LAST_APPOINTMENT_YEAR = 2025
SEKSI = {
    # An Inspektur Pembantu's areas of supervision (a name that already ends in a numeral gets no
    # "I"/"II" of the default below: no "Wilayah II II").
    "INSP": [
        ["Seksi Pengawasan Pemerintahan", "Seksi Pengawasan Perekonomian"],
        ["Seksi Pengawasan Keuangan dan Aset", "Seksi Pengawasan Kesejahteraan Rakyat"],
        ["Seksi Investigasi", "Seksi Penanganan Pengaduan Masyarakat"],
    ],
    "DINKES": [
        ["Seksi Surveilans dan Imunisasi", "Seksi Pengendalian Penyakit Menular"],
        ["Seksi Pelayanan Kesehatan Primer", "Seksi Pelayanan Kesehatan Rujukan"],
        ["Seksi Kesehatan Keluarga dan Gizi", "Seksi Promosi Kesehatan"],
    ],
}
LEVELS = ["ahli_pertama", "ahli_muda", "ahli_madya"]
LEVEL_LABEL = {
    "ahli_pertama": "Ahli Pertama",
    "ahli_muda": "Ahli Muda",
    "ahli_madya": "Ahli Madya",
    "terampil": "Terampil",
    "mahir": "Mahir",
}


@dataclass
class DemoLogin:
    role: str
    username: str
    nama: str
    jabatan: str


class _People:
    """Deterministic name and number generator: a NIP for a PNS, an NI PPPK for a PPPK."""

    def __init__(self, seed: int, first_sequence: int = 0):
        self.rng = random.Random(seed)
        self.sequence = first_sequence
        self.used_names: set[str] = set()

    def person(self, senior: bool = False, pppk: bool = False) -> tuple[str, str]:
        rng = self.rng
        female = rng.random() < 0.45
        for _ in range(50):
            first = rng.choice(FEMALE if female else MALE)
            name = f"{first} {rng.choice(LAST)}"
            if name not in self.used_names:
                break
        self.used_names.add(name)
        degree = rng.choice(DEGREES)
        title = f"{name}, {degree}"
        if senior:
            title = f"{'Dr. ' if rng.random() < 0.3 else ''}{title}, {rng.choice(MASTERS)}"
        born = dt.date(
            rng.randint(1966, 1980) if senior else rng.randint(1970, 1999), rng.randint(1, 12), rng.randint(1, 28)
        )
        # Appointed at 23 to 30, and never later than the year before the demo's period: every
        # NIP's appointment month lies in the past (an NI PPPK's year likewise, below).
        appointed = min(born.year + rng.randint(23, 30), LAST_APPOINTMENT_YEAR)
        month = rng.randint(1, 12)
        self.sequence += 1
        sex, sequence = 2 if female else 1, self.sequence % 999 + 1
        if pppk:  # PPPK have been appointed since 2019: an NI PPPK (year, then the code 21)
            return make_ni_pppk(born, 2019 + appointed % 7, sex, sequence), title
        return make_nip(born, appointed, month, sex, sequence), title


def unit_row(kode, nama, induk, jenis, jabatan="", jenis_jabatan="", jenjang=""):
    """A unit row; ``jenjang`` only for a functional head post (a school's Kepala Sekolah)."""
    return {
        "tipe": "unit",
        "kode_unit": kode,
        "nama_unit": nama,
        "kode_unit_induk": induk,
        "jenis_unit": jenis,
        "jabatan": jabatan,
        "jenis_jabatan": jenis_jabatan,
        "jenjang": jenjang,
    }


# The demo's employee on study leave (tugas belajar) through the 2026 period: the opening of the
# period leaves them out and records why (shared/domain.md §3 item 9).
STUDY_LEAVE = {
    "keadaan": "tugas_belajar",
    "keadaan_mulai": "2025-09-01",
    "keadaan_selesai": "2027-08-31",
    "keadaan_nomor_sk": "800/215/BKD/2025",
}


def _person(
    kode_unit, nip, nama, jabatan, jenis_jabatan, jenjang="", kepala=False, status="PNS", username="", keadaan=None
):
    return (keadaan or {}) | {
        "tipe": "pegawai",
        "kode_unit": kode_unit,
        "nip": nip,
        "nama": nama,
        "status_kepegawaian": status,
        "jabatan": jabatan,
        "jenis_jabatan": jenis_jabatan,
        "jenjang": jenjang,
        "kepala_unit": "ya" if kepala else "tidak",
        "email": "",
        "aktif": "ya",
        "username": username,
    }


def provinsi_rows() -> tuple[list[dict], dict[str, str]]:
    """Rows for Pemprov Bengkulu and a map of role → NIP/username for the printed demo logins."""
    people = _People(seed=2026)
    rows: list[dict] = []
    roles: dict[str, str] = {}

    def add_person(*args, **kwargs):
        rows.append(_person(*args, **kwargs))
        return args[1]

    rows.append(unit_row("PEMPROV", "Pemerintah Provinsi Bengkulu", "", "pemda", "Gubernur Bengkulu", "kepala_daerah"))
    add_person(
        "PEMPROV",
        "",
        "H. Rahmat Syahputra, S.E., M.M.",
        "Gubernur Bengkulu",
        "kepala_daerah",
        kepala=True,
        status="pejabat_negara",
        username=GUBERNUR_USERNAME,
    )
    rows.append(unit_row("SETDA", "Sekretariat Daerah", "PEMPROV", "setda", "Sekretaris Daerah", "jpt_madya"))
    nip, nama = people.person(senior=True)
    roles["sekda"] = add_person("SETDA", nip, nama, "Sekretaris Daerah", "jpt_madya", kepala=True)
    for b, (biro, bagian) in enumerate(
        [
            ("Biro Pemerintahan dan Kesejahteraan Rakyat", ["Bagian Pemerintahan", "Bagian Kesejahteraan Rakyat"]),
            ("Biro Organisasi", ["Bagian Kelembagaan dan Analisis Jabatan", "Bagian Reformasi Birokrasi"]),
        ],
        start=1,
    ):
        kode = f"SETDA-B{b}"
        rows.append(unit_row(kode, biro, "SETDA", "bagian", f"Kepala {biro}", "jpt_pratama"))
        nip, nama = people.person(senior=True)
        add_person(kode, nip, nama, f"Kepala {biro}", "jpt_pratama", kepala=True)
        for g, bag in enumerate(bagian, start=1):
            kb = f"{kode}-{g}"
            rows.append(unit_row(kb, bag, kode, "bagian", f"Kepala {bag}", "administrator"))
            nip, nama = people.person(senior=True)
            add_person(kb, nip, nama, f"Kepala {bag}", "administrator", kepala=True)
            for _ in range(3):
                nip, nama = people.person()
                add_person(kb, nip, nama, "Analis Kebijakan Pelaksana", "pelaksana")

    for kode, nama_opd, singkat, bidang_names, fungsional, pelaksana in OPD:
        rows.append(unit_row(kode, nama_opd, "PEMPROV", "opd", f"Kepala {nama_opd}", "jpt_pratama"))
        nip, nama = people.person(senior=True)
        head = add_person(kode, nip, nama, f"Kepala {nama_opd}", "jpt_pratama", kepala=True)
        sek = f"{kode}-SEK"
        rows.append(
            unit_row(sek, f"Sekretariat {singkat}", kode, "sekretariat", f"Sekretaris {singkat}", "administrator")
        )
        nip, nama = people.person(senior=True)
        add_person(sek, nip, nama, f"Sekretaris {singkat}", "administrator", kepala=True)
        for s, sub in enumerate(["Subbagian Umum dan Kepegawaian", "Subbagian Keuangan dan Aset"], start=1):
            ks = f"{sek}-{s}"
            rows.append(unit_row(ks, f"{sub} {singkat}", sek, "subbagian", f"Kepala {sub} {singkat}", "pengawas"))
            nip, nama = people.person()
            add_person(ks, nip, nama, f"Kepala {sub} {singkat}", "pengawas", kepala=True)
            for i in range(3):
                status = "PPPK" if i == 2 else "PNS"
                nip, nama = people.person(pppk=status == "PPPK")
                add_person(ks, nip, nama, "Pengadministrasi Perkantoran", "pelaksana", status=status)
        for b, bidang in enumerate(bidang_names, start=1):
            kb = f"{kode}-B{b}"
            rows.append(
                unit_row(kb, f"{bidang} {singkat}", kode, "bidang", f"Kepala {bidang} {singkat}", "administrator")
            )
            nip, nama = people.person(senior=True)
            kabid = add_person(kb, nip, nama, f"Kepala {bidang} {singkat}", "administrator", kepala=True)
            for level in LEVELS[:2]:
                nip, nama = people.person()
                fj = add_person(kb, nip, nama, f"{fungsional} {LEVEL_LABEL[level]}", "fungsional", jenjang=level)
            topic = bidang.removeprefix("Bidang ")
            seksi_names = SEKSI.get(kode, [[f"Seksi {topic} I", f"Seksi {topic} II"]] * 3)[b - 1]
            for s, seksi in enumerate(seksi_names, start=1):
                kss = f"{kb}-{s}"
                rows.append(unit_row(kss, f"{seksi} {singkat}", kb, "seksi", f"Kepala {seksi} {singkat}", "pengawas"))
                nip, nama = people.person()
                kasi = add_person(kss, nip, nama, f"Kepala {seksi} {singkat}", "pengawas", kepala=True)
                for i in range(3):
                    status = "PPPK" if i == 2 else "PNS"
                    nip, nama = people.person(pppk=status == "PPPK")
                    away = STUDY_LEAVE if (kode, b, s, i) == ("DIKBUD", 1, 1, 0) else None
                    staff = add_person(kss, nip, nama, pelaksana, "pelaksana", status=status, keadaan=away)
                if kode == "DINKES" and b == 1 and s == 1:
                    roles.update({"kadis": head, "kabid": kabid, "kasi": kasi, "pelaksana": staff, "fungsional": fj})
    # Last, so every name and NIP above stays as it was before the schools were added.
    roles.update(_schools(rows, people, add_person))
    # Some demo people have an e-mail address (a reserved .example domain: the demo prints mail on
    # the console, never sends it), so the console shows the notifications they get.
    for row in rows:
        if row["tipe"] == "pegawai" and row["nip"] in (roles["pelaksana"], roles["kasi"]):
            row["email"] = demo_email(row["nama"])
    return rows, roles


def demo_email(nama: str) -> str:
    """``hendra.safitri@bengkuluprov.example`` for "Hendra Safitri, S.Si."."""
    words = nama.split(",")[0].removeprefix("Dr. ").lower().split()
    return ".".join(words[:2]) + "@bengkuluprov.example"


# The schools of Dinas Pendidikan dan Kebudayaan, through a Cabang Dinas: (code, school, teachers' levels).
CABANG_DINAS = ("DIKBUD-CD1", "Cabang Dinas Pendidikan dan Kebudayaan Wilayah I")
SCHOOLS = [
    ("DIKBUD-CD1-SMAN2", "SMA Negeri 2 Kota Bengkulu", ["ahli_pertama", "ahli_muda", "ahli_muda", "ahli_madya"]),
    ("DIKBUD-CD1-SMKN1", "SMK Negeri 1 Kota Bengkulu", ["ahli_pertama", "ahli_pertama", "ahli_muda"]),
]


def _schools(rows: list[dict], people: _People, add_person) -> dict[str, str]:
    """A Cabang Dinas (structural head) with two schools, each led by a Kepala Sekolah: a teacher
    with an additional duty, so the school's head post is functional (Guru Ahli Madya) and its
    teachers (guru, with their functional jenjang) are assessed by the Kepala Sekolah."""
    kode_cd, nama_cd = CABANG_DINAS
    rows.append(unit_row(kode_cd, nama_cd, "DIKBUD", "cabdin", f"Kepala {nama_cd}", "administrator"))
    nip, nama = people.person(senior=True)
    roles = {"kacabdin": add_person(kode_cd, nip, nama, f"Kepala {nama_cd}", "administrator", kepala=True)}
    nip, nama = people.person()
    add_person(kode_cd, nip, nama, "Pengelola Data Pendidikan", "pelaksana")
    for n, (kode, sekolah, levels) in enumerate(SCHOOLS):
        post = f"Kepala {sekolah}"
        rows.append(unit_row(kode, sekolah, kode_cd, "sekolah", post, "fungsional", "ahli_madya"))
        nip, nama = people.person(senior=True)
        kepsek = add_person(kode, nip, nama, post, "fungsional", jenjang="ahli_madya", kepala=True)
        for i, level in enumerate(levels):
            nip, nama = people.person()
            guru = add_person(kode, nip, nama, f"Guru {LEVEL_LABEL[level]}", "fungsional", jenjang=level)
            if n == 0 and i == 1:
                roles.update({"kepsek": kepsek, "guru": guru})
    return roles


def kota_rows() -> list[dict]:
    """A small second government, to show that each admin sees only their own."""
    people = _People(seed=1719, first_sequence=900)
    rows = [
        unit_row("PEMKOT", "Pemerintah Kota Bengkulu", "", "pemda", "Wali Kota Bengkulu", "kepala_daerah"),
        _person(
            "PEMKOT",
            "",
            "Ir. Bambang Lubis, M.T.",
            "Wali Kota Bengkulu",
            "kepala_daerah",
            kepala=True,
            status="pejabat_negara",
            username=WALIKOTA_USERNAME,
        ),
        unit_row(
            "BKPSDM",
            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            "PEMKOT",
            "opd",
            "Kepala BKPSDM Kota Bengkulu",
            "jpt_pratama",
        ),
    ]
    nip, nama = people.person(senior=True)
    rows.append(_person("BKPSDM", nip, nama, "Kepala BKPSDM Kota Bengkulu", "jpt_pratama", kepala=True))
    rows.append(
        unit_row(
            "BKPSDM-B1", "Bidang Mutasi BKPSDM", "BKPSDM", "bidang", "Kepala Bidang Mutasi BKPSDM", "administrator"
        )
    )
    nip, nama = people.person(senior=True)
    rows.append(_person("BKPSDM-B1", nip, nama, "Kepala Bidang Mutasi BKPSDM", "administrator", kepala=True))
    for _ in range(6):
        nip, nama = people.person()
        rows.append(_person("BKPSDM-B1", nip, nama, "Pengelola Kepegawaian", "pelaksana"))
    return rows
