"""manage.py hari_libur --instansi KODE --tahun 2026 [--berkas FILE] [--user USERNAME]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflow.models import Instansi
from workflow.services.holidays import HolidayFileError, holidays_load
from workflow.services.system import system_user


class Command(BaseCommand):
    help = (
        "Load the national holidays and cuti bersama of a year (config/hari-libur/<year>.yaml) into a "
        "government's holiday calendar. Idempotent: dates already in the calendar are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instansi", required=True, help="government code")
        parser.add_argument("--tahun", required=True, type=int, help="year, e.g. 2026")
        parser.add_argument("--berkas", default="", help="another file (default: config/hari-libur/<year>.yaml)")
        parser.add_argument("--user", default="", help="username recorded as the author (default: system user)")

    def handle(self, *args, instansi, tahun, berkas, user, **options):
        target = Instansi.objects.filter(kode=instansi).first()
        if target is None:
            raise CommandError(_("Unknown government code %(kode)s.") % {"kode": instansi})
        by = system_user()
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("Unknown user %(user)s.") % {"user": user})
        try:
            report = holidays_load(instansi=target, tahun=tahun, by=by, path=berkas or None)
        except HolidayFileError as exc:
            for line in exc.messages:
                self.stderr.write(line)
            raise CommandError(_("Nothing was loaded.")) from None
        self.stdout.write(
            _("%(name)s, %(year)s: %(added)d holiday(s) added, %(kept)d already in the calendar.")
            % {"name": target.nama, "year": tahun, "added": len(report.added), "kept": len(report.kept)}
        )
