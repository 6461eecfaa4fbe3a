def test_dump(client, org, opened, rules_pack):
    from workflow.models import Skp
    from django.urls import reverse
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    r = client.get(f"/appraisal/{skp.process_id}/chart/", HTTP_ACCEPT_LANGUAGE="id")
    open("/tmp/scratch/chart.svg", "wb").write(r.content)
    r = client.get("/appraisal/chart/", HTTP_ACCEPT_LANGUAGE="id")
    open("/tmp/scratch/chart2.svg", "wb").write(r.content)
