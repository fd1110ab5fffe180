"""Numbers for people, the same in the terminal and in reports: whole years, shares as
percentages, money in B and M, other large counts in M, small values to three digits."""

from __future__ import annotations


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "not reached" if unit == "year" else "n/a"
    if unit == "year":
        return f"{value:.0f}"
    if unit == "share":
        return f"{100 * value:.0f}%"
    a = abs(value)
    if unit.startswith("CAD"):
        if a >= 1e9:
            return f"{value / 1e9:,.2f} B"
        if a >= 1e6:
            return f"{value / 1e6:,.0f} M"
        return f"{value:,.0f}"
    if a >= 1e6:
        return f"{value / 1e6:,.2f} M"
    return f"{value:,.0f}" if a >= 100 or value == 0 else f"{value:,.3g}"


def quantity(value: float | None, unit: str) -> str:
    """A number with its unit, for sentences: ``C$ 1.70 B``, ``22,368 jobs``, ``30%``,
    ``2031``. The number part is exactly ``number(value, unit)``, so a test can find it."""
    text = number(value, unit)
    if value is None or unit in ("year", "share", ""):
        return text
    if unit.startswith("CAD"):
        return f"C$\u00a0{text}"  # no line break between the currency and its number
    from .labels import unit_text

    return f"{text} {unit_text(unit)}"
