"""Schemathesis against /openapi.json of a real server (uvicorn on a loopback port, the real
offline DraftCore): no 5xx, every response documented and matching its schema."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from .conftest import make_settings

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION_AND_MODE = 40
MIN_REQUESTS = 500
AGENT_PATHS = {"/v1/drafts", "/v1/drafts/{draft_id}", "/v1/drafts/{draft_id}/decision", "/healthz",
               "/readyz", "/metrics"}
SUPERVISOR_PATHS = {"/v1/review/flagged", "/v1/review/{draft_id}", "/v1/audit"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _keys(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from agent.workflow.store.database import Database
    from agent.workflow.store.keys import create_api_key

    db = await Database.open(settings)
    tokens = {}
    async with db.begin() as s:
        for role in ("agent", "supervisor", "qa"):
            _, tokens[role] = await create_api_key(s, name=f"fuzz-{role}", role=role, projects=["*"])
    await db.dispose()
    return tokens


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import uvicorn

    from agent.retrieval.index import ensure_index
    from api.app import create_app

    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    settings = make_settings(data_dir, rate_limit_per_minute=1_000_000, model=None)  # the offline drafter: no host to mock
    ensure_index(settings)
    tokens = asyncio.run(_keys(settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                           http="h11"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tokens
    server.should_exit = True
    thread.join(timeout=30)


def test_schemathesis_no_5xx_and_schema_conformance(server):
    import hypothesis
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    base_url, tokens = server
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    session = requests.Session()
    counts: dict[str, int] = {}
    statuses: dict[int, int] = {}

    def fuzz(operation, mode, headers):  # type: ignore[no-untyped-def]
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, deadline=None, database=None,
                             derandomize=True, phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck))
        def run(case):  # type: ignore[no-untyped-def]
            response = case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=checks)
            counts[operation.label] = counts.get(operation.label, 0) + 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        return run

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        role = "agent" if operation.path in AGENT_PATHS else "supervisor" if operation.path in SUPERVISOR_PATHS \
            else "qa"
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        fuzz(operation, GenerationMode.POSITIVE, headers)()
        try:
            fuzz(operation, GenerationMode.NEGATIVE, headers)()
        except hypothesis.errors.Unsatisfiable:
            assert not operation.body and not operation.query, operation.label  # nothing to make invalid

    total = sum(counts.values())
    print(f"schemathesis: {total} requests over {len(counts)} operations; statuses {sorted(statuses.items())}")
    assert total >= MIN_REQUESTS
    assert not any(status >= 500 for status in statuses)
    assert statuses.get(201, 0) > 0 and statuses.get(200, 0) > 0  # it reached the real handlers
