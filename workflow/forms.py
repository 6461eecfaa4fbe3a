"""Forms of the appraisal steps and the admins' pages. They only shape input; the services validate
the business rules."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from project.widgets import DateInput

from .models import (
    AspekIki,
    AuditAction,
    Instansi,
    JenisDokumen,
    JenisRhk,
    NilaiPerilaku,
    Pegawai,
    Pendekatan,
    Periode,
    Rating,
    StatusPeriode,
    Unit,
)
from .models.choices import KeputusanKeberatan, KeputusanRencana
from .selectors.appraisal import tasks_in
from .selectors.dokumen import opd_choices
from .selectors.org import admin_instansi_ids

RATING_CHOICES = [("", "—"), *Rating.choices]


class PlanHeaderForm(forms.Form):
    pendekatan = forms.ChoiceField(label=_("Approach"), choices=Pendekatan.choices)


class RhkForm(forms.Form):
    jenis = forms.ChoiceField(label=_("Kind"), choices=JenisRhk.choices)
    teks = forms.CharField(label=_("Planned result (RHK)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    rhk_atasan = forms.TypedChoiceField(
        label=_("Supports the assessor's RHK"), required=False, coerce=int, empty_value=None
    )
    aspek = forms.ChoiceField(label=_("Aspect"), choices=AspekIki.choices)
    indikator = forms.CharField(label=_("Indicator (IKI)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    target = forms.CharField(label=_("Target"), required=False, max_length=200)
    satuan = forms.CharField(label=_("Unit of measure"), required=False, max_length=50)

    def __init__(self, *args, atasan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rhk_atasan"].choices = [("", "—"), *atasan_choices]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any((data.get(k) or "").strip() for k in ("teks", "indikator", "target"))


RhkFormSet = forms.formset_factory(RhkForm, extra=2, can_delete=True, max_num=30, validate_max=True)


class PlanForm:
    """The plan page's two parts as one form: the approach (``header``) and the RHK rows
    (``formset``, starting from ``rows``)."""

    def __init__(self, data=None, files=None, *, pendekatan, rows, atasan_choices):
        self.header = PlanHeaderForm(data, initial={"pendekatan": pendekatan}, prefix="skp")
        self.formset = RhkFormSet(data, initial=rows, prefix="rhk", form_kwargs={"atasan_choices": atasan_choices})

    def is_valid(self) -> bool:
        return self.header.is_valid() and self.formset.is_valid()

    def rows(self) -> list[dict]:
        """The cleaned data of the RHK rows kept: neither deleted nor left blank."""
        return [
            f.cleaned_data
            for f in self.formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
        ]


class PlanDecisionForm(forms.Form):
    keputusan = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=KeputusanRencana.choices,
    )
    catatan = forms.CharField(label=_("Note to the employee"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in NilaiPerilaku.choices:
            self.fields[f"ekspektasi_{value}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )


class SelfReviewForm(forms.Form):
    catatan = forms.CharField(
        label=_("Notes for the assessor"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, rhk_list=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rhk_list = list(rhk_list)
        for rhk in self.rhk_list:
            self.fields[f"realisasi_{rhk.pk}"] = forms.CharField(
                label=_("Achievement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"bukti_file_{rhk.pk}"] = forms.FileField(label=_("Evidence file"), required=False)
            self.fields[f"bukti_tautan_{rhk.pk}"] = forms.URLField(
                label=_("Evidence link"), required=False, assume_scheme="https"
            )

    def rows(self):
        for rhk in self.rhk_list:
            yield rhk, self[f"realisasi_{rhk.pk}"], self[f"bukti_file_{rhk.pk}"], self[f"bukti_tautan_{rhk.pk}"]


class ReviewForm(forms.Form):
    """Feedback and ratings per RHK and per behaviour value; ``final`` makes it the annual review."""

    def __init__(self, *args, rhk_list=(), final=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rhk_list, self.final = list(rhk_list), final
        self.realisasi = {}
        for rhk in self.rhk_list:
            self.fields[f"umpan_balik_{rhk.pk}"] = forms.CharField(
                label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"rating_{rhk.pk}"] = forms.ChoiceField(
                label=_("Rating"), choices=RATING_CHOICES, required=False
            )
        for value, _label in NilaiPerilaku.choices:
            self.fields[f"umpan_balik_{value}"] = forms.CharField(
                label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"rating_{value}"] = forms.ChoiceField(
                label=_("Rating"), choices=RATING_CHOICES, required=False
            )
        if final:
            self.fields["rating_hasil_kerja"] = forms.ChoiceField(
                label=_("Work-result rating (leave empty to accept the suggestion)"),
                choices=RATING_CHOICES,
                required=False,
            )
            self.fields["alasan_hasil_kerja"] = forms.CharField(
                label=_("Reason, if you depart from the suggestion"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields["rating_perilaku"] = forms.ChoiceField(
                label=_("Behaviour rating (leave empty to accept the suggestion)"),
                choices=RATING_CHOICES,
                required=False,
            )
            self.fields["alasan_perilaku"] = forms.CharField(
                label=_("Reason, if you depart from the suggestion"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rhk_rows(self):
        for rhk in self.rhk_list:
            yield rhk, self.realisasi.get(rhk.pk), self[f"umpan_balik_{rhk.pk}"], self[f"rating_{rhk.pk}"]

    def perilaku_rows(self):
        for value, label in NilaiPerilaku.choices:
            yield value, label, self[f"umpan_balik_{value}"], self[f"rating_{value}"]


TEXT_MAX = 10_000  # a reason or response longer than this is not one a person wrote


class AppealFileForm(forms.Form):
    alasan = forms.CharField(label=_("Reasons"), max_length=TEXT_MAX, required=False)
    lampiran = forms.FileField(label=_("Attachment"), required=False)


class AppealRespondForm(forms.Form):
    tanggapan = forms.CharField(label=_("Your response to the appeal"), max_length=TEXT_MAX, required=False)


class AppealDecideForm(forms.Form):
    keputusan = forms.ChoiceField(
        label=_("Decision"),
        choices=KeputusanKeberatan.choices,
        error_messages={
            "required": _("Choose whether to uphold or change the result."),
            "invalid_choice": _("Choose whether to uphold or change the result."),
        },
    )
    alasan = forms.CharField(label=_("Reasons for the decision"), max_length=TEXT_MAX, required=False)
    rating_hasil_kerja = forms.ChoiceField(label=_("New work-result rating"), choices=RATING_CHOICES, required=False)
    rating_perilaku = forms.ChoiceField(label=_("New behaviour rating"), choices=RATING_CHOICES, required=False)


def form_errors(form: forms.Form) -> list[str]:
    """A bound form's errors as sentences naming the field, for pages that show them as messages."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


