"""Golden summaries of the bundled scenarios: what the model said when they were last reviewed.

Regenerate after an intended change of model or data, and review the diff:
``python tests/golden_runs.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import evpact

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ("canada-korea-2026", "canada-korea-2026-unlinked", "nextstar-2023", "powerco-2023")
DRAWS, SEED = 300, 2026


def golden_summary(name: str) -> dict[str, Any]:
    s = evpact.simulate(name, draws=DRAWS, seed=SEED).summary_dict()
    return {k: s[k] for k in ("scenario", "counterfactual", "seed", "draws", "horizon", "metrics")}


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name in SCENARIOS:
        (GOLDEN / f"{name}.json").write_text(json.dumps(golden_summary(name), indent=1) + "\n")
        print("wrote", name)
