"""Why a result is what it is, in plain sentences and as the list of rules applied.

Pure: the caller reads the tables' specs and who decided the appeal (``selectors.explanation``).

Everything said here comes from what was stored with the result — the facts, the trace of every
table consulted (table, version, the row that decided, the inputs it tested, its outputs) and the
appeal decision — and from the decision tables' own words (title, description, column labels,
row notes) in the version that decided. Nothing assumes what the tables say: an admin can publish
different rules, and the explanation follows them.

Of several decisions of one table (the predikat decided again in an appeal) only the last counts;
the earlier ones are listed as superseded. When an appeal set new ratings, the tables that had
suggested the ratings no longer count either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..dates import local_date
from ..models import HasilPenilaian, Keberatan, NilaiPerilaku, Predikat, PredikatOrganisasi, Rating, StatusKeberatan
from .scoring import PREDIKAT_TABLE, RATING_TABLES, TPP_TABLE, AnnualPredikat


@dataclass(frozen=True)
class Condition:
    """One cell of the row that decided, with the fact it tested."""

    label: str  # the input's label in the table (its name when it has none)
    test: str  # the cell as written in the table, e.g. "> 0.5" (the rules editor shows it)
    value: str  # the fact, as people read it
    words: str = ""  # the cell in words, e.g. "more than 0.5", "Sesuai or Di Atas Ekspektasi"


@dataclass(frozen=True)
class AppliedRule:
    """One table consulted for the result, as the page lists it under "Rules applied"."""

    name: str
    table: str  # the table's title (its name when it has none)
    description: str
    version: str
    row: int
    default: bool
    note: str
    conditions: tuple[Condition, ...]
    outputs: tuple[tuple[str, str], ...]  # (label, value)
    appeal: bool  # decided in the appeal
    superseded_by: str = ""  # why it no longer counts; empty while it counts

    @property
    def counts(self) -> bool:
        return not self.superseded_by


@dataclass
class Explanation:
    sentences: list[str] = field(default_factory=list)
    rules: list[AppliedRule] = field(default_factory=list)

    def __iter__(self):
        return iter(self.sentences)


def value_labels() -> dict[str, str]:
    """The words of the choice codes the rule tables use (ratings, predikat, organisation predikat)."""
    return {**dict(PredikatOrganisasi.choices), **dict(Predikat.choices), **dict(Rating.choices)}


def _show(value: Any, labels: dict[str, str]) -> str:
    """A fact or an output as people read it: the label of a rating or predikat code, a number
    in the local format with at most two decimals, yes/no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return floatformat(value, "-2")
    if value is None or value == "":
        return "—"
    return str(labels.get(str(value), value))


_COMPARISONS = {  # longest operator first
    ">=": gettext_noop("at least %(n)s"),
    "<=": gettext_noop("at most %(n)s"),
    "!=": gettext_noop("other than %(n)s"),
    ">": gettext_noop("more than %(n)s"),
    "<": gettext_noop("less than %(n)s"),
    "=": "%(n)s",
}
_RANGE = re.compile(r"^([\[(])\s*(.*?)\s*\.\.\s*(.*?)\s*([\])])$")


def _word(raw: str, labels: dict[str, str]) -> str:
    """One value of a condition cell as people read it: a choice's label, a number in the local
    format, yes/no."""
    raw = raw.strip().strip("\"'")
    if raw.lower() in ("true", "ya", "benar", "yes"):
        return _("yes")
    if raw.lower() in ("false", "tidak", "salah", "no"):
        return _("no")
    try:
        number = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return str(labels.get(raw, raw.replace("_", " ")))
    return number_format(Decimal(f"{number.normalize():f}"))  # 0.5 as the locale writes it, no padding


def _test_words(test: str, labels: dict[str, str]) -> str:
    """A condition cell in words (``> 0.5`` → "more than 0.5", ``in {sesuai, di_atas}`` →
    "Sesuai Ekspektasi or Di Atas Ekspektasi"); the raw syntax stays in the rules editor."""
    test = str(test).strip()
    negated = test.lower().startswith("not in")
    if negated or test.lower().startswith("in"):
        body = test[6 if negated else 2 :].strip().strip("{}")
        items = [i for i in body.split(";" if ";" in body else ",") if i.strip()]
        words = _(" or ").join(_word(i, labels) for i in items)
        return _("not %(values)s") % {"values": words} if negated else words
    if found := _RANGE.match(test):
        low, high = _word(found.group(2), labels), _word(found.group(3), labels)
        low_text = _("from %(n)s") if found.group(1) == "[" else _("above %(n)s")
        high_text = _("up to %(n)s") if found.group(4) == "]" else _("below %(n)s")
        return f"{low_text % {'n': low}} {high_text % {'n': high}}"
    for op, text in _COMPARISONS.items():
        if test.startswith(op):
            return _(text) % {"n": _word(test[len(op) :], labels)}
    return _word(test, labels)


