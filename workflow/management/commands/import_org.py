"""manage.py import_org FILE --instansi KODE [--dry-run] [--user USERNAME]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflow.models import Instansi
from workflow.services.org_import import OrgImportError, org_import, read_file
from workflow.services.system import system_user


class Command(BaseCommand):
    help = "Import units and employees of one government from a .csv or .xlsx file (upsert by NIP)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--instansi", default="", help="government code (optional when only one exists)")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--user", default="", help="username recorded as the author (default: system user)")

    def handle(self, *args, file, instansi, dry_run, user, **options):
        if instansi:
            target = Instansi.objects.filter(kode=instansi).first()
            if target is None:
                raise CommandError(_("Unknown government code %(kode)s.") % {"kode": instansi})
        else:
            governments = list(Instansi.objects.all()[:2])
            if len(governments) != 1:
                raise CommandError(_("Name the government with --instansi KODE."))
            target = governments[0]
        by = system_user()
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("Unknown user %(user)s.") % {"user": user})
        try:
            report = org_import(instansi=target, rows=read_file(file), by=by, dry_run=dry_run)
        except OrgImportError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError(
                _("%(count)d problem(s) found; nothing was written.") % {"count": len(exc.errors)}
            ) from None
        self.stdout.write(report.summary())
