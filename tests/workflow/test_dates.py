"""Dates as people read them: due dates in the local time zone (Asia/Jakarta) on every page and in
every message, and date inputs (``<input type=date>``) that browsers can fill in (ISO values)."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from viewflow.workflow.models import Task

from rules.services import rule_version_copy
from tests.helpers import pack_in_force, through_final_review
from workflow.flows import AppealFlow
from workflow.models import Notifikasi
from workflow.services import appeal as svc

pytestmark = pytest.mark.django_db


def test_a_due_date_after_midnight_wib_reads_the_same_on_the_inbox_as_in_the_notification(
    client, org, opened, rules_pack
):
    """An appeal filed at 01:00 WIB on 5 December (18:00 UTC on the 4th): the assessor's response is
    due five days later, on the 10th at 01:00 WIB — which is still the 9th in UTC."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with time_machine.travel(dt.datetime(2026, 12, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
    task = Task.objects.get(process_id=keberatan.process_id, flow_task=AppealFlow.respond)
    told = Notifikasi.objects.filter(penerima=org.kasi.user).latest("pk").isi
    assert "Jatuh tempo 10-12-2026" in told
    assert str(task.tenggat).endswith("10-12-2026")
    client.force_login(org.kasi.user)
    body = client.get("/appeal/inbox/").content.decode()
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "Tanggapi keberatan" in r)
    assert "10-12-2026" in row and "09-12-2026" not in row


@pytest.fixture
def rule_admin(rules_pack):
    user = User.objects.create_user("admin.aturan", password="x")
    user.groups.add(Group.objects.get(name="Admin Aturan"))
    return user


def date_inputs(body: str) -> dict[str, str]:
    """The value of each ``<input type="date">`` on the page, by name."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", body):
        if 'type="date"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            found[name] = value.group(1) if value else ""
    return found


def test_the_publish_form_fills_its_date_input_with_an_iso_date(client, rule_admin):
    draft = rule_version_copy(version=pack_in_force())
    client.force_login(rule_admin)
    with time_machine.travel(dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC), tick=False):
        body = client.get(f"/aturan/versi/{draft.pk}/terbitkan/").content.decode()
        assert date_inputs(body) == {"effective_from": "2026-11-30", "effective_to": ""}
        # what the browser sends back from that input is accepted
        response = client.post(f"/aturan/versi/{draft.pk}/terbitkan/", {"effective_from": "2027-01-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.effective_from == dt.date(2027, 1, 1)


def test_every_date_input_of_the_product_renders_iso():
    """One shared widget: every form with an ``<input type=date>`` renders ISO whatever the language."""
    from django.utils import translation

    from rules.views import PublishForm
    from workflow.forms import AuditSearchForm, DelegationForm

    day = dt.date(2026, 11, 30)
    with translation.override("id"):
        for form in (
            PublishForm(initial={"effective_from": day, "effective_to": day}),
            AuditSearchForm(initial={"date_from": day, "date_to": day}),
            DelegationForm(initial={"mulai": day, "selesai": day}),
        ):
            inputs = date_inputs(str(form))
            assert inputs and set(inputs.values()) == {"2026-11-30"}, type(form).__name__
