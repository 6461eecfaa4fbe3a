"""Memory and time of reading and checking a 20 MiB organisation file (issue 11).

    python -m bench.import_memory [--mib 20] [--keep DIR]

Generates three files of about --mib MiB each — an XLSX of realistic rows (units with their
head posts, heads, staff with valid NIPs, names with titles, e-mail addresses; strings in the
shared-string table as Excel writes them), the same with a cell at column XFD on every row
(the shape that once padded every row to 16,384 cells), and a CSV of the same rows — then runs
the import's parse and validation (``read_rows`` + ``org_import_check``: what a dry run does
before its simulated write) on each in a child process of its own, against a scratch SQLite
database. Prints JSON: per file its size, rows, the child's peak RSS (``ru_maxrss`` from
``os.wait4``), the child's RSS before reading (Django loaded, file bytes in memory) and the
seconds the parse and check took. The target: peak RSS under 300 MB for a 20 MiB file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
# The children run the production settings (DEBUG off), which need a key from the environment.
os.environ.setdefault("SECRET_KEY", "django-insecure-kinerja-bench-only")
MiB = 2**20

COLUMNS = [
    "tipe",
    "kode_unit",
    "nama_unit",
    "kode_unit_induk",
    "jenis_unit",
    "nip",
    "nama",
    "status_kepegawaian",
    "jabatan",
    "jenis_jabatan",
    "jenjang",
    "kepala_unit",
    "email",
    "aktif",
    "username",
]
FIRST = [
    "Ahmad",
    "Budi",
    "Dewi",
    "Eka",
    "Fitri",
    "Hendra",
    "Indah",
    "Joko",
    "Kurnia",
    "Lestari",
    "Muhammad",
    "Nur",
    "Putri",
    "Rahmat",
    "Siti",
    "Teguh",
    "Wahyu",
    "Yuni",
    "Zulkifli",
    "Agus",
    "Rina",
    "Sri",
    "Bambang",
    "Ratna",
]
LAST = [
    "Hakim",
    "Safitri",
    "Wijaya",
    "Saputra",
    "Lubis",
    "Siregar",
    "Nasution",
    "Hidayat",
    "Pratama",
    "Kurniawan",
    "Rahayu",
    "Santoso",
    "Setiawan",
    "Utami",
    "Gunawan",
    "Harahap",
    "Syahputra",
    "Permana",
    "Wibowo",
    "Susanti",
]
TITLES = ["", "S.E.", "S.Kom.", "S.K.M.", "S.Si.", "S.H.", "S.Sos.", "S.T.", "M.Si.", "S.Pd.", "A.Md."]
PELAKSANA = [
    "Pengadministrasi Umum",
    "Pengelola Keuangan",
    "Pengolah Data",
    "Pengelola Program dan Kegiatan",
    "Analis Kebijakan",
    "Pengadministrasi Perkantoran",
    "Pengelola Barang Milik Negara",
]
FUNGSIONAL = [
    ("Epidemiolog Kesehatan", "ahli_pertama"),
    ("Perencana", "ahli_muda"),
    ("Analis SDM Aparatur", "ahli_pertama"),
    ("Arsiparis", "terampil"),
    ("Pranata Komputer", "ahli_muda"),
    ("Auditor", "ahli_madya"),
]


def nip(i: int, pppk: bool = False) -> str:
    """A PNS's NIP (appointment year and month) or a PPPK's NI PPPK (appointment year, then 21)."""
    born = dt.date(1966, 1, 1) + dt.timedelta(days=(i // 999) % 12000)
    code = "21" if pppk else f"{born.month:02d}"
    return f"{born:%Y%m%d}{born.year + 25:04d}{code}{1 + i % 2}{i % 999 + 1:03d}"


def org_rows(employees: int, seed: int = 11):
    """Rows of one government: ~25 people per seksi, 3 seksi per bidang, 4 bidang per OPD."""
    rnd = random.Random(seed)
    per_seksi, seksi_per_bidang, bidang_per_opd = 25, 3, 4
    opds = max(1, employees // (per_seksi * seksi_per_bidang * bidang_per_opd))
    yield {
        "tipe": "unit",
        "kode_unit": "PEMDA",
        "nama_unit": "Pemerintah Provinsi",
        "jenis_unit": "pemda",
        "jabatan": "Gubernur",
        "jenis_jabatan": "kepala_daerah",
    }
    yield {
        "tipe": "pegawai",
        "kode_unit": "PEMDA",
        "nama": "Gubernur",
        "username": "gubernur",
        "status_kepegawaian": "pejabat_negara",
        "jabatan": "Gubernur",
        "jenis_jabatan": "kepala_daerah",
        "kepala_unit": "ya",
    }
    n = 0

    def person(kode, jabatan, jenis, kepala="tidak", jenjang=""):
        nonlocal n
        n += 1
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        title = rnd.choice(TITLES)
        return {
            "tipe": "pegawai",
            "kode_unit": kode,
            "nip": nip(n, pppk=not n % 7),
            "nama": f"{first} {last}" + (f", {title}" if title else ""),
            "status_kepegawaian": "PNS" if n % 7 else "PPPK",
            "jabatan": jabatan,
            "jenis_jabatan": jenis,
            "jenjang": jenjang,
            "kepala_unit": kepala,
            "email": f"{first.lower()}.{last.lower()}{n}@bengkuluprov.go.id",
            "aktif": "ya",
        }

    for o in range(1, opds + 1):
        opd = f"OPD-{o:03d}"
        head = f"Kepala Dinas {o:03d}"
        yield {
            "tipe": "unit",
            "kode_unit": opd,
            "nama_unit": f"Dinas {o:03d}",
            "kode_unit_induk": "PEMDA",
            "jenis_unit": "opd",
            "jabatan": head,
            "jenis_jabatan": "jpt_pratama",
        }
        yield person(opd, head, "jpt_pratama", kepala="ya")
        for b in range(1, bidang_per_opd + 1):
            bidang = f"{opd}-B{b}"
            head = f"Kepala Bidang {b} Dinas {o:03d}"
            yield {
                "tipe": "unit",
                "kode_unit": bidang,
                "nama_unit": f"Bidang {b} Dinas {o:03d}",
                "kode_unit_induk": opd,
                "jenis_unit": "bidang",
                "jabatan": head,
                "jenis_jabatan": "administrator",
            }
            yield person(bidang, head, "administrator", kepala="ya")
            for s in range(1, seksi_per_bidang + 1):
                seksi = f"{bidang}-S{s}"
                head = f"Kepala Seksi {s} Bidang {b} Dinas {o:03d}"
                yield {
                    "tipe": "unit",
                    "kode_unit": seksi,
                    "nama_unit": f"Seksi {s} Bidang {b} Dinas {o:03d}",
                    "kode_unit_induk": bidang,
                    "jenis_unit": "seksi",
                    "jabatan": head,
                    "jenis_jabatan": "pengawas",
                }
                yield person(seksi, head, "pengawas", kepala="ya")
                for _ in range(per_seksi - 1):
                    if rnd.random() < 0.3:
                        jabatan, jenjang = rnd.choice(FUNGSIONAL)
                        yield person(
                            seksi, f"{jabatan} {jenjang.replace('_', ' ').title()}", "fungsional", jenjang=jenjang
                        )
                    else:
                        yield person(seksi, rnd.choice(PELAKSANA), "pelaksana")


def write_csv(path: Path, employees: int) -> int:
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for row in org_rows(employees):
            writer.writerow(row)
            rows += 1
    return rows


def _col(i: int) -> str:
    name = ""
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Organisasi" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
)


def write_xlsx(path: Path, employees: int, *, xfd: bool) -> int:
    """An XLSX as Excel lays it out (strings in the shared-string table, empty cells left out); with
    ``xfd`` every row, header included, also has a cell at column XFD."""
    strings: dict[str, int] = {}
    letters = [_col(i + 1) for i in range(len(COLUMNS))]

    def cell(ref: str, value: str) -> str:
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    rows = 0
    count = 1 + sum(1 for _ in org_rows(employees))
    all_rows = itertools.chain([dict(zip(COLUMNS, COLUMNS, strict=True))], org_rows(employees))
    last = "XFD" if xfd else letters[-1]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:{last}{count}"/><sheetData>'.encode()
            )
            buffer = io.StringIO()
            for r, row in enumerate(all_rows, start=1):
                cells = "".join(
                    cell(f"{letter}{r}", row[c]) for letter, c in zip(letters, COLUMNS, strict=True) if row.get(c)
                )
                if xfd:
                    cells += cell(f"XFD{r}", "catatan")
                buffer.write(f'<row r="{r}">{cells}</row>')
                if r % 5000 == 0:
                    sheet.write(buffer.getvalue().encode())
                    buffer = io.StringIO()
                rows += 1
            sheet.write((buffer.getvalue() + "</sheetData></worksheet>").encode())
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()
            )
            shared.write("".join(f"<si><t>{escape(s)}</t></si>" for s in strings).encode())
            shared.write(b"</sst>")
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
    return rows - 1


def sized(path: Path, write, target: int) -> int:
    """Write the file with as many employees as make it ``target`` bytes (within about 2 %)."""
    employees = 20000
    for _ in range(4):
        rows = write(path, employees)
        size = path.stat().st_size
        if abs(size - target) <= target * 0.02:
            break
        employees = int(employees * target / size)
    return rows


WRITERS = {
    "xlsx": lambda path, n: write_xlsx(path, n, xfd=False),
    "xlsx_xfd": lambda path, n: write_xlsx(path, n, xfd=True),
    "csv": write_csv,
}


def generate(kind: str, path: Path, target: int) -> int:
    """Write one file in a child process, so this process stays small: a child starts with the
    resident size of the process it was forked from, and that would count in its peak."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_memory", "--generate", kind, str(path), str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def run_child(path: Path, database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "KINERJA_IMPORT_MAX_ROWS": str(10**7),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.import_memory", "--child", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child failed on {path.name} ({proc.returncode})")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux: kilobytes
    return figures


