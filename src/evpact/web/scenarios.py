"""Scenarios as the web receives them: a bundled name or an uploaded file's text, plus a
variant. Uploads are read with ``yaml.safe_load`` (no anchors or aliases either) and may name
no file: their counterfactual, like any variant of it, must be a bundled scenario."""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from ..errors import EvpactError
from ..scenario.load import bundled_scenarios, load_scenario, parse_yaml, validate, vary
from ..scenario.model import Scenario


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: a few bytes of anchors cannot expand into gigabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise EvpactError(
                "YAML aliases (*name) are not accepted in uploads, "
                f"line {event.start_mark.line + 1}"
            )
        return super().compose_node(parent, index)


def parse_upload(text: str) -> dict[str, Any]:
    return parse_yaml(text, "uploaded scenario", _NoAliasLoader)


def bundled_name(name: str) -> str:
    """A bundled scenario's name, or an error with a did-you-mean (never a file path)."""
    bundled = bundled_scenarios()
    if name not in bundled:
        close = difflib.get_close_matches(name, list(bundled), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise EvpactError(
            f"'{name}' is not a bundled scenario{hint}; bundled: {', '.join(bundled)}; "
            "upload a file to run your own"
        )
    return name


def resolve(name: str | None, text: str | None, variant: dict[str, Any]) -> Scenario:
    """The scenario a request names, with its variant, checked to name no file."""
    if (name is None) == (text is None):
        raise EvpactError("give exactly one of 'scenario' (a bundled name) or 'yaml' (a file)")
    try:
        if name is not None:
            scenario = load_scenario(bundled_name(name), variant or None)
        else:
            scenario = validate(parse_upload(str(text)), "uploaded scenario")
            if variant:
                scenario = vary(scenario, variant)
    except RecursionError:
        raise EvpactError("the scenario is nested too deeply") from None
    cf = scenario.counterfactual
    if cf is not None and cf not in bundled_scenarios():
        raise EvpactError(
            f"counterfactual '{cf}' must be a bundled scenario "
            f"({', '.join(bundled_scenarios())}); the server opens no files"
        )
    return scenario