# The admins' pages


class PegawaiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.nama} — {obj.jabatan.nama}"


class TaskReassignForm(forms.Form):
    """An admin gives open tasks of their government to someone else, with a reason (overdue page).
    Only tasks and people of the admin's governments can be chosen; the service checks the rest."""

    tugas = forms.ModelMultipleChoiceField(
        queryset=Task.objects.none(),
        error_messages={
            "required": _("Choose at least one task."),
            "invalid_choice": _("Choose at least one task."),
            "invalid_pk_value": _("Choose at least one task."),
        },
    )
    kepada = PegawaiChoiceField(
        label=_("To"),
        queryset=Pegawai.objects.none(),
        error_messages={
            "required": _("Choose the employee who takes the tasks."),
            "invalid_choice": _("Choose the employee who takes the tasks."),
        },
    )
    alasan = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        error_messages={"required": _("Write the reason for the reassignment.")},
    )

    def __init__(self, *args, instansi_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tugas"].queryset = tasks_in(instansi_ids)
        self.fields["kepada"].queryset = (
            Pegawai.objects.filter(instansi_id__in=instansi_ids, aktif=True, user__isnull=False)
            .select_related("jabatan")
            .order_by("nama")
        )


class OpenPeriodForm(forms.Form):
    periode = forms.ModelChoiceField(queryset=Periode.objects.none(), label=_("Period"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Only this unit and the units below it (optional)"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = admin_instansi_ids(user)
        self.fields["periode"].queryset = Periode.objects.filter(instansi_id__in=ids).exclude(
            status=StatusPeriode.CLOSED
        )
        self.fields["unit"].queryset = Unit.objects.filter(instansi_id__in=ids, aktif=True)


class DokumenPaketForm(forms.Form):
    """The admin's choice of a ZIP of documents: a period, optionally one OPD, the kind of document."""

    periode = forms.ModelChoiceField(queryset=Periode.objects.none(), label=_("Period"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("OPD (empty: all)"))
    jenis = forms.ChoiceField(label=_("Documents"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = admin_instansi_ids(user)
        self.fields["periode"].queryset = Periode.objects.filter(instansi_id__in=ids).order_by("-tahun")
        self.fields["unit"].queryset = opd_choices(ids)
        self.fields["jenis"].choices = [("", _("Every document each appraisal has")), *JenisDokumen.choices]


class DelegationForm(forms.Form):
    penerima = forms.ModelChoiceField(queryset=Pegawai.objects.none(), label=_("Delegate"))
    mulai = forms.DateField(label=_("From"), widget=DateInput())
    selesai = forms.DateField(label=_("Until"), widget=DateInput())
    alasan = forms.CharField(label=_("Reason"), max_length=255)


class RuleAdminForm(forms.Form):
    pengguna = forms.CharField(label=_("NIP or username"), max_length=150)


class AuditSearchForm(forms.Form):
    person = forms.CharField(label=_("Person"), required=False)
    obj = forms.CharField(label=_("Object"), required=False, help_text=_("A name, or type:id such as skp:12"))
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())


class OrgImportForm(forms.Form):
    instansi = forms.ModelChoiceField(queryset=Instansi.objects.none(), label=_("Government"))
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
    dry_run = forms.BooleanField(required=False, label=_("Dry run: check and report, write nothing"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instansi"].queryset = Instansi.objects.filter(pk__in=admin_instansi_ids(user))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.KINERJA_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.KINERJA_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Unsupported file type: use .csv or .xlsx."))
        return upload
