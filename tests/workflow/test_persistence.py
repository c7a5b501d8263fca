"""Durable checkpoints: a waiting draft survives a new service instance, a SIGKILLed process,
and works the same on PostgreSQL (skipped with a reason when the local server is absent)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid

import pytest

from agent.settings import PROJECT_ROOT
from agent.workflow.core import Decision

COMPLAINT = "地下车库的灯坏了一大半,晚上停车黑乎乎的,上周还有人剐蹭了。"


def test_resume_in_a_new_service_instance(make_service, offline_settings):
    first = make_service(offline_settings)
    draft = first.create(COMPLAINT)
    first.close()
    second = make_service(offline_settings)
    assert second.get(draft.id).status == draft.status == "pending_approval"
    done = second.decide(draft.id, Decision(action="approve"), actor="a")
    assert done.status == "approved" and done.final is not None


@pytest.mark.slow
def test_killed_process_loses_nothing(make_service, offline_settings):
    """A child process drafts, reports the id, then is SIGKILLed while the draft waits for approval."""
    script = textwrap.dedent(f"""
        import sys, time
        from agent.retrieval.index import build_index
        from agent.workflow.core import DraftingService
        from agent.settings import Settings
        settings = Settings(data_dir={str(offline_settings.data_dir)!r})
        build_index(settings, progress=False)
        draft = DraftingService(settings).create({COMPLAINT!r})
        print(draft.id, draft.status, flush=True)
        time.sleep(600)
    """)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, cwd=PROJECT_ROOT)
    try:
        line = child.stdout.readline().split()
        assert line, child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    draft_id, status = line
    assert child.returncode == -signal.SIGKILL and status == "pending_approval"
    service = make_service(offline_settings)
    assert service.get(draft_id).status == "pending_approval"
    done = service.decide(draft_id, Decision(action="reject", reason="测试重启后仍可审批"), actor="a")
    assert done.status == "rejected"


def _postgres_url() -> str:
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        pytest.skip("psycopg is not installed")
    errors = []
    for user in ("postgres", "root"):
        url = f"postgresql://{user}@127.0.0.1:5432/test"
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{user}: {type(exc).__name__}")
    pytest.skip(f"no local PostgreSQL at 127.0.0.1:5432/test ({'; '.join(errors)})")


@pytest.fixture
def postgres_url():
    """A private schema in the local `test` database, dropped afterwards."""
    import psycopg

    url = _postgres_url()
    schema = f"wuye_wf_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{url}?options=-csearch_path%3D{schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.postgres
def test_postgres_checkpointer_survives_restart(make_service, offline_settings, postgres_url):
    settings = offline_settings.model_copy(update={"database_url": postgres_url.replace("postgresql://",
                                                                                        "postgresql+psycopg://")})
    first = make_service(settings)
    draft = first.create(COMPLAINT, meta={"project": "pg"})
    first.close()
    assert not settings.checkpoint_path.exists()  # nothing went to SQLite
    second = make_service(settings)
    assert second.get(draft.id).model_dump(mode="json") == json.loads(draft.model_dump_json())
    done = second.decide(draft.id, Decision(action="approve"), actor="a")
    assert done.status == "approved"
    assert second.get(draft.id).status == "approved"
