"""Verify the audit log's hash chain: ``manage.py audit_verify``. Exit status 0 when intact, 1 (with
the first bad event named) when an event was edited, deleted or reordered."""

from django.core.management.base import BaseCommand, CommandError

from workflow.models import AuditChainHead
from workflow.services.audit import audit_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and report the first event that was edited, deleted or reordered."

    def handle(self, *args, **options):
        checked, problem = audit_verify()
        if problem is not None:
            where = f"event id {problem.event_id} (number {problem.seq})" if problem.event_id else (
                f"the end of the chain (head number {problem.seq})")
            raise CommandError(f"Audit chain broken at {where}: {problem.message}. {checked} events before it "
                               "are intact.", returncode=1)
        head = AuditChainHead.objects.filter(pk=1).first()
        self.stdout.write(f"Audit chain intact: {checked} events; head hash {head.hash if head else '-'}.")