def _applied(record: dict, specs: dict[int, dict], labels: dict[str, str], superseded_by: str) -> AppliedRule | None:
    rows = record.get("trace") or []
    if not rows:
        return None
    row = rows[0]
    name = record.get("table") or row.get("table", "")
    spec = specs.get((record.get("version") or {}).get("id"), {}).get(name)
    inputs = {c.name: c.label for c in spec.inputs} if spec else {}
    outputs = {c.name: c.label for c in spec.outputs} if spec else {}
    number = int(row.get("row") or 0)
    note = spec.rows[number - 1].note if spec and 0 < number <= len(spec.rows) else ""
    facts = row.get("inputs") or {}
    return AppliedRule(
        name=name,
        table=(spec.title if spec else "") or name,
        description=spec.description.strip() if spec else "",
        version=record.get("version_label", ""),
        row=number,
        default=bool(row.get("default")),
        note=note,
        conditions=tuple(
            Condition(inputs.get(key) or key, str(test), _show(facts.get(key), labels), _test_words(test, labels))
            for key, test in (row.get("conditions") or {}).items()
            if str(test).strip() not in ("", "-")
        ),
        outputs=tuple(
            (outputs.get(key) or key, _show(value, labels)) for key, value in (row.get("outputs") or {}).items()
        ),
        appeal=bool(record.get("appeal")),
        superseded_by=superseded_by,
    )


def _rule_sentence(rule: AppliedRule, *, suggestion: bool) -> str:
    params = {
        "table": rule.table,
        "version": rule.version,
        "row": rule.row,
        "outputs": ", ".join(f"{label}: {value}" for label, value in rule.outputs),
        "conditions": "; ".join(
            _("%(label)s %(value)s (condition: %(test)s)") % {"label": c.label, "value": c.value, "test": c.words}
            for c in rule.conditions
        ),
    }
    if rule.default or not rule.conditions:
        text = (
            _("Table “%(table)s” (%(version)s): no other row applies, so the default row %(row)d suggests %(outputs)s.")
            if suggestion
            else _(
                "Table “%(table)s” (%(version)s): no other row applies, so the default row %(row)d gives %(outputs)s."
            )
        )
    else:
        text = (
            _("Table “%(table)s” (%(version)s), row %(row)d: %(conditions)s — suggests %(outputs)s.")
            if suggestion
            else _("Table “%(table)s” (%(version)s), row %(row)d: %(conditions)s — gives %(outputs)s.")
        )
    text %= params
    if rule.note:
        text += " " + _("Note on the row: %(note)s.") % {"note": rule.note.rstrip(".")}
    if rule.description:
        text += " " + _("The table's rule: %(description)s.") % {"description": rule.description.rstrip(".")}
    return text


def _appeal_sentences(
    keberatan: Keberatan, decided_by: str, hasil: HasilPenilaian, before: dict, labels: dict[str, str]
) -> list[str]:
    params = {"date": local_date(keberatan.diputuskan), "name": decided_by}
    if keberatan.status != StatusKeberatan.DIUBAH:
        sentences = [_("Appeal decided on %(date)s by %(name)s: the result is upheld.") % params]
    else:
        changes = []
        for key, new, changed, kept in (
            (
                "hasil_kerja",
                hasil.rating_hasil_kerja,
                _("work-result rating changed from %(old)s to %(new)s"),
                _("work-result rating kept at %(new)s"),
            ),
            (
                "perilaku",
                hasil.rating_perilaku,
                _("behaviour rating changed from %(old)s to %(new)s"),
                _("behaviour rating kept at %(new)s"),
            ),
        ):
            old = before.get(key, new)
            changes.append((changed if old != new else kept) % {"old": _show(old, labels), "new": _show(new, labels)})
        params |= {
            "changes": "; ".join(changes),
            "before": _show(keberatan.predikat_semula, labels),
            "after": _show(hasil.predikat, labels),
        }
        sentences = [
            _(
                "Appeal decided on %(date)s by %(name)s: %(changes)s. The predikat was determined again from "
                "these ratings with the same rule version: %(before)s became %(after)s."
            )
            % params
        ]
    if keberatan.alasan_keputusan:
        sentences.append(_("Reasons for the decision: %(reasons)s") % {"reasons": keberatan.alasan_keputusan})
    return sentences


