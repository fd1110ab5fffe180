"""Shared helpers: small scenarios written to a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml


@pytest.fixture
def write_scenario(tmp_path: Path) -> Any:
    def write(data: dict[str, Any], name: str = "case") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


# --- the web app as a real server process (issue 6) -------------------------------------------


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``evpact serve`` on a free local port with a temporary SQLite store; yields its URL."""
    from webserver import serve

    with serve(tmp_path_factory.mktemp("web")) as url:
        yield url