def child(path: Path) -> None:
    import django

    django.setup()
    from workflow.models import Instansi
    from workflow.services.org_import import org_import_check, read_rows

    instansi = Instansi.objects.get(kode="BENCH")
    data = path.read_bytes()
    before = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))  # noqa: SIM115
    started = time.perf_counter()
    rows = org_import_check(instansi=instansi, rows=read_rows(data, path.name))
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "rss_before_read_mb": round(before / 1024, 1), "seconds": round(seconds, 1)}))


def prepare_database(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings"}
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from workflow.models import Instansi; "
        "Instansi.objects.get_or_create(kode='BENCH', defaults={'nama': 'Pemerintah Provinsi Bench', "
        "'jenis': 'provinsi'})"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=float, default=20)
    parser.add_argument("--keep", default="", help="write the generated files here and keep them")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    if args.generate:
        kind, path, target = args.generate
        print(sized(Path(path), WRITERS[kind], int(target)))
        return
    target = int(args.mib * MiB)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(scratch) / 'bench-import.sqlite3'}"
        prepare_database(url)
        result = {}
        for kind, name in (("xlsx", "org.xlsx"), ("xlsx_xfd", "org-xfd.xlsx"), ("csv", "org.csv")):
            path = folder / name
            rows = generate(kind, path, target)
            figures = run_child(path, url)
            assert figures["rows"] == rows, (figures, rows)
            result[kind] = {"bytes": path.stat().st_size, **figures}
        result["target_peak_rss_mb"] = 300
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
