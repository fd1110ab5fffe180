"""Compiled models reused while their scenario is unchanged.

Compiling looks up dozens of bundled figures in pandas tables: about 0.1 s per world, most of
a deterministic run. A web form re-running on every change, a sweep or an optimiser over deal
terms compile the same scenario (or the same counterfactual) again and again. A compiled
``Model`` is a pure function of the resolved scenario, the folder its relative paths start
from and the bundled data, so it is kept under exactly that key. Models are never changed
after compiling (the engine reads them; blocks of one run already share one), so handing
out the same object is safe.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

from ..data import reference
from ..scenario.model import Scenario
from .compile import Model, compile_scenario

SIZE = 64  # models kept: a sweep's variants and their counterfactual, a web session's edits

_models: OrderedDict[tuple[str, str, str, bool], Model] = OrderedDict()
_lock = threading.Lock()


def compiled(scenario: Scenario, *, ledger_lines: bool = True) -> Model:
    """``compile_scenario(scenario)``, from the cache when the same scenario was compiled;
    ``ledger_lines=False`` for big runs, which keep the Crown ledger's totals only."""
    data = reference()
    # the resolved scenario's JSON (every field, distributions included: what its sha256
    # hashes), the folder its rule packs are read from, the bundled data's version, and whether
    # the ledger is kept line by line (a different model: its blocks hold other arrays)
    key = (
        scenario.model_dump_json(by_alias=True),
        str(scenario._origin),
        data.version,
        ledger_lines,
    )
    with _lock:
        model = _models.get(key)
        if model is not None:
            _models.move_to_end(key)
            return model
    model = dataclasses.replace(compile_scenario(scenario, data), ledger_lines=ledger_lines)
    with _lock:
        _models[key] = model
        while len(_models) > SIZE:
            _models.popitem(last=False)
    return model


def clear() -> None:
    """Forget every compiled model (tests; or after bundled files change on disk)."""
    with _lock:
        _models.clear()
