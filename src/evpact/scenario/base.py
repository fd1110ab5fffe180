"""The format's base model: strict keys, frozen, finite floats."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class Strict(BaseModel):
    """Base: unknown keys are refused with a did-you-mean instead of being ignored."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, frozen=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            shown = sorted(f.alias or name for name, f in cls.model_fields.items())
            known = set(cls.model_fields) | set(shown)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), shown, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise ValueError(f"unknown key '{key}'{hint}; allowed: {', '.join(shown)}")
        return data
