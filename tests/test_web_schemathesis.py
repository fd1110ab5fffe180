"""Schemathesis against the live server's own OpenAPI: generated requests, no 5xx anywhere.

Its own server with tiny run limits, so generated runs are quick and most are refused (4xx).
Each operation is driven through Hypothesis directly (``operation.as_strategy()``), which does
not depend on schemathesis' pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webserver import serve

EXAMPLES = 30  # per operation: ~15 operations x 30 requests keeps this test near 15 s


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("schemathesis")
    with serve(folder, max_draws="200", sync_draws="200", max_body_bytes="20000") as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")


def test_no_server_error(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    seen: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def no_5xx(case: Any) -> None:
            response = case.call(timeout=30)
            seen.append(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
            )

        no_5xx()
    assert any(400 <= s < 500 for s in seen) and any(s < 300 for s in seen)
