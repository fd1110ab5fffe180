"""Size limits with a way through: a job estimated to take more than a few minutes runs only
when the user says so (``--yes``), and the refusal says how long it would take."""

from __future__ import annotations

from .errors import EvpactError

#: draws per second of both worlds over a 20-year horizon on one shared core: a quarter of the
#: ~38,000 the README's draws-per-second benchmark measures on a free core (assumption: a
#: conservative margin for busy machines and larger scenarios)
DRAWS_PER_SECOND = 10_000.0
#: fixed cost of one run (loading, compiling, summarising), in seconds (assumption, measured
#: on the bundled scenarios: 0.1-0.3 s)
RUN_OVERHEAD_SECONDS = 0.3
#: jobs estimated to take longer than this ask for --yes
CONFIRM_SECONDS = 180.0


def estimate_seconds(draws: int, years: int, runs: int = 1) -> float:
    """Rough wall time of ``runs`` runs of ``draws`` draws over ``years`` years."""
    return runs * (RUN_OVERHEAD_SECONDS + draws * (years / 20) / DRAWS_PER_SECOND)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


def confirm_size(what: str, seconds: float, yes: bool) -> None:
    """Refuse a job estimated past ``CONFIRM_SECONDS`` unless ``yes``."""
    if seconds > CONFIRM_SECONDS and not yes:
        raise EvpactError(
            f"{what} would take about {_duration(seconds)} (estimated at "
            f"{DRAWS_PER_SECOND:,.0f} draws a second); add --yes to run it anyway",
            "--yes",
        )
