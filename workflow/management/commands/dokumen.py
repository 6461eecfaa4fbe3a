"""manage.py dokumen --periode 2026 [--instansi KODE] [--opd KODE] [--jenis JENIS] --out FILE.zip"""

import shutil

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.models import JenisDokumen, PaketDokumen, Periode, Unit
from workflow.selectors.dokumen import skp_for_package
from workflow.services.dokumen import paket_chunk, paket_queue, paket_run
from workflow.services.system import system_user


class Command(BaseCommand):
    help = (
        "Write a ZIP of the documents (PDF) of a period, for one OPD or the whole government: the same "
        "package the admin's page builds in the background, built here synchronously."
    )

    def add_arguments(self, parser):
        parser.add_argument("--periode", type=int, required=True, help="the period's year")
        parser.add_argument("--instansi", default="", help="the government's code (needed when several have the year)")
        parser.add_argument("--opd", default="", help="only this unit (an OPD) and the units below it")
        parser.add_argument(
            "--jenis", default="", choices=["", *JenisDokumen.values], help="one kind of document (default: all)"
        )
        parser.add_argument("--out", required=True, help="where to write the ZIP")

    def handle(self, *args, periode, instansi, opd, jenis, out, **options):
        periods = Periode.objects.filter(tahun=periode).select_related("instansi")
        if instansi:
            periods = periods.filter(instansi__kode=instansi)
        if opd:
            periods = periods.filter(instansi__units__kode=opd).distinct()
        found = list(periods)
        if not found:
            raise CommandError(_("No period %(year)s for that government or OPD.") % {"year": periode})
        if len(found) > 1:
            raise CommandError(
                _("Several governments have a period %(year)s: name one with --instansi.") % {"year": periode}
            )
        target = found[0]
        unit = Unit.objects.filter(instansi_id=target.instansi_id, kode=opd).first() if opd else None
        by = system_user()
        try:
            with transaction.atomic():
                job = paket_queue(periode=target, unit=unit, jenis=jenis, by=by, enqueue=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for nomor, chunk in enumerate(_chunks(job)):
            paket_chunk(job_id=job.pk, skp_ids=chunk, nomor=nomor)
        job = paket_run(job_id=job.pk)
        if job.status != PaketDokumen.Status.DONE:
            raise CommandError(job.galat or _("The package could not be built."))
        with job.berkas.open("rb") as source, open(out, "wb") as target_file:
            shutil.copyfileobj(source, target_file)
        self.stdout.write(
            _("%(count)d documents of %(skp)d appraisals written to %(out)s.")
            % {"count": job.dokumen, "skp": job.diproses, "out": out}
        )


def _chunks(job: PaketDokumen) -> list[list[int]]:
    ids = list(skp_for_package(periode=job.periode, unit=job.unit).values_list("pk", flat=True))
    size = max(1, settings.KINERJA_DOKUMEN_CHUNK_SIZE)  # as paket_queue counted them
    return [ids[i : i + size] for i in range(0, len(ids), size)]
