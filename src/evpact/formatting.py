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
