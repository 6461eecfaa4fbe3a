"""Benchmark of the pages a person opens, over HTTP, against gunicorn with production settings.

    python -m bench.http [--extra 16000] [--reuse] [--workers 2] [--duration 5] [--json FILE]
                         [--posts 400] [--conn-max-age 0] [--database-url URL]

Builds a PostgreSQL database with the demo (``seed_demo --simulate``) and ``--extra`` more employees
of the province (one more OPD of seksi of 25 staff), opens the 2026 period for them (one open task
each), then starts gunicorn with ``DEBUG=false`` (static files collected and served by WhiteNoise)
and measures with wrk (the Debian package) each role's pages and the login page, the framework's
floor, in the same run: p50/p95/p99 and requests/s with 1 and with 8 concurrent clients, and each
page's ratio to the floor (p50 with one client). Then a POST mix: task completions per second over
HTTP (plan submit, plan approval, the midyear self-review and review) with 8 client processes, each
completion as a person does it: the task found in the inbox (``--find appraisal``: on the appraisal
page), its page, the POST (its redirect, to the inbox, is where the next task is found).

``--reuse`` keeps a database built by an earlier run with the same ``--extra`` (it is rebuilt when
missing; the POST mix uses up employees, so a reused database needs ``--posts`` left in it).

Prints a table and JSON (also written to ``--json``). TLS is not measured: gunicorn is reached
directly, with the secure-cookie and HTTPS-redirect settings relaxed for plain HTTP.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import multiprocessing
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import gunicorn

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench"  # noqa: S105 - the extra employees' password, bench databases only


# --- the database ---------------------------------------------------------------------------------


def _admin_conn(url: str):
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


def database_ready(url: str, extra: int) -> bool:
    """A database built by an earlier run with ``extra`` employees (its marker table says so)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with _admin_conn(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass('bench_http_built')").fetchone()
        if row[0] is None:
            return False
        return conn.execute("SELECT extra FROM bench_http_built").fetchone()[0] == extra


def setup_django(url: str, conn_max_age: int = 0) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DB_CONN_MAX_AGE"] = str(conn_max_age)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("SECRET_KEY", "django-insecure-kinerja-bench-only")
    # the audit anchor's line per committed write and Celery's per eager task would bury the figures
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(url: str, extra: int) -> None:
    """Drop and build the database: the simulated demo, ``extra`` employees, the period opened."""
    name = url.rsplit("/", 1)[1]
    with _admin_conn(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        from workflow.demo.seed import demo_seed

        demo_seed(out=_Quiet(), simulate=True)
    print(f"demo built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if extra:
        started = time.perf_counter()
        add_employees(extra)
        print(f"{extra} employees added in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        started = time.perf_counter()
        open_for_extra()
        print(f"period opened for them in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_http_built (extra integer)")
        cur.execute("INSERT INTO bench_http_built VALUES (%s)", [extra])
    _analyze()


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


class _Quiet:
    def write(self, *args, **kwargs):
        pass


def add_employees(n: int) -> None:
    """``n`` more employees of the province: one OPD, one bidang, seksi of 25 staff and their heads.
    Bulk-created (the set-up is not what is measured); NIPs of their own range."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from workflow.demo import org as demo
    from workflow.models import Instansi, Jabatan, Pegawai, Unit
    from workflow.nip import make_nip

    instansi = Instansi.objects.get(kode=demo.PROVINSI[0])
    root = Unit.objects.get(instansi=instansi, parent=None)
    password = make_password(BENCH_PASSWORD)
    seq = iter(range(500_000, 10**7))

    def head(kode, nama, jenis, parent, post_jenis):
        post = Jabatan.objects.create(instansi=instansi, nama=f"Kepala {nama}", jenis=post_jenis)
        return Unit.objects.create(
            instansi=instansi, kode=kode, nama=nama, jenis=jenis, parent=parent, jabatan_kepala=post
        )

    def person(unit, jabatan):
        i = next(seq)
        born = dt.date(1970 + i % 30, 1 + (i // 30) % 12, 1 + (i // 360) % 28)
        return Pegawai(
            instansi=instansi,
            nip=make_nip(born, born.year + 25, 1 + i % 12, 1 + i % 2, (i // 10080) % 999 + 1),
            nama=f"Pegawai Uji {i}",
            status_kepegawaian="PNS",
            unit=unit,
            jabatan=jabatan,
        )

    opd = head("BENCH-OPD", "Dinas Uji Beban", "opd", root, "jpt_pratama")
    bidang = head("BENCH-B", "Bidang Uji Beban", "bidang", opd, "administrator")
    staff_post = Jabatan.objects.create(instansi=instansi, nama="Pelaksana Uji", jenis="pelaksana")
    people = [person(opd, opd.jabatan_kepala), person(bidang, bidang.jabatan_kepala)]
    s = 0
    while len(people) < n:
        seksi = head(f"BENCH-S{s}", f"Seksi Uji {s}", "seksi", bidang, "pengawas")
        people.append(person(seksi, seksi.jabatan_kepala))
        people += [person(seksi, staff_post) for _ in range(min(25, n - len(people)))]
        s += 1
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=p.nip, password=password) for p in people], batch_size=2000
    )
    for p, u in zip(people, users, strict=True):
        p.user = u
    Pegawai.objects.bulk_create(people, batch_size=2000)


def open_for_extra() -> None:
    """Open the province's 2026 period for everyone without an appraisal (the extra employees):
    the admin's opening, its chunks run in-process."""
    from workflow.demo import org as demo
    from workflow.models import PembukaanPeriode, Periode
    from workflow.services.period_open import period_open
    from workflow.services.system import system_user

    periode = Periode.objects.get(instansi__kode=demo.PROVINSI[0], tahun=2026)
    job = period_open(periode=periode, by=system_user())
    job.refresh_from_db()
    assert job.status == PembukaanPeriode.Status.DONE, job.status


# --- what is measured -----------------------------------------------------------------------------


def scenario() -> dict:
    """The logins and the pages of each role, looked up in the built database."""

    from rules.models import RuleSetVersion
    from workflow.demo import org as demo
    from workflow.models import Pegawai, Skp

    _, roles = demo.provinsi_rows()
    kasi = Pegawai.objects.get(nip=roles["kasi"])
    pelaksana = Pegawai.objects.get(nip=roles["pelaksana"])
    own = Skp.objects.filter(pegawai=pelaksana, periode__tahun=2026).order_by("urutan").first()
    version = RuleSetVersion.objects.order_by("-pk").first()
    pages = {
        "employee": [
            ("home", "/kinerja/"),
            ("inbox", "/kinerja/kotak-masuk/"),
            ("appraisal", f"/appraisal/{own.process_id}/"),
        ],
        "assessor": [
            ("home", "/kinerja/"),
            ("inbox", "/kinerja/kotak-masuk/"),
            ("team", "/kinerja/tim/"),
        ],
        "admin": [
            ("home", "/kinerja/"),
            ("queue", "/kinerja/antrian/"),
            ("progress_opd", "/kinerja/rekap/"),
            ("audit_search", "/kinerja/audit/"),
            ("rules_version", f"/aturan/versi/{version.pk}/"),
        ],
    }
    pw = demo.DEMO_PASSWORD
    logins = {"employee": (pelaksana.nip, pw), "assessor": (kasi.nip, pw), "admin": ("admin.bkd", pw)}
    return {"pages": pages, "logins": logins}


def review_page(item: dict) -> tuple[str, str]:
    """The plan of ``item``'s employee submitted (services): its assessor's approval page."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflow.models import JenisRhk, Skp
    from workflow.selectors.appraisal import assessor_plan
    from workflow.services import appraisal as svc

    skp = Skp.objects.select_related("pegawai__user").get(process_id=item["process"])
    atasan = [r.pk for r in assessor_plan(skp).choices if r.jenis == JenisRhk.UTAMA]
    rows = [
        svc.RhkInput(
            jenis=JenisRhk.UTAMA,
            teks=f"Hasil kerja {i}",
            indikator="Persentase layanan",
            target="95",
            satuan="%",
            rhk_atasan_id=atasan[0] if atasan else None,
        )
        for i in range(3)
    ]
    if skp.status in ("draft", "dikembalikan"):
        svc.plan_submit(skp=skp, by=skp.pegawai.user, pendekatan="kuantitatif", rows=rows)
    task = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    return item["assessor"], f"/appraisal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def post_candidates(count: int) -> list[dict]:
    """Extra employees whose plan task is open, with their assessor's login: ``count`` of them."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflow.flows import AppraisalFlow
    from workflow.models import Skp

    skps = (
        Skp.objects.filter(pegawai__unit__kode__startswith="BENCH-S", pegawai__jabatan__jenis="pelaksana")
        .filter(process__task__status=STATUS.ASSIGNED, process__task__flow_task=AppraisalFlow.draft_plan)
        .select_related("pegawai", "penilai__user")
        .order_by("pk")[:count]
    )
    del Task
    return [{"employee": s.pegawai.nip, "assessor": s.penilai.nip, "process": s.process_id} for s in skps]


def heads_approved(items: list[dict]) -> None:
    """The plans of the POST mix's assessors approved through the services, up the chain (a core
    RHK must support one of the assessor's): then their staff can submit theirs."""
    from workflow.models import JenisRhk, NilaiPerilaku, Skp, StatusSkp
    from workflow.selectors.appraisal import assessor_plan
    from workflow.services import appraisal as svc

    expectations = dict.fromkeys(NilaiPerilaku.values, "Ekspektasi")

    def approved(skp):
        skp.refresh_from_db()
        if skp.status not in (StatusSkp.DRAFT, StatusSkp.DIKEMBALIKAN, StatusSkp.DIAJUKAN):
            return
        link = assessor_plan(skp)
        if link.required and link.waiting:
            approved(link.assessor_skp)
            link = assessor_plan(skp)
        atasan = [r.pk for r in link.choices if r.jenis == JenisRhk.UTAMA] if link.required else []
        rows = [
            svc.RhkInput(
                jenis=JenisRhk.UTAMA,
                teks=f"Hasil kerja {i}",
                indikator="Persentase layanan",
                target="95",
                satuan="%",
                rhk_atasan_id=atasan[i % len(atasan)] if atasan else None,
            )
            for i in range(2)
        ]
        if skp.status != StatusSkp.DIAJUKAN:
            svc.plan_submit(skp=skp, by=skp.pegawai.user, pendekatan="kuantitatif", rows=rows)
        svc.plan_decide(skp=skp, by=skp.penilai.user, approve=True, expectations=expectations)

    for nip in sorted({it["assessor"] for it in items}):
        approved(
            Skp.objects.select_related("pegawai__user", "penilai__user").get(pegawai__nip=nip, periode__tahun=2026)
        )


# --- HTTP -----------------------------------------------------------------------------------------


def server_env(url: str, var_dir: str, conn_max_age: int, cache_url: str = "") -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "kinerja-bench-http-" + "x" * 40,
        "DB_CONN_MAX_AGE": str(conn_max_age),
        "KINERJA_CACHE_URL": cache_url,
        "KINERJA_CACHE_PREFIX": "kinerja-bench-http",
        "KINERJA_VAR_DIR": var_dir,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": "",
        "LOG_LEVEL": "WARNING",
    }


class _Reply:
    def __init__(self, status_code: int, text: str):
        self.status_code, self.text = status_code, text


class LightSession:
    """The POST mix's browser: HTTP/1.1 over ``http.client`` with a cookie jar, no redirects
    followed. The clients share the machine's two cores with the server they measure, so they must
    cost little: ``requests`` spends ~1.5 ms of CPU on a request, this a fifth of it. Answers as
    much of ``requests.Session`` as the mix uses (``get``, ``post``, ``cookies``)."""

    def __init__(self, base: str):
        import http.client
        import urllib.parse

        parts = urllib.parse.urlsplit(base)
        self._base, self._urlencode = base, urllib.parse.urlencode
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, url: str, body: str | None = None, headers: dict | None = None) -> _Reply:
        import http.client

        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} | (headers or {})
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        path = url[len(self._base) :] if url.startswith(self._base) else url
        for attempt in (1, 2):  # a connection the server closed after its last answer is opened again
            try:
                self._conn.request(method, path, body=body, headers=head)
                reply = self._conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                self._conn.close()
                if attempt == 2:
                    raise
        text = reply.read().decode()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return _Reply(reply.status, text)

    def get(self, url: str, params: dict | None = None) -> _Reply:
        return self._send("GET", url + ("?" + self._urlencode(params) if params else ""))

    def post(self, url: str, data: dict, headers: dict | None = None, allow_redirects: bool = False) -> _Reply:
        assert not allow_redirects, "the mix's POSTs answer with a redirect, which it does not follow"
        return self._send("POST", url, self._urlencode(data), headers)


def login(base: str, username: str, password: str, *, light: bool = False):
    """A signed-in session (``light``: a ``LightSession``, else a ``requests.Session``)."""
    import requests

    s = LightSession(base) if light else requests.Session()
    s.get(f"{base}/accounts/login/")
    r = s.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {r.status_code}")
    return s


_WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f, \\"requests\\": %d, \\"errors\\": %d, \\"non2xx\\": %d}\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk(url: str, cookie: str | None, clients: int, duration: float, script: str) -> dict:
    cmd = [
        "wrk",
        "-t",
        str(min(clients, 2)),
        "-c",
        str(clients),
        "-d",
        f"{max(1, round(duration))}s",
        "-s",
        script,
        "--timeout",
        "10s",
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    data = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    data["rps"] = round(data.pop("requests") / max(1, round(duration)), 1)
    for k in ("p50", "p95", "p99"):
        data[k] = round(data[k], 2)
    return data


def measure_pages(base: str, scen: dict, duration: float, warm: float) -> list[dict]:
    import requests

    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(_LUA)
    script.close()
    targets = [("floor", "login", "/accounts/login/", None)]
    for role, pages in scen["pages"].items():
        s = login(base, *scen["logins"][role])
        cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
        for name, path in pages:
            r = s.get(base + path)  # a page that redirects (home) is measured where it leads
            if r.status_code != 200:
                raise RuntimeError(f"{role} {path}: {r.status_code}")
            path = r.url[len(base) :]
            targets.append((role, name, path, cookie))
    rows = []
    for role, name, path, cookie in targets:
        wrk(base + path, cookie, 1, warm, script.name)  # warm-up: templates compiled, caches filled
        row = {"role": role, "page": name, "path": path}
        for clients in (1, 8):
            row[f"c{clients}"] = wrk(base + path, cookie, clients, duration, script.name)
        rows.append(row)
        print(f"  {role:9} {name:14} p50 {row['c1']['p50']:7.2f} ms", file=sys.stderr)
    floor = rows[0]["c1"]["p50"]
    for row in rows:
        row["ratio"] = round(row["c1"]["p50"] / floor, 1)
    os.unlink(script.name)
    del requests
    return rows


# --- the POST mix ---------------------------------------------------------------------------------


_TAG = re.compile(r"<(/?)(form|input|select|option|textarea)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _attrs(text: str) -> dict:
    return {m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(text)}


def form_fields(page: str, fill: dict) -> dict:
    """The fields of the page's task form (the one posting to the page itself) with their default
    values, as a browser would send them, and ``fill``'s value (by name pattern) for each left
    empty. The client's share of the machine counts against the server's (they share its cores),
    so the markup is scanned with regular expressions instead of an HTML parser (a tenth of the
    CPU; the pages' markup is the product's own)."""
    fields: dict[str, list] = {}  # name -> [value, kind]
    in_form, select, selected = False, None, {}
    for m in _TAG.finditer(page):
        closing, tag, a = m[1], m[2].lower(), _attrs(m[3]) if not m[1] else {}
        if tag == "form":
            in_form = (
                not closing and a.get("method", "").lower() == "post" and not a.get("action", "").startswith("/i18n")
            )
            continue
        if not in_form:
            continue
        if closing:
            select = None if tag == "select" else select
            continue
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "radio" and "checked" not in a:
                fields.setdefault(name, ["", "radio"])  # filled in below unless one is checked
            elif kind == "radio":
                fields.pop(name, None)
                fields[name] = [a.get("value", ""), kind]
            elif kind not in ("submit", "button", "file") and (kind != "checkbox" or "checked" in a):
                fields[name] = [a.get("value", ""), kind]
        elif tag == "select" and name:
            select, fields[name] = name, [None, "select"]
        elif tag == "option" and select and a.get("value", ""):
            if selected.get(select) is None or "selected" in a:
                selected[select] = a["value"]
        elif tag == "textarea" and name:
            close = page.find("</textarea", m.end())
            fields[name] = [html.unescape(page[m.end() : close]) if close >= 0 else "", "textarea"]
    out = {}
    for name, (value, kind) in fields.items():
        if kind == "select":
            value = selected.get(name, "")
        for pattern, filler in fill.items():
            if re.search(pattern, name) and not value.strip():
                value = filler
        out[name] = value
    return out


def _plan(csrf: str) -> dict:
    data = {
        "csrfmiddlewaretoken": csrf,
        "skp-pendekatan": "kuantitatif",
        "rhk-TOTAL_FORMS": "2",
        "rhk-INITIAL_FORMS": "0",
        "rhk-MIN_NUM_FORMS": "0",
        "rhk-MAX_NUM_FORMS": "30",
        "ajukan": "1",
    }
    for i, jenis in enumerate(("utama", "tambahan")):
        data |= {
            f"rhk-{i}-jenis": jenis,
            f"rhk-{i}-teks": f"Hasil kerja uji {i}",
            f"rhk-{i}-aspek": "kuantitas",
            f"rhk-{i}-indikator": "Persentase layanan",
            f"rhk-{i}-target": "95",
            f"rhk-{i}-satuan": "%",
        }
    return data


def _open_task_url(base: str, session, process: int, step: str, find: str = "inbox", nip: str = "") -> str | None:
    """The execute address of the open ``step`` task of ``process``, found where a person finds
    it: ``inbox``, the person's inbox (where each completed task also returns them; an assessor
    whose team's tasks fill more than its first page searches it for the employee's ``nip``);
    ``appraisal``, the appraisal page."""
    pattern = rf"/appraisal/{process}/{step}/(\d+)/"
    if find == "inbox":
        r = session.get(f"{base}/kinerja/kotak-masuk/")
        if nip and not re.search(pattern, r.text):
            r = session.get(f"{base}/kinerja/kotak-masuk/", params={"q": nip})
    else:
        r = session.get(f"{base}/appraisal/{process}/")
    m = re.search(pattern, r.text)
    return f"{base}/appraisal/{process}/{step}/{m.group(1)}/execute/" if m else None


_FILL = {
    r"keputusan$": "setujui",
    r"^ekspektasi_": "Ekspektasi yang diharapkan",
    r"realisasi": "Capaian sesuai target",
    r"^iki_\d+$": "90",
    r"^rating_|umpan_balik.*rating|-rating$": "sesuai",
}


def _complete(base: str, session, url: str, data: dict | None) -> bool:
    page = session.get(url)
    if page.status_code != 200:
        return False
    csrf = session.cookies.get("csrftoken")
    filled = form_fields(page.text, _FILL)
    if data is None:
        data = filled
    else:  # the plan: the rows above, each core one supporting the assessor's first RHK
        data |= {k: v for k, v in filled.items() if k.endswith("rhk_atasan")}
    data["csrfmiddlewaretoken"] = csrf
    r = session.post(url, data=data, headers={"Referer": url}, allow_redirects=False)
    return r.status_code == 302


def _post_worker(base: str, items: list[dict], password: str, start, results, find: str = "inbox") -> None:
    """Plan submit (employee), approval (assessor), midyear self-review (employee), review
    (assessor), each through its page: GET then POST, as a browser does."""
    sessions: dict[str, object] = {}

    def session(nip):
        if nip not in sessions:
            sessions[nip] = login(base, nip, password, light=True)
        return sessions[nip]

    for it in items:  # log in before the clock starts
        session(it["employee"]), session(it["assessor"])
    start.wait()
    done, failed, t0, cpu0 = 0, 0, time.perf_counter(), time.process_time()
    for it in items:
        emp, ass, process = session(it["employee"]), session(it["assessor"]), it["process"]
        steps = [
            (emp, "draft_plan", lambda: _plan(""), ""),
            (ass, "approve_plan", lambda: None, it["employee"]),
            (emp, "self_review", lambda: None, ""),
            (ass, "review", lambda: None, it["employee"]),
        ]
        for who, step, data, nip in steps:
            url = _open_task_url(base, who, process, step, find, nip)
            if url and _complete(base, who, url, data()):
                done += 1
            else:
                failed += 1
                break
    results.put((done, failed, time.perf_counter() - t0, time.process_time() - cpu0))


def _cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each process (from /proc; gone processes are left out)."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _db_backends(url: str) -> list[int]:
    with _admin_conn(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [url.rsplit("/", 1)[1]]
        ).fetchall()
    return [r[0] for r in rows]


def server_cpu(server_pid: int, url: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn workers and of the database's backends."""
    return {"web": _cpu_seconds(_children(server_pid)), "db": _cpu_seconds(_db_backends(url))}


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    return {kind: round(sum(t - before[kind].get(pid, 0.0) for pid, t in after[kind].items()), 2) for kind in after}


def merge_samples(seen: dict, sample: dict) -> dict:
    """``seen`` with each process's latest CPU from ``sample``: a process gone since (a database
    connection closed by its age and opened again) keeps what it had spent when last seen instead
    of dropping out of the sum; only what it spent after that sample is missed."""
    return {kind: {**seen.get(kind, {}), **sample[kind]} for kind in sample}


def post_mix(base: str, items: list[dict], clients: int, password: str, find: str = "inbox", probe=None) -> dict:
    """``probe``: returns the server's CPU so far (``server_cpu``), asked when the clients start
    (logged in) and every half second until they are done."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(clients + 1), ctx.Queue()
    shares = [items[i::clients] for i in range(clients)]
    procs = [ctx.Process(target=_post_worker, args=(base, s, password, start, results, find)) for s in shares]
    for p in procs:
        p.start()
    start.wait()
    before = probe() if probe else None
    t0 = time.perf_counter()
    out, seen = [], before
    while len(out) < len(procs):  # the server's processes sampled every half second while the clients run
        with contextlib.suppress(queue.Empty):
            out.append(results.get(timeout=0.5))
        if probe:
            seen = merge_samples(seen, probe())
    elapsed = time.perf_counter() - t0
    spent = cpu_spent(before, seen) if probe else {}
    for p in procs:
        p.join()
    done, failed = sum(o[0] for o in out), sum(o[1] for o in out)
    per = 1000 / max(done, 1)
    return {
        # what a completion costs, whatever else runs on the machine (CPU time, not wall time)
        "web_cpu_ms_per_completion": round(spent["web"] * per, 1) if spent else None,
        "db_cpu_ms_per_completion": round(spent["db"] * per, 1) if spent else None,
        "client_cpu_ms_per_completion": round(sum(o[3] for o in out) * per, 1),
        "completions": done,
        "failed": failed,
        "seconds": round(elapsed, 1),
        "completions_per_s": round(done / elapsed, 1),
        "clients": clients,
        "find": find,
    }


# --- output ---------------------------------------------------------------------------------------


def table(result: dict) -> str:
    lines = [
        f"bench.http  extra={result['extra']}  workers={result['workers']}  duration={result['duration']}s",
        f"{'role':9} {'page':14} {'p50':>7} {'p95':>7} {'p99':>7} {'rps':>7} | {'p50@8':>7} {'p95@8':>7} "
        f"{'p99@8':>7} {'rps@8':>7} | {'×floor':>6}",
    ]
    for r in result["pages"]:
        a, b = r["c1"], r["c8"]
        lines.append(
            f"{r['role']:9} {r['page']:14} {a['p50']:7.2f} {a['p95']:7.2f} {a['p99']:7.2f} {a['rps']:7.1f} | "
            f"{b['p50']:7.2f} {b['p95']:7.2f} {b['p99']:7.2f} {b['rps']:7.1f} | {r['ratio']:6.1f}"
        )
    if result.get("posts"):
        p = result["posts"]
        lines.append(
            f"POST mix: {p['completions']} task completions ({p['failed']} failed) in {p['seconds']} s "
            f"with {p['clients']} clients: {p['completions_per_s']}/s "
            f"(each task found in the {p.get('find', 'appraisal')} page)"
        )
        lines.append(
            f"  CPU per completion: web {p.get('web_cpu_ms_per_completion')} ms, database "
            f"{p.get('db_cpu_ms_per_completion')} ms, clients {p.get('client_cpu_ms_per_completion')} ms"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", type=int, default=16000, help="employees added to the demo")
    parser.add_argument("--reuse", action="store_true", help="keep a database built with the same --extra")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--warm", type=float, default=1, help="seconds of untimed warm-up per page")
    parser.add_argument("--posts", type=int, default=200, help="employees taken through the POST mix (0: none)")
    parser.add_argument("--clients", type=int, default=8, help="client processes of the POST mix")
    parser.add_argument(
        "--find",
        choices=("inbox", "appraisal"),
        default="inbox",
        help="where the POST mix finds each task: the person's inbox (as a person does; an assessor "
        "searches it for the employee's NIP) or the appraisal page",
    )
    parser.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/3",
        help="KINERJA_CACHE_URL of the server, as in production (empty: one local-memory cache per worker)",
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the server")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    parser.add_argument("--skip-pages", action="store_true", help="only the POST mix")
    parser.add_argument("--json", help="write the JSON here too")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kinerja_perf_http")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    if not (args.reuse and database_ready(args.database_url, args.extra)):
        build(args.database_url, args.extra)
    else:
        setup_django(args.database_url)
    if args.build_only:
        return
    from django.db import connections

    scen = scenario()
    items = post_candidates(args.posts + 1)
    heads_approved(items)
    reviewer, review_url = review_page(items.pop(0))  # an approval page (plan of 3 RHK) of a seksi head
    scen["pages"]["reviewer"] = [("review", review_url)]
    scen["logins"]["reviewer"] = (reviewer, BENCH_PASSWORD)
    items = items[: args.posts]
    connections.close_all()
    var_dir = ROOT / "var" / "bench-http"  # static files, media and audit anchor of the server
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(args.database_url, str(var_dir), args.conn_max_age, args.cache_url)
    if not (args.reuse and (var_dir / "static" / "staticfiles.json").exists()):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    server = gunicorn.start(env, workers=args.workers)
    base = server.base
    try:
        pages = [] if args.skip_pages else measure_pages(base, scen, args.duration, args.warm)
        posts = None
        if items:
            probe = lambda: server_cpu(server.process.pid, args.database_url)  # noqa: E731
            posts = post_mix(base, items, args.clients, BENCH_PASSWORD, args.find, probe)
    finally:
        server.stop()
    result = {
        "extra": args.extra,
        "workers": args.workers,
        "duration": args.duration,
        "conn_max_age": args.conn_max_age,
        "cache_url": args.cache_url,
        "floor_p50_ms": pages[0]["c1"]["p50"] if pages else None,
        "pages": pages,
        "posts": posts,
    }
    print(table(result))
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
