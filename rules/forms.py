"""Forms of the rules editor: every value the editor reads from a request goes through one of these.

Django's form fields do the edge checks (text length, NUL bytes, numbers, ids), and the typed
fact fields read their text with ``coerce_text`` (the declared input or output type, a decimal
comma or point). Views pass the cleaned values to one service or the engine, never raw POST data.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .conditions import CellError, coerce_text
from .models import TableRow, TableTestCase
from .spec import ColumnSpec, RowSpec, TableSpec
from .validation import Problem

# A row key of the grid: the row's number, or ``n<k>`` for rows added in the browser.
ROW_KEY_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")
MAX_GRID_ROWS = 1000
CELL_MAX_LENGTH = 200
# Database ids (bigint): anything outside is no id, and never reaches a query.
ID_MAX = 2**63 - 1


class TypedValueField(forms.CharField):
    """Text typed by a person, read into the declared type of an input or output column."""

    def __init__(self, column: ColumnSpec, *, required: bool = True, **kwargs):
        self.column = column
        super().__init__(max_length=CELL_MAX_LENGTH, required=required, label=column.label or column.name, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return coerce_text(text, self.column.field_type)
        except CellError as exc:
            raise forms.ValidationError(exc.message) from exc


class FactsForm(forms.Form):
    """The inputs of one table as typed facts (``i-<input>``), for "coba" and test cases."""

    def __init__(self, spec: TableSpec, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        for col in spec.inputs:
            self.fields[f"i-{col.name}"] = TypedValueField(col)

    @property
    def facts(self) -> dict:
        return {col.name: self.cleaned_data[f"i-{col.name}"] for col in self.spec.inputs}

    def messages(self) -> dict[str, str]:
        """The first message per column (or per form, under ``""``)."""
        out = {}
        for key, errors in self.errors.items():
            if key == forms.forms.NON_FIELD_ERRORS:
                name = ""
            elif key.startswith(("i-", "o-")):
                name = key[2:]
            else:
                name = str(self.fields[key].label)
            out[name] = errors[0]
        return out


class TestCaseForm(FactsForm):
    """A new test case: a name, the inputs, and the outputs to check (at least one)."""

    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=TableTestCase._meta.get_field("name").max_length, required=False
    )

    def __init__(self, spec: TableSpec, *args, **kwargs):
        super().__init__(spec, *args, **kwargs)
        for col in spec.outputs:
            self.fields[f"o-{col.name}"] = TypedValueField(col, required=False)

    @property
    def expected(self) -> dict:
        return {
            col.name: self.cleaned_data[f"o-{col.name}"]
            for col in self.spec.outputs
            if self.cleaned_data.get(f"o-{col.name}") is not None
        }


class TestCaseDeleteForm(forms.Form):
    delete = forms.IntegerField(min_value=1, max_value=ID_MAX)


class DiffForm(forms.Form):
    """``?dengan=<version id>``: the version to compare with (optional); ``?semua=1``: every table,
    not only the changed ones."""

    dengan = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    semua = forms.BooleanField(required=False)


class GridForm(forms.Form):
    """The rows of the grid. Each row posts ``order-<key>``, ``c-<key>-<input>``,
    ``o-<key>-<output>``, ``default-<key>``, ``delete-<key>`` and ``note-<key>``; the fields are
    made for the keys the request names, so junk keys are refused, never looked up."""

    def __init__(self, spec: TableSpec, data):
        super().__init__(data)
        self.spec = spec
        self.keys = [k[len("order-") :] for k in data if k.startswith("order-")]
        note_length = TableRow._meta.get_field("note").max_length
        for key in self.keys if self._keys_ok() else []:
            self.fields[f"order-{key}"] = forms.FloatField(required=False)
            self.fields[f"default-{key}"] = forms.BooleanField(required=False)
            self.fields[f"delete-{key}"] = forms.BooleanField(required=False)
            self.fields[f"note-{key}"] = forms.CharField(required=False, max_length=note_length)
            for col in spec.inputs:
                self.fields[f"c-{key}-{col.name}"] = forms.CharField(required=False, max_length=CELL_MAX_LENGTH)
            for col in spec.outputs:
                self.fields[f"o-{key}-{col.name}"] = forms.CharField(required=False, max_length=CELL_MAX_LENGTH)

    def _keys_ok(self) -> bool:
        return len(self.keys) <= MAX_GRID_ROWS and all(ROW_KEY_RE.match(k) for k in self.keys)

    def clean(self):
        if len(self.keys) > MAX_GRID_ROWS:
            raise forms.ValidationError(_("A table holds at most %(max)s rows.") % {"max": MAX_GRID_ROWS})
        if not self._keys_ok():
            raise forms.ValidationError(_("The grid arrived altered; reload the page and edit it again."))
        return self.cleaned_data

    def _cleaned(self) -> dict:
        return getattr(self, "cleaned_data", None) or {}

    def _raw(self, name: str, default: str = "") -> str:
        """A value as cleaned, else as sent (NUL bytes removed) to show it again."""
        value = self._cleaned().get(name)
        if value is None:
            value = str(self.data.get(name, default)).replace("\x00", "")
        return value

    def _flag(self, name: str) -> bool:
        value = self._cleaned().get(name)
        if value is None:
            value = self.data.get(name, "") not in ("", "false", "0")
        return bool(value)

    def _ordered_keys(self) -> list[str]:
        def order(key):
            value = self._cleaned().get(f"order-{key}")
            return value if isinstance(value, float) else 0.0

        return sorted(self.keys if self._keys_ok() else [], key=order)

    def _kept_keys(self) -> list[str]:
        return [k for k in self._ordered_keys() if not self._flag(f"delete-{k}")]

    def rows(self) -> list[RowSpec]:
        """The rows kept (not deleted), in the order the editor arranged them. Valid forms only."""
        out = []
        for key in self._kept_keys():
            is_default = self.cleaned_data[f"default-{key}"]
            conds = {c.name: self.cleaned_data[f"c-{key}-{c.name}"] or "-" for c in self.spec.inputs}
            outs = {c.name: self.cleaned_data[f"o-{key}-{c.name}"] for c in self.spec.outputs}
            out.append(RowSpec({} if is_default else conds, outs, is_default, self.cleaned_data[f"note-{key}"]))
        return out

    def existing_rows_changed(self, before: list[RowSpec]) -> int:
        """How many of the rows the grid was drawn with (keys 1..n, ``before``) were changed or
        deleted; added rows do not count. Compared as the grid shows them. Valid forms only."""
        changed = 0
        for key in self.keys:
            if not key.isdigit() or not 1 <= int(key) <= len(before):
                continue
            old = before[int(key) - 1]
            if self.cleaned_data[f"delete-{key}"] or self.cleaned_data[f"default-{key}"] != old.is_default:
                changed += 1
                continue
            conds = [(old.conditions.get(c.name, "-"), f"c-{key}-{c.name}", "-") for c in self.spec.inputs]
            outs = [(old.outputs.get(c.name, ""), f"o-{key}-{c.name}", "") for c in self.spec.outputs]
            cells = conds if not old.is_default else []
            if any(str(value) != (self.cleaned_data[name] or empty) for value, name, empty in [*cells, *outs]):
                changed += 1
        return changed

    def grid(self) -> list[dict]:
        """The kept rows as submitted, to show them again with their messages."""
        return [
            {
                "conditions": {c.name: self._raw(f"c-{key}-{c.name}", "-") or "-" for c in self.spec.inputs},
                "outputs": {c.name: self._raw(f"o-{key}-{c.name}") for c in self.spec.outputs},
                "is_default": self._flag(f"default-{key}"),
                "note": self._raw(f"note-{key}"),
            }
            for key in self._kept_keys()
        ]

    def problems(self) -> list[Problem]:
        """The form's errors placed on the grid: per row (numbered as shown) and column."""
        problems = [Problem("form", str(msg)) for msg in self.non_field_errors()]
        for index, key in enumerate(self._kept_keys(), start=1):
            cells = [
                *((c.name, f"c-{key}-{c.name}") for c in self.spec.inputs),
                *((c.name, f"o-{key}-{c.name}") for c in self.spec.outputs),
            ]
            for name, field_name in cells:
                problems += [Problem("form", str(msg), "", index, name) for msg in self.errors.get(field_name, [])]
            for field_name, label in ((f"note-{key}", _("Note")), (f"order-{key}", _("Order"))):
                problems += [Problem("form", f"{label}: {msg}", "", index) for msg in self.errors.get(field_name, [])]
        return problems