def trace_records(hasil: HasilPenilaian) -> list[dict]:
    """The decisions stored with a result, in the order they were taken."""
    return [r for r in (hasil.trace or []) if isinstance(r, dict)]


def trace_versions(hasil: HasilPenilaian) -> dict[int, str]:
    """The rule versions whose tables decided the result (their specs give the tables' words), each
    with the (start of the) content hash its decisions recorded."""
    return versions_of(trace_records(hasil))


def versions_of(records) -> dict[int, str]:
    """The rule versions named by decision records: id -> the content hash they recorded."""
    found: dict[int, str] = {}
    for record in records:
        version = record.get("version") or {}
        if version.get("id"):
            found.setdefault(version["id"], version.get("hash") or "")
    return found


def _applied_rules(records: list[dict], specs: dict[int, dict], labels: dict[str, str]) -> list[AppliedRule]:
    """Every table consulted, each marked as counting or superseded (by a later decision of the same
    table, or — for the suggestions — by the ratings an appeal set)."""
    appeal_rescored = any(r.get("appeal") for r in records)
    applied: list[AppliedRule] = []
    for i, record in enumerate(records):
        later = [r for r in records[i + 1 :] if r.get("table") == record.get("table")]
        reason = ""
        if later:
            reason = _("superseded by the appeal decision") if later[-1].get("appeal") else _("superseded")
        elif appeal_rescored and record.get("table") in RATING_TABLES:
            reason = _("replaced by the ratings set in the appeal decision")
        rule = _applied(record, specs, labels, reason)
        if rule is not None:
            applied.append(rule)
    return applied


def _facts_sentences(f: dict) -> list[str]:
    """The assessor's ratings, as the facts stored with the result count them."""
    sentences = []
    if "jumlah_rhk" in f:
        text = (
            _(
                "RHK ratings by the assessor: %(atas)d of %(total)d RHK were rated above expectations and "
                "%(bawah)d below (of which %(utama)d core RHK)."
            )
            if f.get("rhk_di_bawah")
            else _(
                "RHK ratings by the assessor: %(atas)d of %(total)d RHK were rated above expectations and none below."
            )
        )
        sentences.append(
            text
            % {
                "atas": f.get("rhk_di_atas", 0),
                "total": f["jumlah_rhk"],
                "bawah": f.get("rhk_di_bawah", 0),
                "utama": f.get("rhk_utama_di_bawah", 0),
            }
        )
    if f.get("kepala_unit"):
        sentences.append(
            _(
                "The employee heads the unit: their work-result rating follows the organisation predikat of "
                "their unit (%(organisasi)s), not the RHK ratings."
            )
            % {"organisasi": _show(f.get("predikat_organisasi"), value_labels())}
        )
    if "perilaku_di_atas" in f:
        sentences.append(
            _(
                "Behaviour ratings by the assessor: %(atas)d of the %(n)d BerAKHLAK values above expectations and "
                "%(bawah)d below."
            )
            % {"atas": f["perilaku_di_atas"], "n": len(NilaiPerilaku.values), "bawah": f.get("perilaku_di_bawah", 0)}
        )
    return sentences


def _given_ratings(records: list[dict], f: dict, hasil: HasilPenilaian) -> dict:
    """The ratings the assessor gave: the inputs of the first (the assessor's) predikat decision."""
    first = next((r for r in records if r.get("table") == PREDIKAT_TABLE and not r.get("appeal")), None)
    given = dict(((first or {}).get("trace") or [{}])[0].get("inputs") or {})
    given.setdefault("hasil_kerja", f.get("hasil_kerja", hasil.rating_hasil_kerja))
    given.setdefault("perilaku", f.get("perilaku", hasil.rating_perilaku))
    return given


def _rating_sentences(f: dict, given: dict, labels: dict[str, str]) -> list[str]:
    """How the assessor rated against the suggestions."""
    sentences = []
    for key, same, departed in (
        (
            "hasil_kerja",
            _("The assessor rated work results %(rating)s, as suggested."),
            _(
                "The assessor rated work results %(rating)s, departing from the suggestion (%(suggested)s), and gave "
                "a reason."
            ),
        ),
        (
            "perilaku",
            _("The assessor rated behaviour %(rating)s, as suggested."),
            _(
                "The assessor rated behaviour %(rating)s, departing from the suggestion (%(suggested)s), and gave a "
                "reason."
            ),
        ),
    ):
        suggested = f.get(f"{key}_saran")
        if suggested:
            text = same if suggested == given[key] else departed
            sentences.append(text % {"rating": _show(given[key], labels), "suggested": _show(suggested, labels)})
    return sentences


