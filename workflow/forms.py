"""Forms of the appraisal steps and the admins' pages. They only shape input; the services validate
the business rules."""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from project.widgets import DateInput

from .form_renderer import renderer as fast_renderer
from .models import (
    ApiScope,
    AspekIki,
    AuditAction,
    Delegasi,
    Instansi,
    Jabatan,
    JenisDokumen,
    JenisRhk,
    NilaiPerilaku,
    Pegawai,
    Pendekatan,
    Periode,
    PredikatOrganisasi,
    Rating,
    StatusKepegawaian,
    StatusPeriode,
    Unit,
)
from .models.choices import KeputusanKeberatan, KeputusanRencana
from .selectors.appraisal import tasks_in
from .selectors.dokumen import opd_choices
from .selectors.org import admin_instansi_ids
from .services.appraisal import MAX_IKI, MAX_RHK, IkiInput, RhkInput

RATING_CHOICES = [("", "—"), *Rating.choices]


class StepForm(forms.Form):
    """A form of a step page: its widgets written by ``form_renderer`` (the same markup, without a
    template render per field)."""

    default_renderer = fast_renderer


TEXT_MAX = 10_000  # a reason or response longer than this is not one a person wrote


class PlanHeaderForm(StepForm):
    pendekatan = forms.ChoiceField(label=_("Approach"), choices=Pendekatan.choices)


IKI_SLOTS = range(2, MAX_IKI + 1)  # the first IKI's fields have no suffix: aspek, indikator, target, satuan


