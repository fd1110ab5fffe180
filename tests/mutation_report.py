"""Mutation testing helpers (issue 17; tests/MUTATION.md). Run from the repository root after
``mutmut run`` has made ``mutants/``:

    python tests/mutation_report.py score                  # per file: killed, survived, ...
    python tests/mutation_report.py survivors [FILTER]     # each survivor's changed lines
    python tests/mutation_report.py sample MODULE N SEED [EXCLUDE]  # N names of a module, seeded
    python tests/mutation_report.py estimate NAMES_FILE [EQUIVALENT_TSV]  # stratified score

mutmut 3 keeps each file's results in ``mutants/src/.../<file>.py.meta`` (exit code per
mutant); these read them directly, so a partial run can be scored and a sample drawn
reproducibly (the big modules are sampled: tests/MUTATION.md says which and how)."""

from __future__ import annotations

import ast
import difflib
import json
import math
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


def sample(module: str, n: int, seed: int, exclude: str = "") -> None:
    """``n`` mutant names of a module (all of them if it has no more), seeded; names listed in
    the file ``exclude`` (an earlier sample whose survivors tests were written for) are left
    out, so a re-sample measures mutants nobody aimed at."""
    by = next(v for k, v in results().items() if k.endswith(f"/{module}.py"))
    skip = set(Path(exclude).read_text().split()) if exclude else set()
    pool = sorted(set(by) - skip)
    for name in sorted(random.Random(seed).sample(pool, min(n, len(pool)))):
        print(name)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson interval of a proportion k/n (good near 0 and 1, unlike the normal one)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def equivalents(path: str) -> dict[str, str]:
    """{mutant name: why no input can change any output} from a file of lines
    ``name<TAB>reason`` (``#`` comments and blank lines skipped)."""
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition("\t")
            out[name.strip()] = why.strip()
    return out


def estimate(names_file: str, equivalent_file: str = "", reps: int = 20000, seed: int = 0) -> None:
    """Score the mutants listed in ``names_file`` (one name a line: a seeded sample per file,
    or a whole file) per file, and weight each file's kill rate by its mutant count: the
    stratified estimate of the score over every mutant of the mutated files. Mutants that no
    selected test covers count as survivors (the honest choice: nothing would catch them).
    The 95% interval is a stratified bootstrap (resampling within each file's sample, a file
    tested in full contributes no sampling error), next to each file's Wilson interval.

    With ``equivalent_file`` (``name<TAB>reason`` lines: mutants no input can tell from the
    original), also the standard mutation score, killed / non-equivalent mutants: each file's
    killed and equivalent counts are scaled to its mutant count and the score is their ratio
    over all files (a ratio estimator, bootstrapped the same way)."""
    wanted = {line.strip() for line in Path(names_file).read_text().splitlines() if line.strip()}
    equivalent = equivalents(equivalent_file) if equivalent_file else {}
    rng = random.Random(seed)
    rows = []
    boot_all, boot_kill, boot_live = [0.0] * reps, [0.0] * reps, [0.0] * reps
    total = sum(len(by) for by in results().values())
    for name, by in results().items():
        picked = sorted(k for k in wanted & by.keys())
        tested = [k for k in picked if by[k] in ("killed", "timeout", "survived", "no tests")]
        if not tested:
            continue
        kills = [by[k] in ("killed", "timeout") for k in tested]
        equiv = [k in equivalent for k in tested]
        if any(a and b for a, b in zip(kills, equiv, strict=True)):
            killed_equivalent = [k for k, a, b in zip(tested, kills, equiv, strict=True) if a and b]
            raise SystemExit(f"listed as equivalent but killed: {killed_equivalent}")
        k, n, e, weight = sum(kills), len(kills), sum(equiv), len(by) / total
        lo, hi = wilson(k, n)
        lo_b, hi_b = wilson(k, n - e)
        none = sum(by[t] == "no tests" for t in tested)
        rows.append((name, len(by), n, k, none, e, lo, hi, lo_b, hi_b))
        pairs = list(zip(kills, equiv, strict=True))
        for r in range(reps):
            draw = rng.choices(pairs, k=n) if n < len(by) else pairs
            killed, live = sum(a for a, _ in draw), sum(not b for _, b in draw)
            boot_all[r] += weight * killed / n
            boot_kill[r] += weight * killed / n
            boot_live[r] += weight * live / n
    covered = sum(len(results()[row[0]]) for row in rows)
    print(
        f"{'file':32s} mutants  sampled  killed  no-test  equiv  rate   95% Wilson"
        + ("      rate (b)  95% Wilson" if equivalent else "")
    )
    point, live = 0.0, 0.0
    for name, count, n, k, none, e, lo, hi, lo_b, hi_b in rows:
        point += count / total * k / n
        live += count / total * (n - e) / n
        line = (
            f"{name:32s} {count:7d} {n:8d} {k:7d} {none:8d} {e:6d}  {k / n:5.1%}  {lo:.1%}-{hi:.1%}"
        )
        if equivalent:
            rate_b = f"{k / (n - e):5.1%}" if n > e else "  n/a"
            line += f"   {rate_b}  {lo_b:.1%}-{hi_b:.1%}"
        print(line)
    low, high = int(0.025 * reps), int(0.975 * reps)
    scaled = sorted(b * total / covered for b in boot_all)
    print(
        f"(a) killed / all, stratified over {covered} of {total} mutants: "
        f"{point * total / covered:.1%} (95% bootstrap {scaled[low]:.1%} to {scaled[high]:.1%})"
    )
    if equivalent:
        ratios = sorted(a / b for a, b in zip(boot_kill, boot_live, strict=True) if b > 0)
        print(
            f"(b) killed / non-equivalent, ratio over {covered} mutants, about "
            f"{live * total:.0f} of them not equivalent: {point / live:.1%} "
            f"(95% bootstrap {ratios[int(0.025 * len(ratios))]:.1%} to "
            f"{ratios[int(0.975 * len(ratios))]:.1%})"
        )


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["score"]
    if command == "score":
        score()
    elif command == "survivors":
        survivors(*rest)
    elif command == "estimate":
        estimate(*rest[:2])
    else:
        sample(rest[0], int(rest[1]), int(rest[2]), *rest[3:])
