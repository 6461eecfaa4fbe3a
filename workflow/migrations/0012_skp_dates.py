"""Each SKP covers its own dates inside the period (shared/domain.md §3 item 9): existing SKP
cover their whole period."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def whole_period(apps, schema_editor):
    Periode = apps.get_model("workflow", "Periode")
    for name in ("Skp", "HistoricalSkp"):
        model = apps.get_model("workflow", name)
        periods = Periode.objects.filter(pk=OuterRef("periode_id"))
        model.objects.filter(tanggal_mulai__isnull=True).update(
            tanggal_mulai=Subquery(periods.values("tanggal_mulai")[:1]),
            tanggal_selesai=Subquery(periods.values("tanggal_selesai")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0011_evidence_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalskp",
            name="tanggal_mulai",
            field=models.DateField(null=True, verbose_name="covers from"),
        ),
        migrations.AddField(
            model_name="historicalskp",
            name="tanggal_selesai",
            field=models.DateField(null=True, verbose_name="covers until"),
        ),
        migrations.AddField(
            model_name="skp",
            name="tanggal_mulai",
            field=models.DateField(null=True, verbose_name="covers from"),
        ),
        migrations.AddField(
            model_name="skp",
            name="tanggal_selesai",
            field=models.DateField(null=True, verbose_name="covers until"),
        ),
        migrations.RunPython(whole_period, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalskp", name="tanggal_mulai", field=models.DateField(verbose_name="covers from")
        ),
        migrations.AlterField(
            model_name="historicalskp", name="tanggal_selesai", field=models.DateField(verbose_name="covers until")
        ),
        migrations.AlterField(
            model_name="skp", name="tanggal_mulai", field=models.DateField(verbose_name="covers from")
        ),
        migrations.AlterField(
            model_name="skp", name="tanggal_selesai", field=models.DateField(verbose_name="covers until")
        ),
        migrations.AddConstraint(
            model_name="skp",
            constraint=models.CheckConstraint(
                condition=models.Q(("tanggal_selesai__gte", models.F("tanggal_mulai"))), name="skp_dates_ordered"
            ),
        ),
    ]
