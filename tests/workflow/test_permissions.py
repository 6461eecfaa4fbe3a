"""Who may open which page: a matrix of roles × pages, checked on the server for every object."""

import pytest
from django.contrib.auth import get_user_model
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import InstansiFactory
from tests.helpers import approve
from workflow.models import JenisInstansi, PeranAdmin, Skp
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, opened):
    users = get_user_model().objects
    admin = users.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    other_admin = users.create_user("admin.kota", is_staff=True)
    PeranAdmin.objects.create(user=other_admin, instansi=kota)
    return {
        "owner": org.pelaksana.user,
        "assessor": org.kasi.user,
        "colleague": org.fungsional.user,
        "assessor_superior": org.kabid.user,
        "admin": admin,
        "other_admin": other_admin,
        "superuser": users.create_superuser("root", "root@localhost", "x"),
    }


def pages(org):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    task = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    return {
        "appraisal": f"/appraisal/{skp.process_id}/",
        "chart": f"/appraisal/{skp.process_id}/chart/",
        "task": f"/appraisal/{skp.process_id}/{task.flow_task.name}/{task.pk}/execute/",
        "rekap": "/kinerja/rekap/",
        "open_period": "/kinerja/buka-periode/",
        "rule_admins": "/kinerja/admin-aturan/",
        "holidays": "/kinerja/hari-libur/",
        "mutasi": "/kinerja/mutasi/",
        "results": "/kinerja/hasil/",
        "rekap_xlsx": f"/kinerja/rekap/?periode={skp.periode_id}&format=xlsx",
        "results_csv": f"/kinerja/hasil/?periode={skp.periode_id}&format=csv",
        "team_csv": "/kinerja/tim/?format=csv",
        "audit_xlsx": "/kinerja/audit/?format=xlsx",
        "tpp": "/kinerja/tpp/",
        "kalibrasi_list": "/kinerja/kalibrasi/",
        "kalibrasi": f"/kinerja/kalibrasi/{skp.periode_id}/{org.dinkes.pk}/",
    }


def dokumen_url(org):
    """The SKP document (PDF) of the Kepala Seksi, whose plan the Kepala Bidang approved: the
    Kasi is its owner here ("assessor" in the matrix), the Kabid its assessor ("assessor_superior")."""
    skp = approve(org, org.kasi, org.kabid)
    return f"/kinerja/dokumen/{skp.pk}/skp/"


ROLES = ["owner", "assessor", "colleague", "assessor_superior", "admin", "other_admin", "superuser"]
ALLOWED = {
    "appraisal": {"owner", "assessor", "admin", "superuser"},
    "chart": {"owner", "assessor", "admin", "superuser"},
    "task": {"owner"},
    "rekap": {"admin", "other_admin", "superuser"},
    "open_period": {"admin", "other_admin", "superuser"},
    "rule_admins": {"admin", "other_admin", "superuser"},
    "holidays": {"admin", "other_admin", "superuser"},
    "mutasi": {"admin", "other_admin", "superuser"},
    "dokumen": {"assessor", "assessor_superior", "admin", "superuser"},
    "results": {"admin", "other_admin", "superuser"},
    # the downloads: the page's own checks, and a period of another government is not found
    "rekap_xlsx": {"admin", "superuser"},
    "results_csv": {"admin", "superuser"},
    "team_csv": {"assessor", "assessor_superior"},
    "audit_xlsx": {"admin", "other_admin", "superuser"},
    "tpp": {"admin", "other_admin", "superuser"},
    "kalibrasi_list": set(ROLES),
    "kalibrasi": {"admin", "superuser"},  # and the head of Dinas Kesehatan (tests/workflow/test_kalibrasi.py)
}


@pytest.mark.parametrize("page", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix(client, org, people, role, page):
    client.force_login(people[role])
    url = dokumen_url(org) if page == "dokumen" else pages(org)[page]
    response = client.get(url)
    if role in ALLOWED[page]:
        assert response.status_code == 200, (role, page, response.status_code)
    else:
        assert response.status_code in (403, 404), (role, page, response.status_code)


def test_process_list_shows_only_what_the_user_may_see(client, org, people):
    client.force_login(people["assessor"])
    body = client.get("/appraisal/flows/").content.decode()
    mine = Skp.objects.get(pegawai=org.pelaksana)
    other = Skp.objects.get(pegawai=org.kadis)
    assert f"/appraisal/{mine.process_id}/" in body
    assert f"/appraisal/{other.process_id}/" not in body


def test_an_employee_sees_only_their_own_appraisal_in_the_list(client, org, people):
    client.force_login(people["owner"])
    body = client.get("/appraisal/flows/").content.decode()
    assert body.count('href="/appraisal/') - body.count('href="/appraisal/inbox') >= 1
    for other in Skp.objects.exclude(pegawai=org.pelaksana):
        assert f'href="/appraisal/{other.process_id}/"' not in body


def test_the_other_governments_admin_sees_none_of_these_appraisals(client, org, people):
    client.force_login(people["other_admin"])
    body = client.get("/kinerja/rekap/").content.decode()
    assert "Dinas Kesehatan" not in body


def test_the_appraisal_check_reads_the_same_with_and_without_the_people_loaded(org, people):
    """``can_view_skp`` decides "the employee or their assessor" from the appraisal's own people
    when they were read with it (the process page), else from the user's employee record: the
    same answer for every user and every appraisal either way, including one whose assessor
    has no account and one without an assessor."""
    from workflow.models import Pegawai
    from workflow.selectors.appraisal import can_view_skp

    users = [*people.values(), org.kabid.user, org.kadis.user, org.sekda.user]
    skps = list(Skp.objects.order_by("pk"))
    Skp.objects.filter(pk=skps[-1].pk).update(penilai=None)
    Pegawai.objects.filter(pk=org.kasi.pk).update(user=None)  # an assessor without an account now
    kasi_user = people["assessor"]
    seen = set()
    for skp in skps:
        loaded = Skp.objects.select_related("pegawai", "penilai").get(pk=skp.pk)
        plain = Skp.objects.get(pk=skp.pk)
        assert Skp.pegawai.is_cached(loaded) and not Skp.pegawai.is_cached(plain)
        for user in [*users, kasi_user]:
            answer = can_view_skp(user, loaded)
            assert answer == can_view_skp(user, Skp.objects.get(pk=skp.pk)), (user, skp)
            seen.add(answer)
    assert seen == {True, False}
