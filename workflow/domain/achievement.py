"""The achievement of an indicator (capaian IKI): the realisation against a numeric target, in
percent. No database.

Quantity and quality indicators count up: 90 of a target of 100 is 90 %. Time and cost count
down (fewer months, a smaller budget is better): finishing in 10 months what was planned for 12
is 120 %. [D] The regulation sets no formula; this is the common reading, shown beside the
numbers, never used by the rules to rate (the assessor rates each RHK).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LOWER_IS_BETTER = frozenset({"waktu", "biaya"})
HUNDRED = Decimal(100)


def capaian_persen(*, aspek: str, target: Decimal | None, realisasi: Decimal | None) -> Decimal | None:
    """The achievement in percent, rounded to two decimals; ``None`` when it has no meaning (no
    numeric target or realisation, a target of zero, or nothing spent against a time or cost
    target)."""
    if target is None or realisasi is None or target <= 0 or realisasi < 0:
        return None
    if aspek in LOWER_IS_BETTER:
        if realisasi == 0:
            return None
        ratio = target / realisasi
    else:
        ratio = realisasi / target
    return (ratio * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
