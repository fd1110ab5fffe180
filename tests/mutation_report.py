"""Mutation testing helpers (issue 17; tests/MUTATION.md). Run from the repository root after
``mutmut run`` has made ``mutants/``:

    python tests/mutation_report.py score                  # per file: killed, survived, ...
    python tests/mutation_report.py survivors [FILTER]     # each survivor's changed lines
    python tests/mutation_report.py sample MODULE N SEED   # N mutant names of a module, seeded

mutmut 3 keeps each file's results in ``mutants/src/.../<file>.py.meta`` (exit code per
mutant); these read them directly, so a partial run can be scored and a sample drawn
reproducibly (the big modules are sampled: tests/MUTATION.md says which and how)."""

from __future__ import annotations

import ast
import difflib
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

#: mutmut 3 exit codes (mutmut/__main__.py, status_by_exit_code)
STATUS = {
    1: "killed",
    3: "killed",
    -11: "killed",
    -9: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    37: "type check",
    None: "not checked",
}
ROOT = Path("mutants/src")


def results() -> dict[str, dict[str, str]]:
    """{source file: {mutant name: status}} for every mutated file."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(ROOT.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        name = str(meta.relative_to(ROOT))[: -len(".meta")]
        out[name] = {k: STATUS.get(v, f"exit {v}") for k, v in codes.items()}
    return out


def score() -> None:
    total: Counter[str] = Counter()
    for name, by in results().items():
        c = Counter(by.values())
        total.update(c)
        done = c["killed"] + c["timeout"] + c["survived"]
        rate = f"  score {(c['killed'] + c['timeout']) / done:.1%}" if done else ""
        print(f"{name:32s} {len(by):5d}  " + ", ".join(f"{k} {c[k]}" for k in sorted(c)) + rate)
    done = total["killed"] + total["timeout"] + total["survived"]
    print(f"all {sum(total.values())}: " + ", ".join(f"{k} {total[k]}" for k in sorted(total)))
    if done:
        print(
            f"score (killed + timeout) / tested: {(total['killed'] + total['timeout']) / done:.1%}"
        )


def _functions(path: Path) -> dict[str, str]:
    text = path.read_text()
    lines = text.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def survivors(needle: str = "") -> None:
    for name, by in results().items():
        names = [k for k, s in by.items() if s == "survived" and needle in k]
        if not names:
            continue
        funcs = _functions(ROOT / name)
        grouped: dict[str, list[str]] = defaultdict(list)
        for k in names:
            local = k[len(name[:-3].replace("/", ".")) + 1 :]
            grouped[local.rsplit("__mutmut_", 1)[0]].append(local)
        for base, locals_ in grouped.items():
            print(f"### {name} {base} ({len(locals_)})")
            orig = funcs.get(f"{base}__mutmut_orig", "").splitlines()[1:]
            for local in locals_:
                mutant = funcs.get(local, "").splitlines()[1:]
                diff = [
                    line.strip()[:110]
                    for line in difflib.unified_diff(orig, mutant, lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))
                ]
                print(f"  [{local.rsplit('_', 1)[1]}] " + " | ".join(diff))


def sample(module: str, n: int, seed: int) -> None:
    by = next(v for k, v in results().items() if k.endswith(f"/{module}.py"))
    for name in sorted(random.Random(seed).sample(sorted(by), n)):
        print(name)


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["score"]
    if command == "score":
        score()
    elif command == "survivors":
        survivors(*rest)
    else:
        sample(rest[0], int(rest[1]), int(rest[2]))
