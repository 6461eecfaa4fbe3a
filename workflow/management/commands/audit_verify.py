"""Verify the audit log's hash chain: ``manage.py audit_verify [--anchor PATH]``. Exit status 0 when
intact, 1 (with the first problem named) when an event was edited, deleted or reordered, or when
the table lacks or differs from an event its anchor file recorded (the newest events deleted)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow.models import AuditChainHead
from workflow.services.audit import anchor_path, audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain and report the first event that was edited, deleted or reordered, "
        "and check the table against the chain heads recorded in the anchor file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", default=None, help="anchor file to check against (default: the KINERJA_AUDIT_ANCHOR setting)"
        )

    def handle(self, *args, anchor=None, **options):
        path = Path(anchor) if anchor else anchor_path()
        checked, problem = audit_verify(anchor=path)
        if problem is not None:
            if problem.anchor:
                where = "the anchor"
            elif problem.event_id:
                where = f"event id {problem.event_id} (number {problem.seq})"
            else:
                where = f"the end of the chain (head number {problem.seq})"
            raise CommandError(
                f"Audit chain broken at {where}: {problem.message}. {checked} events in the table are chained intact.",
                returncode=1,
            )
        head = AuditChainHead.objects.filter(pk=1).first()
        anchored = f"; anchor {path} agrees" if path is not None else "; no anchor file configured"
        self.stdout.write(f"Audit chain intact: {checked} events; head hash {head.hash if head else '-'}{anchored}.")
