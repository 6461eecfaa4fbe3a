"""Django admin of employees' leaves and suspensions (who gets an SKP), scoped to the admin's
government. Every save goes through ``services.keadaan.keadaan_record``: the same rules as the
import (never over an SKP's approved months), audited, and a return that has come opens its SKP."""

from django import forms
from django.contrib import admin

from ..models import KeadaanPegawai
from ..selectors.keadaan import KeadaanCheck, keadaan_problems
from ..services.keadaan import keadaan_record
from .org import InstansiScopedAdmin


class KeadaanPegawaiForm(forms.ModelForm):
    class Meta:
        model = KeadaanPegawai
        fields = ["pegawai", "jenis", "tanggal_mulai", "tanggal_selesai", "nomor_sk", "keterangan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The autocomplete widget looks the posted value up to show it again: a value that is no id
        # at all would raise there (a server error) instead of being refused as a missing choice.
        if self.is_bound and not str(self.data.get("pegawai", "")).isdigit():
            self.data = self.data.copy()
            self.data["pegawai"] = ""

    def clean(self):
        data = super().clean()
        pegawai = data.get("pegawai") or (self.instance.pegawai if self.instance.pk else None)
        if pegawai is not None and data.get("jenis") and data.get("tanggal_mulai"):
            check = KeadaanCheck(
                pegawai.pk,
                data["jenis"],
                data["tanggal_mulai"],
                data.get("tanggal_selesai"),
                keadaan_id=self.instance.pk,
            )
            for field, message in keadaan_problems([check], only_skp=True)[0]:
                self.add_error(field, message)
        return data


@admin.register(KeadaanPegawai)
class KeadaanPegawaiAdmin(InstansiScopedAdmin):
    instansi_lookup = "pegawai__instansi"
    form = KeadaanPegawaiForm
    list_display = ["pegawai", "jenis", "tanggal_mulai", "tanggal_selesai", "nomor_sk"]
    list_filter = ["jenis"]
    search_fields = ["pegawai__nama", "pegawai__nip", "nomor_sk"]
    list_select_related = ["pegawai"]
    autocomplete_fields = ["pegawai"]
    date_hierarchy = "tanggal_mulai"

    def get_readonly_fields(self, request, obj=None):
        # A status belongs to one employee for good: record a new one for another.
        return ["pegawai"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Through the service (which audits it), instead of a bare save."""
        saved = keadaan_record(
            pegawai=obj.pegawai,
            jenis=obj.jenis,
            tanggal_mulai=obj.tanggal_mulai,
            tanggal_selesai=obj.tanggal_selesai,
            nomor_sk=obj.nomor_sk,
            keterangan=obj.keterangan,
            by=request.user,
            keadaan=obj if change else None,
        )
        obj.pk, obj._state.adding = saved.pk, False
