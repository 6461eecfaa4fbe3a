"""The step forms' renderer writes the same markup as Django's widget templates (issue 18: the plan
page spent half its CPU rendering a template per field)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.form_renderer import FastWidgetRenderer
from workflow.forms import AppealDecideForm, PlanDecisionForm, PlanForm, ReviewForm, SelfReviewForm

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()


def _same(widget, name, value, attrs=None):
    slow = widget.render(name, value, attrs, renderer=TEMPLATES)
    fast = widget.render(name, value, attrs, renderer=FAST)
    assert fast == slow


CHOICES = [("", "—"), (1, "A & B"), ("x", mark_safe("<b>safe</b>")), ('q"', 'quote " label')]
GROUPED = [("Group <1>", [(1, "one"), (2, "two")]), ("", [(3, "three")]), (4, "four")]


@pytest.mark.parametrize(
    "widget",
    [
        forms.TextInput(),
        forms.TextInput(attrs={"placeholder": "a < b", "required": True, "disabled": False, "data-x": 3}),
        forms.NumberInput(attrs={"step": "any"}),
        forms.EmailInput(),
        forms.URLInput(),
        forms.PasswordInput(render_value=True),
        forms.HiddenInput(),
        forms.CheckboxInput(),
        forms.Textarea(attrs={"rows": 2, "aria-label": "Kind · RHK 1"}),
        forms.Select(choices=CHOICES),
        forms.Select(choices=GROUPED, attrs={"class": "c"}),
        forms.SelectMultiple(choices=CHOICES),
        forms.RadioSelect(choices=CHOICES),
        forms.RadioSelect(choices=GROUPED, attrs={"class": "r"}),
        forms.CheckboxSelectMultiple(choices=CHOICES),
    ],
)
@pytest.mark.parametrize("value", [None, "", "x", 1, 'a <b> & "c"', mark_safe("<i>s</i>"), True, ["x", 1]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_f"}, {"id": "id_f", "class": "k", "required": True}])
def test_every_widget_renders_as_the_templates_do(widget, value, attrs):
    _same(widget, "f", value, attrs)


def _rhk(pk, iki):
    return SimpleNamespace(
        pk=pk,
        urutan=pk,
        teks=f"RHK <{pk}>",
        iki_set=SimpleNamespace(all=lambda: [SimpleNamespace(pk=i, target_angka=None if i % 2 else 5) for i in iki]),
    )


def _forms():
    rows = [{"jenis": "utama", "teks": "Hasil <1>", "rhk_atasan": 7, "aspek": "kualitas", "target": "95"}]
    plan = PlanForm(pendekatan="kuantitatif", rows=rows, atasan_choices=[(7, "1. Atasan & co"), (8, "2. <x>")])
    posted = PlanForm(
        {"skp-pendekatan": "x", "rhk-TOTAL_FORMS": "1", "rhk-INITIAL_FORMS": "0", "rhk-0-jenis": "zz"},
        pendekatan="kuantitatif",
        rows=[],
        atasan_choices=[],
    )
    rhk = [_rhk(1, [11, 12]), _rhk(2, [13])]
    yield plan.header
    yield plan.formset.management_form
    yield from plan.formset.forms
    yield plan.formset.empty_form
    posted.is_valid()
    yield posted.header
    yield from posted.formset.forms
    yield PlanDecisionForm(required_values=["berorientasi_pelayanan"], initial={"keputusan": "setujui"})
    bound = PlanDecisionForm({"keputusan": "nope", "catatan": "<script>"})
    bound.is_valid()
    yield bound
    yield SelfReviewForm(rhk_list=rhk, initial={"realisasi_1": "done & dusted"})
    yield ReviewForm(rhk_list=rhk, final=True, initial={"rating_1": "diatas"})
    yield AppealDecideForm(rhk_list=rhk)


def test_the_step_forms_use_it_and_render_as_the_templates_do():
    for form in _forms():
        assert isinstance(form.renderer, FastWidgetRenderer)
        for bound in form:
            fast = str(bound)
            form.renderer = TEMPLATES
            slow = str(bound)
            form.renderer = FAST
            assert fast == slow, bound.name


def test_error_lists_are_written_as_the_templates_write_them_empty_or_not():
    """A field without errors writes nothing (without rendering Django's two error templates);
    with errors, the same markup as the templates: every field and the form's own errors of every
    step form, bound and not, and error lists and dicts in every format."""
    from django.forms.utils import ErrorDict, ErrorList

    errors = ErrorList(["Isian <wajib> diisi.", "Kedua & terakhir"], renderer=FAST)
    for error_list in (ErrorList(renderer=FAST), errors, ErrorList(["x"], error_class="nonfield", renderer=FAST)):
        for template in (error_list.template_name, error_list.template_name_ul, error_list.template_name_text):
            context = error_list.get_context()
            assert FAST.render(template, context) == TEMPLATES.render(template, context)
    for mapping in (ErrorDict(renderer=FAST), ErrorDict({"teks": errors}, renderer=FAST)):
        for template in (mapping.template_name, mapping.template_name_ul, mapping.template_name_text):
            context = mapping.get_context()
            assert FAST.render(template, context) == TEMPLATES.render(template, context)
    written = set()
    for form in _forms():
        for bound in [*form, None]:
            field_errors = form.non_field_errors() if bound is None else bound.errors
            fast = str(field_errors)
            field_errors.renderer = TEMPLATES
            assert fast == str(field_errors)
            written.add(bool(fast))
    assert written == {True, False}  # some fields had errors to write, most had none


# The plan grid as the template loops wrote it, before template tags wrote it (``plan_rows``,
# ``plan_empty_row``): the reference the tags are held to.
_PLAN_LOOP = (
    '{% for f in formset %}<tbody class="kinerja-rhk">{% with lines=f.iki_lines %}{% with span=lines|leng'
    'th %}\n      {% for n, aspek, indikator, target, satuan in lines %}<tr class="kinerja-iki-line{% if f'
    'orloop.first %} kinerja-rhk-row{% endif %}">\n        {% if forloop.first %}<td rowspan="{{ span }}">'
    '{{ forloop.parentloop.counter }}</td><td rowspan="{{ span }}">{{ f.jenis }}{{ f.jenis.errors }}</td>'
    '<td rowspan="{{ span }}">{{ f.teks }}{{ f.teks.errors }}</td><td rowspan="{{ span }}">{{ f.rhk_atasa'
    "n }}{{ f.rhk_atasan.errors }}</td>{% endif %}\n        <td>{{ n }}</td><td>{{ aspek }}{{ aspek.errors"
    " }}</td><td>{{ indikator }}{{ indikator.errors }}</td><td>{{ target }}{{ target.errors }}</td><td>{{"
    ' satuan }}{{ satuan.errors }}</td>\n        {% if forloop.first %}<td rowspan="{{ span }}">{{ f.DELET'
    "E }}</td>{% endif %}\n      </tr>{% endfor %}{% endwith %}{% endwith %}\n      {% if f.non_field_error"
    's %}<tr><td colspan="10" class="errorlist">{{ f.non_field_errors }}</td></tr>{% endif %}\n    </tbody'
    ">{% endfor %}"
)
_PLAN_EMPTY = (
    "{% with f=formset.empty_form %}{% with lines=f.iki_lines %}{% with span=lines|length %}<tbody class="
    '"kinerja-rhk">{% for n, aspek, indikator, target, satuan in lines %}<tr class="kinerja-iki-line{% if'
    ' forloop.first %} kinerja-rhk-row{% endif %}">\n    {% if forloop.first %}<td rowspan="{{ span }}">#<'
    '/td><td rowspan="{{ span }}">{{ f.jenis }}</td><td rowspan="{{ span }}">{{ f.teks }}</td><td rowspan'
    '="{{ span }}">{{ f.rhk_atasan }}</td>{% endif %}\n    <td>{{ n }}</td><td>{{ aspek }}</td><td>{{ indi'
    'kator }}</td><td>{{ target }}</td><td>{{ satuan }}</td>\n    {% if forloop.first %}<td rowspan="{{ sp'
    'an }}">{{ f.DELETE }}</td>{% endif %}</tr>{% endfor %}</tbody>{% endwith %}{% endwith %}{% endwith %'
    "}"
)

_junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "jenis": st.one_of(st.sampled_from(["utama", "tambahan"]), _junk),
                "teks": _junk,
                "rhk_atasan": st.one_of(st.just(""), st.sampled_from(["1", "2"]), _junk),
                "aspek": st.one_of(st.sampled_from(["kuantitas", "kualitas", "waktu", "biaya"]), _junk),
                "indikator_2": _junk,
                "target": st.one_of(st.just("95"), _junk),
                "satuan_5": _junk,
                "DELETE": st.sampled_from(["", "on"]),
            }
        ),
        max_size=3,
    ),
    bound=st.booleans(),
    atasan=st.lists(_junk, max_size=3),
    language=st.sampled_from(["id", "en"]),
)
@settings(max_examples=60, deadline=None)
def test_the_plan_grid_reads_as_the_template_loops_wrote_it(rows, bound, atasan, language):
    """The plan page's grid of RHK and indicator lines is written by template tags: byte for byte
    what the template loops wrote, bound with any input (errors beside their fields, a row's own
    errors below it) or unbound from the saved rows, and the empty row the page copies, in both
    languages."""
    from django.template import Context, Template

    from workflow.forms import PlanForm

    choices = [(i + 1, label) for i, label in enumerate(atasan)]
    if bound:
        data = {"skp-pendekatan": "kuantitatif", "rhk-TOTAL_FORMS": str(len(rows)), "rhk-INITIAL_FORMS": "0"}
        for i, row in enumerate(rows):
            data |= {f"rhk-{i}-{name}": value for name, value in row.items() if value}
        form = PlanForm(data, pendekatan="kuantitatif", rows=[], atasan_choices=choices)
        form.is_valid()
        if rows:  # a row's own error (no field's): shown below the row
            form.formset.forms[0].add_error(None, "Baris <1> & seterusnya")
    else:
        saved = [{k: v for k, v in row.items() if k != "DELETE"} for row in rows]
        form = PlanForm(None, pendekatan="kuantitatif", rows=saved, atasan_choices=choices)
    with translation.override(language):
        context = Context({"formset": form.formset})
        tags = Template("{% load kinerja %}{% plan_rows formset %}|{% plan_empty_row formset %}").render(context)
        assert tags == Template(_PLAN_LOOP + "|" + _PLAN_EMPTY).render(context)


def test_translated_option_labels_follow_the_language_of_each_render():
    # the labels' translations are remembered per language: switching back and forth never shows
    # one language's label in the other's page
    from django.utils.translation import gettext_lazy, pgettext_lazy

    from workflow.models.choices import Rating

    widget = forms.Select(choices=[("", "—"), *Rating.choices, ("k", pgettext_lazy("rating", "Meets expectations"))])
    seen = {}
    for language in ["id", "en", "id", "en", "id"]:
        with translation.override(language):
            _same(widget, "rating", "sesuai", {"id": "id_rating"})
            for form in _forms():
                for bound in form:
                    fast = str(bound)
                    form.renderer = TEMPLATES
                    assert fast == str(bound), (language, bound.name)
                    form.renderer = FAST
            html = widget.render("rating", "sesuai", renderer=FAST)
            seen.setdefault(language, html)
            assert html == seen[language]
            assert str(gettext_lazy("Meets expectations")) in html
    assert seen["id"] != seen["en"] and "Meets expectations" in seen["en"]
