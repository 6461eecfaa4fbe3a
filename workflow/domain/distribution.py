"""The distribution pattern of predikat in a team (SE MenPANRB 3/2023): its bounds and breaches."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, floor

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models.choices import Predikat

NOT_CHECKED = gettext_lazy(
    "The organisation predikat of the unit is not set yet, so the distribution pattern was not checked."
)


@dataclass(frozen=True)
class Bound:
    """One bound of a distribution pattern, with where the team stands against it."""

    predikat: str  # the predikat (or several, joined) the bound counts, by name
    kind: str  # "min" or "max"
    limit: int  # in people, shares rounded to the nearest whole person
    share: float | None  # the bound as a share of the team, when the pattern gives a share
    have: int
    judged: bool  # a minimum is judged only once the whole team is scored

    @property
    def ok(self) -> bool:
        if self.kind == "max":
            return self.have <= self.limit
        return not self.judged or self.have >= self.limit

    @property
    def off_by(self) -> int:
        """How many people the team is past the bound (0 when it is met)."""
        if self.ok:
            return 0
        return self.have - self.limit if self.kind == "max" else self.limit - self.have

    @property
    def rule(self) -> str:
        """The bound in words, e.g. "Baik: at most 70 % (2 people)"."""
        params = {"predikat": self.predikat, "limit": self.limit}
        if self.share is None:
            text = (
                _("%(predikat)s: at least %(limit)d people")
                if self.kind == "min"
                else _("%(predikat)s: at most %(limit)d people")
            )
            return text % params
        params["pct"] = f"{self.share * 100:g}"
        text = (
            _("%(predikat)s: at least %(pct)s %% (%(limit)d people)")
            if self.kind == "min"
            else _("%(predikat)s: at most %(pct)s %% (%(limit)d people)")
        )
        return text % params


# How a share of the team becomes whole people (``kebijakan.pembulatan_distribusi``).
ROUNDING = {
    "terdekat": lambda x: floor(x + 0.5),  # to the nearest whole person, a half up (the pattern table's way)
    "ke_bawah": floor,
    "ke_atas": ceil,
}


def people_of(share: float, total: int, rounding: str = "terdekat") -> int:
    """``share`` of a team of ``total`` in whole people (rounded to 6 places first: 0.1 * 30 is 3)."""
    return int(ROUNDING.get(rounding, ROUNDING["terdekat"])(round(share * total, 6)))


def pattern_bounds(
    *, counts: dict[str, int], total: int, pattern: dict, complete: bool, rounding: str = "terdekat"
) -> list[Bound]:
    """The bounds of ``pattern`` that constrain a team of ``total`` with ``counts`` per predikat.
    Keys read ``min_<group>`` or ``max_<group>`` (a share of the team) and ``min_orang_<group>``
    (a number of people), where a group is one predikat code or several joined by ``_atau_``.
    Shares are rounded to the nearest whole person; bounds that allow anything (a minimum of 0, a
    maximum of the whole team) are left out."""
    labels = dict(Predikat.choices)
    bounds = []
    for key, value in pattern.items():
        kind, _sep, group = key.partition("_")
        if kind not in ("min", "max") or value is None:
            continue
        people = group.startswith("orang_")
        codes = group.removeprefix("orang_").split("_atau_")
        if not all(code in labels for code in codes):
            continue
        share = None if people else float(value)
        if (kind == "min" and float(value) <= 0) or (kind == "max" and share is not None and share >= 1):
            continue
        bounds.append(
            Bound(
                predikat=" / ".join(str(labels[code]) for code in codes),
                kind=kind,
                limit=int(value) if people else people_of(share, total, rounding),
                share=share,
                have=sum(counts.get(code, 0) for code in codes),
                judged=kind == "max" or complete,
            )
        )
    return bounds


def distribution_breaches(
    *, counts: dict[str, int], total: int, pattern: dict, complete: bool, rounding: str = "terdekat"
) -> list[str]:
    """Messages for each bound of ``pattern`` the counts break (see ``pattern_bounds``); lower
    bounds count only once the whole team is scored (a team half rated cannot meet its minimums yet)."""
    messages = []
    for bound in pattern_bounds(counts=counts, total=total, pattern=pattern, complete=complete, rounding=rounding):
        if bound.ok:
            continue
        params = {"predikat": bound.predikat, "have": bound.have, "total": total, "limit": bound.limit}
        if bound.kind == "max":
            messages.append(_("%(predikat)s: %(have)d of %(total)d employees, at most %(limit)d allowed.") % params)
        else:
            messages.append(_("%(predikat)s: %(have)d of %(total)d employees, at least %(limit)d required.") % params)
    return messages
