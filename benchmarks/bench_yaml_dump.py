"""Time writing a large resolved scenario: PyYAML's pure-Python dumper against libyaml's
(``scenario.load.to_yaml``). The scenario is canada-korea-2026 with N extra ``sources``
entries of 250 characters (default 200,000: a file of about 54 MB).

    python benchmarks/bench_yaml_dump.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

from evpact.scenario.load import bundled_scenarios, load_scenario, to_yaml


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    raw = yaml.safe_load(bundled_scenarios()["canada-korea-2026"].read_text(encoding="utf-8"))
    raw["sources"].update({f"note.{i}": "assumption: " + "x" * 240 for i in range(n)})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper, sort_keys=False))
        print(f"file: {path.stat().st_size / 1e6:.1f} MB")
        start = time.perf_counter()
        scenario = load_scenario(path)
        print(f"load and validate: {time.perf_counter() - start:.1f} s")
    data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    start = time.perf_counter()
    yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    print(f"pure-Python safe_dump: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    to_yaml(scenario)
    print(f"to_yaml (libyaml CSafeDumper): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