class RhkForm(StepForm):
    """One RHK of the plan with up to ``MAX_IKI`` indicators: the first in ``aspek``,
    ``indikator``, ``target``, ``satuan``; the others in the same fields suffixed ``_2`` ...
    Blank indicator lines are left out."""

    jenis = forms.ChoiceField(label=_("Kind"), choices=JenisRhk.choices)
    teks = forms.CharField(
        label=_("Planned result (RHK)"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )
    rhk_atasan = forms.TypedChoiceField(
        label=_("Supports the assessor's RHK"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, atasan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rhk_atasan"].choices = [("", "—"), *atasan_choices]

    @staticmethod
    def slots():
        """(number, field-name suffix) of each indicator line."""
        return [(1, ""), *((n, f"_{n}") for n in IKI_SLOTS)]

    def iki_lines(self):
        """The bound fields of each indicator line, for the template: (number, aspek, indikator,
        target, satuan)."""
        return [
            (n, *(self[f"{name}{suffix}"] for name in ("aspek", "indikator", "target", "satuan")))
            for n, suffix in self.slots()
        ]

    def iki_inputs(self) -> list[IkiInput]:
        data = self.cleaned_data
        out = []
        for _n, suffix in self.slots():
            values = {name: (data.get(f"{name}{suffix}") or "") for name in ("indikator", "target", "satuan")}
            if any(v.strip() for v in values.values()):
                out.append(IkiInput(aspek=data.get(f"aspek{suffix}") or AspekIki.KUANTITAS, **values))
        return out

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("teks") or "").strip() and not self.iki_inputs()


def _numbered(label, n: int):
    """``label`` (lazy, with ``%(n)d``) for the ``n``-th indicator, translated when shown."""
    return lazy(lambda: str(label) % {"n": n}, str)()


def _iki_fields() -> dict:
    """The fields of each indicator line, declared once on the class: a form copies its declared
    fields, which costs less than building them on every row of every page."""
    fields = {}
    for n, suffix in RhkForm.slots():
        fields[f"aspek{suffix}"] = forms.ChoiceField(
            label=_numbered(_("Aspect of IKI %(n)d"), n), choices=AspekIki.choices, required=False
        )
        fields[f"indikator{suffix}"] = forms.CharField(
            label=_numbered(_("Indicator (IKI) %(n)d"), n),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
            max_length=TEXT_MAX,
        )
        fields[f"target{suffix}"] = forms.CharField(
            label=_numbered(_("Target of IKI %(n)d"), n), required=False, max_length=200
        )
        fields[f"satuan{suffix}"] = forms.CharField(
            label=_numbered(_("Unit of measure of IKI %(n)d"), n), required=False, max_length=50
        )
    return fields


RhkForm.base_fields.update(_iki_fields())  # the same dict as ``declared_fields`` (Django's metaclass)


class BaseRhkFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("The plan has too many rows: at most %(num)d RHK."),
    }

    def add_fields(self, form, index):
        """Every field of a row is named for screen readers ("Kind · RHK 2"): the grid's column
        headers stand above many rows, so no field has a visible label of its own."""
        super().add_fields(form, index)
        key = (get_language(), type(form), index, tuple(form.fields))
        names = _ARIA_LABELS.get(key)
        if names is None:
            row = _("RHK %(n)s") % {"n": index + 1} if index is not None else str(_("new RHK"))
            names = {name: f"{field.label or _('Delete')} · {row}" for name, field in form.fields.items()}
            if len(_ARIA_LABELS) < 1024:
                _ARIA_LABELS[key] = names
        for name, field in form.fields.items():
            field.widget.attrs.setdefault("aria-label", names[name])


# Each row's fields' names for screen readers, per language, form class, row and fields: a form
# class's labels are fixed, so a row is named the same on every page (not worked out again for
# each field of each page, a translation each).
_ARIA_LABELS: dict[tuple, dict[str, str]] = {}


RhkFormSet = forms.formset_factory(
    RhkForm,
    formset=BaseRhkFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_RHK,
    validate_max=True,
    renderer=fast_renderer,
)


class PlanForm:
    """The plan page's two parts as one form: the approach (``header``) and the RHK rows
    (``formset``, starting from ``rows``)."""

    def __init__(self, data=None, files=None, *, pendekatan, rows, atasan_choices):
        self.header = PlanHeaderForm(data, initial={"pendekatan": pendekatan}, prefix="skp")
        self.formset = RhkFormSet(data, initial=rows, prefix="rhk", form_kwargs={"atasan_choices": atasan_choices})

    def is_valid(self) -> bool:
        return self.header.is_valid() and self.formset.is_valid()

    def kept(self) -> list[RhkForm]:
        """The RHK rows kept: neither deleted nor left blank."""
        return [
            f for f in self.formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
        ]

    def rows(self) -> list[dict]:
        """The cleaned data of the RHK rows kept."""
        return [f.cleaned_data for f in self.kept()]

    def inputs(self) -> list[RhkInput]:
        """The RHK rows kept, as the plan services take them."""
        return [
            RhkInput(
                jenis=f.cleaned_data["jenis"],
                teks=f.cleaned_data["teks"],
                rhk_atasan_id=f.cleaned_data.get("rhk_atasan"),
                iki=f.iki_inputs(),
            )
            for f in self.kept()
        ]

    def errors(self) -> list[str]:
        """Each error of the form as a sentence naming the row and the field."""
        out = form_errors(self.header)
        out += [str(e) for e in self.formset.non_form_errors()]
        for n, f in enumerate(self.formset.forms, start=1):
            out += [_("Row %(n)d: %(msg)s") % {"n": n, "msg": m} for m in form_errors(f)]
        return out


class PlanDecisionForm(StepForm):
    keputusan = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=KeputusanRencana.choices,
    )
    catatan = forms.CharField(label=_("Note to the employee"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, required_values=(), **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in NilaiPerilaku.choices:
            # optional unless the government requires it; the service says which are missing
            self.fields[f"ekspektasi_{value}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX
            )
            self.fields[f"ekspektasi_{value}"].wajib = value in required_values


class SelfReviewForm(StepForm):
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
            for n, iki in enumerate(rhk.iki_set.all(), start=1):
                self.fields[f"iki_{iki.pk}"] = forms.CharField(
                    label=_("RHK %(rhk)d, IKI %(n)d: achieved") % {"rhk": rhk.urutan, "n": n},
                    required=False,
                    max_length=2000 if iki.target_angka is None else 40,
                )

    def rows(self):
        for rhk in self.rhk_list:
            realisasi, bukti_file, bukti_tautan = (
                self[f"{k}_{rhk.pk}"] for k in ("realisasi", "bukti_file", "bukti_tautan")
            )
            yield rhk, realisasi, bukti_file, bukti_tautan, self.iki_rows(rhk)

    def iki_rows(self, rhk):
        """Each indicator of ``rhk`` with its achievement field."""
        return [(iki, self[f"iki_{iki.pk}"]) for iki in rhk.iki_set.all()]

    def iki_values(self, rhk) -> dict[int, str]:
        return {iki.pk: self.cleaned_data.get(f"iki_{iki.pk}") or "" for iki in rhk.iki_set.all()}


class ReviewForm(StepForm):
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
        # the window's two ratings (periodic) or the final ones (annual): the rules suggest them
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


class AppealFileForm(forms.Form):
    alasan = forms.CharField(label=_("Reasons"), max_length=TEXT_MAX, required=False)
    lampiran = forms.FileField(label=_("Attachment"), required=False)


class AppealRespondForm(StepForm):
    tanggapan = forms.CharField(label=_("Your response to the appeal"), max_length=TEXT_MAX, required=False)


class AppealDecideForm(StepForm):
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

    def __init__(self, *args, rhk_list=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rhk_list = list(rhk_list)
        for rhk in self.rhk_list:
            self.fields[f"rating_{rhk.pk}"] = forms.ChoiceField(
                label=_("Rating of RHK %(number)s") % {"number": rhk.urutan},
                choices=RATING_CHOICES,
                required=False,
                error_messages={"invalid_choice": _("Choose a valid rating for every RHK of this appraisal.")},
            )

    @property
    def rhk_rows(self):
        return [(rhk, self[f"rating_{rhk.pk}"]) for rhk in self.rhk_list]

    def rhk_ratings(self) -> dict[int, str]:
        """The RHK ratings the decider chose (those left empty keep the assessor's)."""
        return {r.pk: self.cleaned_data[f"rating_{r.pk}"] for r in self.rhk_list if self.cleaned_data[f"rating_{r.pk}"]}


class CapaianForm(forms.Form):
    """The leader above a unit sets its organisation predikat (``services.capaian.capaian_set``)."""

    predikat = forms.ChoiceField(
        label=_("Organisation predikat"),
        choices=PredikatOrganisasi.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the organisation's predikat."),
            "invalid_choice": _("Choose the organisation's predikat."),
        },
    )
    catatan = forms.CharField(
        label=_("Achievement indicators and evidence (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


def form_errors(form: forms.Form) -> list[str]:
    """A bound form's errors as sentences naming the field, for pages that show them as messages."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out += [f"{label}: {e}" if label else str(e) for e in errors]
    return out


# The admins' pages


def _is_id(value) -> bool:
    """A value a database id could be (digits, within a 64-bit integer)."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**63


class PegawaiAutocomplete(AutocompleteSelect):
    """A people picker that searches as one types (the Django admin's select2 widget), asking the
    product's permission-scoped search (``kinerja:pegawai_autocomplete``) instead of the admin's;
    only the chosen person is rendered into the page, whatever the size of the government."""

    def __init__(self, attrs=None, *, purpose: str = ""):
        # any foreign key to Pegawai names the model for the widget's data attributes
        super().__init__(field=Delegasi._meta.get_field("penerima"), admin_site=None, attrs=attrs)
        self.purpose = purpose

    def optgroups(self, name, value, attr=None):
        # A posted value that is no employee id (junk) renders as no choice instead of failing
        # the page; the field answers it with its message.
        return super().optgroups(name, [v for v in value if _is_id(v)], attr)

    def get_url(self):
        url = reverse("kinerja:pegawai_autocomplete")
        return f"{url}?untuk={self.purpose}" if self.purpose else url


class PegawaiChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        # Python reads other scripts' digits as numbers (int("٣") == 3): only an ASCII id names a
        # person, anything else is the field's "invalid choice".
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

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
        label=pgettext_lazy("reassign tasks to a person", "To"),
        queryset=Pegawai.objects.none(),
        widget=PegawaiAutocomplete(),
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


class CapaianStartForm(forms.Form):
    """An admin starts the organisation-achievement tasks of an open period of their government."""

    periode = forms.ModelChoiceField(
        queryset=Periode.objects.none(),
        label=_("Period"),
        error_messages={
            "required": _("Choose an open period of your government."),
            "invalid_choice": _("Choose an open period of your government."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periode"].queryset = Periode.objects.filter(
            instansi_id__in=admin_instansi_ids(user), status=StatusPeriode.OPEN
        )


class MutasiForm(forms.Form):
    """The BKD admin's transfer (mutasi) of an employee of their own government."""

    pegawai = PegawaiChoiceField(
        queryset=Pegawai.objects.none(), label=_("Employee"), widget=PegawaiAutocomplete(purpose="mutasi")
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("New unit"))
    jabatan = forms.ModelChoiceField(queryset=Jabatan.objects.none(), label=_("New position"))
    tanggal = forms.DateField(
        label=_("Effective date (TMT)"),
        widget=DateInput(),
        help_text=_("The first day in the new post. The running SKP ends the day before."),
    )
    alasan = forms.CharField(label=_("Decree or note (optional)"), max_length=255, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = admin_instansi_ids(user)
        self.fields["pegawai"].queryset = (
            Pegawai.objects.filter(instansi_id__in=ids, aktif=True)
            .exclude(status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA)
            .order_by("nama")
        )
        self.fields["unit"].queryset = Unit.objects.filter(instansi_id__in=ids, aktif=True).order_by("nama")
        self.fields["jabatan"].queryset = Jabatan.objects.filter(instansi_id__in=ids).order_by("nama")


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
    penerima = PegawaiChoiceField(
        queryset=Pegawai.objects.none(),
        label=_("Delegate"),
        widget=PegawaiAutocomplete(),
        error_messages={"invalid_choice": _("Choose the employee who takes the tasks.")},
    )
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
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=pgettext_lazy("date range", "Until"), required=False, widget=DateInput())


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


class HolidayLoadForm(forms.Form):
    """The BKD admin loads a year's national holidays and cuti bersama into their government."""

    instansi = forms.ModelChoiceField(queryset=Instansi.objects.none(), label=_("Government"))
    tahun = forms.TypedChoiceField(coerce=int, choices=(), label=_("Year"))

    def __init__(self, *args, user, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instansi"].queryset = Instansi.objects.filter(pk__in=admin_instansi_ids(user))
        self.fields["tahun"].choices = [(y, str(y)) for y in years]


class TppExportForm(forms.Form):
    """The BKD admin's choice of the month and OPD whose allowance (TPP) rows to export."""

    FORMATS = (("xlsx", "XLSX"), ("csv", "CSV"))

    periode = forms.ModelChoiceField(
        queryset=Periode.objects.none(),
        label=_("Period"),
        error_messages={
            "required": _("Choose a period of your government."),
            "invalid_choice": _("Choose a period of your government."),
        },
    )
    bulan = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        choices=[(m, m) for m in range(1, 13)],
        error_messages={"required": _("Choose a month."), "invalid_choice": _("Choose a month from 1 to 12.")},
    )
    opd = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("OPD (empty: all)"),
        error_messages={"invalid_choice": _("Choose an OPD of your government.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=FORMATS,
        initial="xlsx",
        error_messages={"required": _("Choose XLSX or CSV."), "invalid_choice": _("Choose XLSX or CSV.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = admin_instansi_ids(user)
        self.fields["periode"].queryset = Periode.objects.filter(instansi_id__in=ids).select_related("instansi")
        # the OPD: the units right below each government's root unit
        self.fields["opd"].queryset = Unit.objects.filter(
            instansi_id__in=ids, parent__isnull=False, parent__parent__isnull=True
        ).order_by("nama")

    def clean(self):
        data = super().clean()
        periode, opd = data.get("periode"), data.get("opd")
        if periode is not None and opd is not None and opd.instansi_id != periode.instansi_id:
            self.add_error("opd", _("The OPD belongs to another government."))
        return data


class ApiTokenIssueForm(forms.Form):
    """An admin issues an API token: for a person of their government (by NIP or username), or
    for a named integration of it. ``ApiTokenView`` hands it to ``api_token_issue``."""

    instansi = forms.ModelChoiceField(queryset=Instansi.objects.none(), label=_("Government"))
    pengguna = forms.CharField(
        label=_("NIP or username"),
        max_length=150,
        required=False,
        help_text=_("For a person's token (it acts with their rights). Leave empty for an integration."),
    )
    nama = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("An integration's name (e.g. the payroll); optional for a person's token."),
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple)
    hari = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3660)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        governments = Instansi.objects.filter(pk__in=admin_instansi_ids(user)).order_by("nama")
        self.fields["instansi"].queryset = governments
        if len(governments) == 1:
            self.fields["instansi"].initial = governments[0].pk
        self.fields["hari"].initial = settings.KINERJA_API_TOKEN_DAYS
