"""manage.py open_period --instansi KODE --tahun 2026 [--unit KODE]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflow.models import Periode, Unit
from workflow.services.period_open import period_open
from workflow.services.system import system_user


class Command(BaseCommand):
    help = "Open a period: one appraisal process per active employee (rerunning creates no duplicates)."

    def add_arguments(self, parser):
        parser.add_argument("--instansi", required=True)
        parser.add_argument("--tahun", type=int, required=True)
        parser.add_argument("--unit", default="", help="only this unit and the units below it")

    def handle(self, *args, instansi, tahun, unit, **options):
        periode = Periode.objects.filter(instansi__kode=instansi, tahun=tahun).first()
        if periode is None:
            raise CommandError(_("No period %(year)s for government %(kode)s.") % {"year": tahun, "kode": instansi})
        target = None
        if unit:
            target = Unit.objects.filter(instansi=periode.instansi, kode=unit).first()
            if target is None:
                raise CommandError(_("Unknown unit %(kode)s.") % {"kode": unit})
        try:
            job = period_open(periode=periode, by=system_user(), unit=target)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        job.refresh_from_db()
        self.stdout.write(
            _("Opening %(period)s: %(total)d employees, %(created)d new appraisals so far (status: %(status)s).")
            % {"period": periode, "total": job.total, "created": job.dibuat, "status": job.get_status_display()}
        )
