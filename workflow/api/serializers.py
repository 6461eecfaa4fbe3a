"""Shapes of the API's answers and of its query filters (validated: junk is a 400, never a 500)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ApiScope, AuditAction, Predikat, StatusSkp

MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# --- filters (query parameters) -------------------------------------------------------------


class AppraisalFilter(serializers.Serializer):
    periode = IdField(help_text=_("Period id"))
    tahun = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text=_("Period year"))
    opd = IdField(help_text=_("OPD (unit directly under the government) id"))
    unit = IdField(help_text=_("Unit id (the appraisal's unit snapshot)"))
    predikat = serializers.ChoiceField(choices=Predikat.choices, required=False)
    status = serializers.ChoiceField(choices=StatusSkp.choices, required=False)


class ProgressFilter(serializers.Serializer):
    """A year of a government's figures: the government is asked only of an admin of several."""

    tahun = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("Period year"))
    instansi = IdField(help_text=_("Government id (when you administer several)"))


class TppFilter(ProgressFilter):
    bulan = serializers.IntegerField(min_value=1, max_value=12, help_text=_("Month (1-12)"))
    opd = IdField(help_text=_("OPD id"))


class AuditFilter(serializers.Serializer):
    person = serializers.CharField(required=False, max_length=100, help_text=_("Who acted (name or user name)"))
    obj = serializers.CharField(required=False, max_length=100, help_text=_("Object name, or type:id (skp:12)"))
    action = serializers.ChoiceField(choices=AuditAction.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


# --- answers ---------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nama = serializers.CharField()


class PegawaiRefSerializer(RefSerializer):
    nip = serializers.CharField(allow_blank=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(allow_null=True)
    nama = serializers.CharField()
    nip = serializers.CharField(allow_null=True)
    instansi = RefSerializer(allow_null=True)
    unit = RefSerializer(allow_null=True)
    jabatan = serializers.CharField(allow_null=True)
    admin_instansi = serializers.ListField(child=serializers.IntegerField())
    token = serializers.DictField(allow_null=True)


class HasilSerializer(serializers.Serializer):
    predikat = serializers.CharField()
    predikat_label = serializers.CharField(source="get_predikat_display")
    rating_hasil_kerja = serializers.CharField()
    rating_perilaku = serializers.CharField()
    rule_set = serializers.CharField()
    rule_version = serializers.CharField()
    dihitung = serializers.DateTimeField()
    dipublikasikan = serializers.DateTimeField(allow_null=True)


class AppraisalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    periode = serializers.SerializerMethodField()
    pegawai = serializers.SerializerMethodField()
    urutan = serializers.IntegerField()
    tanggal_mulai = serializers.DateField()
    tanggal_selesai = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    jabatan = serializers.CharField(source="jabatan_nama")
    unit = serializers.SerializerMethodField()
    penilai = serializers.CharField(source="penilai_nama")
    hasil = serializers.SerializerMethodField()

    def get_periode(self, skp) -> dict:
        return {"id": skp.periode_id, "tahun": skp.periode.tahun}

    def get_pegawai(self, skp) -> PegawaiRefSerializer:
        return {"id": skp.pegawai_id, "nama": skp.pegawai.nama, "nip": skp.pegawai.nip or ""}

    def get_unit(self, skp) -> RefSerializer:
        return {"id": skp.unit_id, "nama": skp.unit_nama}

    def get_hasil(self, skp) -> HasilSerializer(allow_null=True):
        hasil = getattr(skp, "hasil", None)
        return HasilSerializer(hasil).data if hasil is not None else None


class AppraisalDetailSerializer(AppraisalSerializer):
    trace = serializers.SerializerMethodField()

    def get_trace(self, skp) -> list:
        hasil = getattr(skp, "hasil", None)
        return hasil.trace if hasil is not None else []


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process_id = serializers.IntegerField()
    flow = serializers.CharField()
    step = serializers.CharField()
    step_title = serializers.CharField()
    status = serializers.CharField()
    created = serializers.DateTimeField()
    due = serializers.DateTimeField(allow_null=True)
    appraisal = serializers.IntegerField(allow_null=True)
    pegawai = PegawaiRefSerializer(allow_null=True)
    unit = RefSerializer(allow_null=True, help_text="The unit a calibration or organisation-achievement task is about.")
    summary = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), allow_null=True)
    initial = serializers.CharField(allow_blank=True, allow_null=True)


class TaskDetailSerializer(TaskSerializer):
    actionable = serializers.BooleanField()
    fields = FormFieldSerializer(many=True)


class TaskDoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    task = serializers.IntegerField()


class TppSerializer(serializers.Serializer):
    nama = serializers.CharField()
    nip = serializers.CharField()
    opd = serializers.CharField()
    unit = serializers.CharField()
    jendela = serializers.CharField()
    predikat = serializers.CharField()
    persen = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class ProgressSerializer(serializers.Serializer):
    opd = RefSerializer(source="unit")
    total = serializers.IntegerField()
    approved = serializers.IntegerField()
    published = serializers.IntegerField()
    approved_pct = serializers.IntegerField()
    published_pct = serializers.IntegerField()


class RuleVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    effective_from = serializers.DateField(allow_null=True)
    effective_to = serializers.DateField(allow_null=True)
    content_hash = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class RuleSetSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    versions = RuleVersionSerializer(many=True, source="versions.all")


class RuleVersionDetailSerializer(RuleVersionSerializer):
    tables = serializers.ListField(child=serializers.DictField())


class EvaluateInput(serializers.Serializer):
    table = serializers.CharField(max_length=63)
    inputs = serializers.DictField()
    version = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    on = serializers.DateField(required=False)


class EvaluateOutput(serializers.Serializer):
    rule_set = serializers.CharField()
    version = serializers.IntegerField()
    table = serializers.CharField()
    outputs = serializers.DictField()
    trace = serializers.ListField(child=serializers.DictField())


class AuditEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    time = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_repr")
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    object_type = serializers.SerializerMethodField()
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    before = serializers.DictField()
    after = serializers.DictField()
    reason = serializers.CharField()
    request_id = serializers.CharField()

    def get_object_type(self, event) -> str:
        return event.content_type.model if event.content_type_id else ""


class TokenSerializer(serializers.Serializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ApiScope.choices))