def explanation_of(
    hasil: HasilPenilaian, *, specs: dict[int, dict], keberatan: Keberatan | None = None, decided_by: str = ""
) -> Explanation:
    """Why this predikat: the assessor's ratings (facts), what the rating tables suggested and
    why, how the assessor rated, the appeal decision (``keberatan``, when one was decided, by
    ``decided_by``) and the table that gave the predikat; and every table consulted, marked as
    counting or superseded. ``specs``: the table specs of each version in ``trace_versions``."""
    labels = value_labels()
    records = trace_records(hasil)
    applied = _applied_rules(records, specs, labels)
    f = hasil.fakta or {}
    sentences = _facts_sentences(f)
    sentences += [_rule_sentence(r, suggestion=True) for r in applied if r.name in RATING_TABLES and not r.appeal]
    given = _given_ratings(records, f, hasil)
    sentences += _rating_sentences(f, given, labels)
    if keberatan is not None and keberatan.diputuskan is not None:
        sentences += _appeal_sentences(keberatan, decided_by, hasil, given, labels)
    counting = next((r for r in reversed(applied) if r.name == PREDIKAT_TABLE and r.counts), None)
    if counting is not None:
        sentences.append(_rule_sentence(counting, suggestion=False))
    sentences.append(
        _(
            "Work results %(hk)s with behaviour %(pr)s give the predikat %(predikat)s "
            "(rule set %(rule_set)s, version %(version)s)."
        )
        % {
            "hk": _show(hasil.rating_hasil_kerja, labels),
            "pr": _show(hasil.rating_perilaku, labels),
            "predikat": hasil.get_predikat_display(),
            "rule_set": hasil.rule_set,
            "version": hasil.rule_version,
        }
    )
    tpp = next((r for r in reversed(applied) if r.name == TPP_TABLE and r.counts), None)
    if tpp is not None:  # a periodic result: the allowance its predikat gives
        sentences.append(_rule_sentence(tpp, suggestion=False))
    return Explanation(sentences=sentences, rules=applied)


def annual_explanation(annual: AnnualPredikat, *, specs: dict[int, dict]) -> Explanation:
    """Why the year's predikat of several SKP is what it is: each SKP's part, every decision of
    the annual table in the table's own words, and which SKP decided. ``specs``: the table specs of
    each version the decisions name."""
    labels = {**value_labels(), "sebelumnya": _("the earlier SKP"), "kemudian": _("the later SKP")}
    sentences = []
    for part in annual.parts:
        skp = part.skp
        params = {
            "n": skp.urutan,
            "post": skp.jabatan_nama,
            "unit": skp.unit_nama,
            "start": local_date(skp.tanggal_mulai),
            "end": local_date(skp.tanggal_selesai),
            "months": _show(part.months, labels),
        }
        if not part.counts:
            text = _(
                "SKP %(n)d (%(post)s, %(unit)s), %(start)s – %(end)s, %(months)s months: closed without a result, "
                "it takes no part."
            )
        elif part.predikat:
            params["predikat"] = _show(part.predikat, labels)
            text = _("SKP %(n)d (%(post)s, %(unit)s), %(start)s – %(end)s, %(months)s months: %(predikat)s.")
        else:
            text = _("SKP %(n)d (%(post)s, %(unit)s), %(start)s – %(end)s, %(months)s months: no published result yet.")
        sentences.append(text % params)
    applied = []
    for record in annual.decisions:
        rule = _applied(record, specs, labels, "")
        if rule is None:
            continue
        applied.append(rule)
        sentences.append(
            _("SKP %(a)d against SKP %(b)d: ") % {"a": record.get("sebelumnya"), "b": record.get("kemudian")}
            + _rule_sentence(rule, suggestion=False)
        )
    if annual.predikat:
        sentences.append(
            _("The predikat of %(year)s is %(predikat)s: the predikat of SKP %(n)d.")
            % {"year": annual.tahun, "predikat": _show(annual.predikat, labels), "n": annual.decisive.urutan}
        )
    elif annual.error:
        sentences.append(_("The predikat of the year cannot be decided: %(error)s") % {"error": annual.error})
    else:
        sentences.append(
            _("The predikat of the year is decided once every SKP has a published result (waiting for SKP %(n)s).")
            % {"n": ", ".join(str(skp.urutan) for skp in annual.pending)}
        )
    return Explanation(sentences=sentences, rules=applied)
