"""Server time of the heaviest pages on an existing database (the demo, or the demo plus extra
employees), as the roles of the browser tour see them.

    DATABASE_URL=postgres://... python -m bench.page_times [--repeat 5]

Reads, never writes (but the sessions of the logins). For each page: the median and the maximum of
--repeat requests after one untimed warm-up, in milliseconds, the median CPU time of this process
(``cpu_ms``, steadier than wall time on a busy machine) and the number of SQL queries; printed
as JSON. The people are picked from the data: a government admin (BKD), the assessor with the most
staff, an employee with a result, and a superuser for the rules editor."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rules.models import RuleSetVersion
    from workflow.models import Pegawai, PeranAdmin, Skp

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = PeranAdmin.objects.select_related("user").first().user
    assessor = Pegawai.objects.annotate(n=Count("skp_dinilai")).order_by("-n").select_related("user").first()
    scored = Skp.objects.filter(hasil__isnull=False, process__isnull=False).select_related("pegawai__user").first()
    root = get_user_model().objects.filter(is_superuser=True).first()
    live = RuleSetVersion.objects.filter(status="published").order_by("-pk").first()
    periode = scored.periode_id
    tour = [
        (admin, "/kinerja/rekap/"),
        (admin, f"/kinerja/hasil/?periode={periode}"),
        (admin, "/kinerja/terlambat/"),
        (admin, "/kinerja/audit/"),
        (admin, "/appraisal/queue/"),
        (assessor.user, "/appraisal/inbox/"),
        (assessor.user, "/kinerja/tim/"),
        (scored.pegawai.user, f"/appraisal/{scored.process_id}/"),
        (scored.pegawai.user, f"/kinerja/riwayat/{scored.pk}/"),
        (root, f"/aturan/versi/{live.pk}/"),
        (root, f"/aturan/tabel/{live.tables.order_by('pk').first().pk}/"),
    ]
    client, report = Client(), []
    for user, url in tour:
        client.force_login(user)
        client.get(url)  # warm-up
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
        report.append(
            {
                "url": url,
                "as": user.username,
                "status": response.status_code,
                "median_ms": round(statistics.median(times)),
                "max_ms": round(max(times)),
                # this process's CPU only (not the database's): steadier than wall time on a busy machine
                "cpu_ms": round(statistics.median(cpu), 1),
                "queries": len(queries),
                "bytes": len(response.content),
            }
        )
    people = Pegawai.objects.count()
    print(json.dumps({"employees": people, "pages": report}, indent=1))


if __name__ == "__main__":
    main()
