"""A rule version published in the middle of a running period: the publish page says how many
results of which periods the new version would score, asks for a reason (stored on the version
and in the audit log), and the period's admin page shows which version scored whom."""

from __future__ import annotations

import pytest

from tests.helpers import pack_in_force, through_final_review
from workflow.models import AuditAction, AuditEvent, Skp

pytestmark = pytest.mark.django_db


def test_publishing_inside_a_running_period_says_what_it_splits_and_needs_a_reason(
    admin_client, org, rules_pack, periode, opened
):
    from rules.services import rule_version_copy

    through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "sesuai")
    pending = Skp.objects.filter(periode=periode, hasil__isnull=True).count()
    draft = rule_version_copy(version=pack_in_force())
    url = f"/aturan/versi/{draft.pk}/terbitkan/"

    response = admin_client.post(url, {"effective_from": "2026-07-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "2026-01-01 – 2026-12-31" in body and f"<td>{pending}</td>" in body and "<td>1</td>" in body
    assert "tuliskan alasannya" in body
    draft.refresh_from_db()
    assert draft.status == "draft"

    reason = "Perubahan tabel sesuai Permen terbaru; berlaku mulai semester II."
    response = admin_client.post(url, {"effective_from": "2026-07-01", "reason": reason})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.publish_reason == reason
    event = AuditEvent.objects.filter(action=AuditAction.RULE_VERSION_PUBLISHED).latest("pk")
    assert event.reason == reason
    assert reason in admin_client.get(f"/aturan/versi/{draft.pk}/").content.decode()


def test_the_period_admin_page_shows_which_version_scored_whom(client, org, rules_pack, periode, opened, bkd):
    through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "sesuai")
    client.force_login(bkd)
    body = client.get(f"/kinerja/rekap/versi/?periode={periode.pk}").content.decode()
    assert "penilaian-kinerja v2" in body and org.pelaksana.nama in body
    assert client.get(f"/kinerja/rekap/versi/?periode={periode.pk}&versi=%3Cjunk%3E&page=x").status_code == 200
