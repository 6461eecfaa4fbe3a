"""manage.py api_token create|list|revoke — tokens of the REST API (/api/v1/).

  create --instansi KODE --scope read_results [--scope ...] (--user NIP_OR_USERNAME | --name "Payroll") [--days N]
  list [--instansi KODE]
  revoke PREFIX

The secret is printed once by ``create``; only its hash is stored."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from workflow.models import ApiToken, Instansi
from workflow.services.api_token import api_token_issue, api_token_revoke
from workflow.services.audit import acting_as


class Command(BaseCommand):
    help = "Issue, list and revoke tokens of the REST API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token (the secret is printed once)")
        create.add_argument("--instansi", required=True, help="government code")
        create.add_argument("--scope", action="append", required=True, help="read_results, read_progress, act_tasks")
        who = create.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="the person's NIP or user name (the token acts as them)")
        who.add_argument("--name", help="the integration's name (reads the government's data)")
        create.add_argument("--days", type=int, default=None, help="days until it expires")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--instansi", help="government code")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        with acting_as(None):
            getattr(self, f"do_{action}")(**options)

    def do_create(self, *, instansi, scope, user, name, days, **_):
        government = Instansi.objects.filter(kode=instansi).first()
        if government is None:
            raise CommandError(f"No government with code {instansi!r}.")
        person = None
        if user:
            person = get_user_model().objects.filter(Q(username=user) | Q(pegawai__nip=user)).first()
            if person is None:
                raise CommandError(f"No user {user!r}.")
        try:
            token, secret = api_token_issue(
                by=None, instansi=government, scopes=scope, nama=name or "", user=person, days=days
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"{token.prefix}\t{token.nama}\t{','.join(token.scopes)}\texpires {token.kedaluwarsa:%Y-%m-%d}"
        )
        self.stdout.write(secret)

    def do_list(self, *, instansi=None, **_):
        tokens = ApiToken.objects.select_related("instansi", "user").order_by("instansi__kode", "nama")
        if instansi:
            tokens = tokens.filter(instansi__kode=instansi)
        for t in tokens:
            state = "revoked" if t.dicabut else ("expired" if not t.is_valid() else "active")
            used = f"{t.terakhir_dipakai:%Y-%m-%d %H:%M}" if t.terakhir_dipakai else "never"
            self.stdout.write(
                f"{t.prefix}\t{t.instansi.kode}\t{t.nama}\t{t.user.get_username() if t.user else '(integration)'}"
                f"\t{','.join(t.scopes)}\t{state}\texpires {t.kedaluwarsa:%Y-%m-%d}\tlast used {used}"
            )

    def do_revoke(self, *, prefix, **_):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with prefix {prefix!r}.")
        api_token_revoke(token=token, by=None)
        self.stdout.write(f"revoked {token.prefix}")
