"""Console page latency, in process (httpx ASGI transport, SQLite in a temp dir).

Seeds N stored draft sets (a third flagged, with realistic violation spans and audit events),
signs in as a supervisor and times each page. Run: `.venv/bin/python bench/bench_console.py [N]`.

``--analytics N [--postgres | --database-url URL]``: ``GET /v1/analytics`` and ``/console/analytics`` over N decided
draft sets (issue 17: p95 ≤ 300 ms at 50,000 on SQLite and PostgreSQL); see ``analytics_main``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import agent  # noqa: F401  (telemetry-off environment first)

ROUNDS = 30
ACT = "明明是楼上的问题,这事不归我们管,您自己去找楼上协商吧。"
NEGOTIATE = "我保证今天之内一定给您修好,以后绝对不会再漏水了。"
OK = "您反映的情况我已经记下了,今天下午安排师傅上门查看,有结果第一时间告诉您。"


def _draft(draft_id: str, flagged: bool, created: datetime) -> dict:
    def stage(name: str, text: str, violations: list[dict]) -> dict:
        return {"stage": name, "text": text, "techniques": [{"id": f"{name}.overview", "title": "概述", "source": "x"}],
                "guardrail": {"passed": not violations, "violations": violations}}

    def v(text: str, excerpt: str, category: str, rule: str) -> dict:
        start = text.index(excerpt)
        return {"category": category, "rule_id": rule, "severity": "block", "start": start,
                "end": start + len(excerpt), "excerpt": excerpt, "message": f"“{excerpt}”", "fix_hint": "换个说法"}

    stages = [stage(s, OK, []) for s in ("listen", "empathize", "ask")]
    stages.append(stage("act", ACT, [v(ACT, "明明是", "arguing", "arguing.contradict_owner"),
                                     v(ACT, "这事不归我们管", "refusing", "refusing.flat_refusal")] if flagged else []))
    stages.append(stage("negotiate", NEGOTIATE if flagged else OK,
                        [v(NEGOTIATE, "保证今天之内一定给您修好", "overpromising", "overpromising.guarantee")]
                        if flagged else []))
    stages.append(stage("thank", OK, []))
    return {"id": draft_id, "status": "flagged" if flagged else "pending_approval", "script": "simplified",
            "complaint_masked": "楼上漏水一个多星期了,报修三次都没人来,我电话〔电话1〕。",
            "classification": {"category": "facilities", "severity": "important", "urgency": "normal",
                               "mindset": "vent", "escalate": False, "reason": ""},
            "stages": stages, "model": "openai/test-model", "drafter": "model",
            "prompt": {"id": "draft", "version": "1.0"}, "llm_calls": 1, "timings_ms": {"total": 1.0},
            "final": None, "follow_up": None, "created_at": created.isoformat(), "events": [], "meta": {}}


async def main(n: int) -> None:
    import httpx
    from rich.console import Console
    from rich.progress import track
    from rich.table import Table

    from agent.retrieval.index import build_index
    from agent.settings import Settings
    from agent.workflow.intake import Accepted
    from agent.workflow.models import AuditEvent, DraftSet
    from agent.workflow.store import audit
    from agent.workflow.store import drafts as store
    from agent.workflow.store.keys import create_api_key
    from api.app import create_app

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="wuye-bench-console-")), rate_limit_per_minute=10**7)
    build_index(settings, progress=False)
    app = create_app(settings, recover=False)
    async with app.router.lifespan_context(app):
        db = app.state.core.db
        async with db.begin() as s:
            agent_row, _ = await create_api_key(s, name="前台小王", role="agent", projects=["翠湖苑", "锦绣华庭"])
            _, token = await create_api_key(s, name="张主管", role="supervisor", projects=["*"])
        now = datetime.now(UTC)
        flagged_id = ""
        for i in track(range(n), description=f"seeding {n} drafts"):
            draft_id = "d_" + uuid.uuid4().hex
            flagged = i % 3 == 0
            flagged_id = draft_id if flagged else flagged_id
            data = _draft(draft_id, flagged, now - timedelta(hours=i % (24 * 14)))
            project = "翠湖苑" if i % 2 else "锦绣华庭"
            accepted = Accepted(complaint_masked=data["complaint_masked"], complaint_model=data["complaint_masked"],
                                script="simplified", script_variant="tw", project=project)
            async with db.begin() as s:
                await store.insert_request(s, draft_id=draft_id, key_id=agent_row.id, accepted=accepted)
                await store.save(s, draft=DraftSet.model_validate({**data, "version": 2}), expected_version=1,
                                 first=True)
                await audit.append(s, AuditEvent(draft_id=draft_id, actor_key_id=agent_row.id, role="agent",
                                                 action="created", at=now, after={"act": ACT}))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://bench.test") as c:
            form = await c.get("/console/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            r = await c.post("/console/login", data={"api_key": token, "csrf_token": csrf})
            assert r.status_code == 303, r.text
            pages = {
                "queue (page 1)": "/console",
                "queue (filtered)": "/console?project=翠湖苑&violation=overpromising",
                "draft (flagged)": f"/console/drafts/{flagged_id}",
                "stats (14 days)": "/console/stats",
                "audit (latest 50)": "/console/audit",
            }
            table = Table(title=f"console · {n} drafts · {ROUNDS} rounds")
            for col in ("page", "p50 ms", "p95 ms", "KiB"):
                table.add_column(col, justify="right" if col != "page" else "left")
            for name, url in pages.items():
                await c.get(url)  # warm caches (templates, policy, corpus)
                times = []
                for _ in range(ROUNDS):
                    start = time.perf_counter()
                    r = await c.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 200, (url, r.status_code)
                times.sort()
                table.add_row(name, f"{statistics.median(times):.1f}", f"{times[int(0.95 * (len(times) - 1))]:.1f}",
                              f"{len(r.content) / 1024:.0f}")
        Console().print(table)


async def analytics_main(n: int, database_url: str | None) -> None:
    """Seed what N decisions record (the ``drafts`` rows, ``decision_facts``, ``rule_facts``,
    ``commitments`` and the daily / monthly roll-ups, through the same ``roll_up`` and
    ``roll_up_commitments`` as a decision; drafted over 90 days, 8 agents in
    6 projects, a prompt version a month, 12 techniques per stage, a third with a rule hit, ~40 %
    of sets with an edited stage) in bulk, then time the analytics endpoint and page."""
    import random

    import httpx
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import insert

    from agent.retrieval.index import build_index
    from agent.settings import Settings
    from agent.workflow.store.keys import create_api_key
    from agent.workflow.store.loop import roll_up, roll_up_commitments
    from agent.workflow.store.tables import STAGE_NAMES, commitments, decision_facts, drafts, rule_facts
    from api.app import create_app

    rng = random.Random(17)
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="wuye-bench-analytics-")), rate_limit_per_minute=10**7,
                        database_url=database_url)
    build_index(settings, progress=False)
    app = create_app(settings, recover=False)
    async with app.router.lifespan_context(app):
        db = app.state.core.db
        async with db.begin() as s:
            _, token = await create_api_key(s, name="张主管", role="supervisor", projects=["*"])
        now = datetime.now(UTC)
        rules = ["arguing.contradict_owner", "refusing.flat_refusal", "overpromising.guarantee",
                 "buck_passing.send_elsewhere", "vague.we_will_see", "blaming.owner_fault"]
        started = time.perf_counter()
        for chunk in range(0, n, 2000):
            facts, hits, promises = [], [], []
            for i in range(chunk, min(n, chunk + 2000)):
                draft_id = f"d_{i:032x}"
                created = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
                decided = created + timedelta(seconds=rng.randrange(30, 4 * 3600))
                outcome = "rejected" if rng.random() < 0.08 else "approved"
                edits = {s: (rng.randrange(1, 60) if outcome == "approved" and rng.random() < 0.08 else 0)
                         for s in STAGE_NAMES}
                agent = f"k_agent_{i % 8}"  # each agent works in one project
                project = f"项目{i % 8 % 6}"
                facts.append({
                    "draft_id": draft_id, "project": project, "agent_key_id": agent, "decider_key_id": agent,
                    "prompt": f"draft@1.{min(2, int((now - created).days // 30))}",  # a version a month
                    "action": "edit" if any(edits.values()) else ("reject" if outcome == "rejected" else "approve"),
                    "outcome": outcome, "unchanged": outcome == "approved" and not any(edits.values()),
                    "edited_stages": sum(1 for v in edits.values() if v), "edit_chars": sum(edits.values()),
                    **{f"e_{s}": v for s, v in edits.items()},
                    **{f"t_{s}": f"{s}.technique_{rng.randrange(12)}" for s in STAGE_NAMES},
                    "created_at": created, "decided_at": decided, "seconds": int((decided - created).total_seconds())})
                if i % 3 == 0:
                    hits.append({"draft_id": draft_id, "project": project, "agent_key_id": agent,
                                 "rule_id": rng.choice(rules), "stage": "act", "severity": "block",
                                 "outcome": rng.choice(["overridden", "removed_by_edit", "rejected"]),
                                 "decided_at": decided})
                if outcome == "approved":
                    due = decided + timedelta(hours=rng.choice([2, 24, 72]))
                    done = rng.random() < 0.7 and due < now
                    promises.append({
                        "id": f"c_{i:032x}", "draft_id": draft_id, "draft_version": 3, "project": project,
                        "agent_key_id": agent, "kind": "callback", "what": "回电答复", "party": "agent",
                        "stage": "act", "quote": "处理进展我会在明天上午十点前给您回电话", "span_start": 0,
                        "span_end": 19, "due_at": due, "due_text": "明天上午十点前", "approved_at": decided,
                        "authorized_by": None, "status": "done" if done else "open",
                        "done_at": due - timedelta(hours=rng.choice([-3, 1, 2])) if done else None,
                        "done_by": agent if done else None, "overdue_at": None})
            async with db.begin() as s:
                await s.execute(insert(drafts), [{  # the decided drafts themselves (the console's project list)
                    "id": f["draft_id"], "version": 3, "status": f["outcome"], "agent_key_id": f["agent_key_id"],
                    "project": f["project"], "request": {"complaint_masked": "楼上漏水一个多星期了"}, "data": None,
                    "category": "facilities", "rule_ids": ",", "violation_categories": ",", "escalate": False,
                    "created_at": f["created_at"], "updated_at": f["decided_at"]} for f in facts])
                await s.execute(insert(decision_facts), facts)
                if hits:
                    await s.execute(insert(rule_facts), hits)
                await roll_up(s, facts, hits)  # what each decision adds to the daily roll-ups
                if promises:
                    await s.execute(insert(commitments), promises)
                    await roll_up_commitments(s, promises)  # what each approval and mark-done adds
        seeded = time.perf_counter() - started
        await _analyze(db)  # what autovacuum / a periodic ANALYZE gives a real database
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        since = (now - timedelta(days=30)).date().isoformat()
        load_before = os.getloadavg()
        async with httpx.AsyncClient(transport=transport, base_url="https://bench.test") as c:
            form = await c.get("/console/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            assert (await c.post("/console/login", data={"api_key": token, "csrf_token": csrf})).status_code == 303
            cases = {
                "GET /v1/analytics (all time)": ("/v1/analytics", headers),
                "GET /v1/analytics (project, 30 days)": (f"/v1/analytics?project=项目2&from={since}", headers),
                "/console/analytics (14 days)": ("/console/analytics", {}),
                "/console/analytics (92 days, its longest range)": ("/console/analytics?from=2000-01-01", {}),
            }
            where = "PostgreSQL" if database_url else "SQLite"
            table = Table(title=f"analytics · {n} decided drafts · {where} · {ROUNDS} rounds (seeded in {seeded:.0f} s)",
                          width=118)
            for col in ("request", "p50 ms", "p95 ms", "CPU p50 ms", "decided in view"):
                table.add_column(col, justify="right" if col != "request" else "left")
            for name, (url, h) in cases.items():
                await c.get(url, headers=h)
                times, cpu = [], []
                for _ in range(ROUNDS):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    r = await c.get(url, headers=h)
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    assert r.status_code == 200, (url, r.status_code, r.text[:300])
                times.sort()
                shown = r.json()["decided"] if url.startswith("/v1") else re.search(
                    r'id="kpi-decided">(\d+)<', r.text).group(1)
                table.add_row(name, f"{statistics.median(times):.1f}", f"{times[int(0.95 * (len(times) - 1))]:.1f}",
                              f"{statistics.median(cpu):.1f}", str(shown))
        load_after = os.getloadavg()
        Console(width=120).print(table)
        Console(width=120).print(f"load average (1, 5, 15 min) before {_load(load_before)} · after {_load(load_after)} "
                        f"on {os.cpu_count()} cores; CPU = this process (server and client), the rest is waiting "
                        "for a core or the database")


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


async def _analyze(db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("decision_daily", "technique_daily", "rule_daily", "decision_monthly", "technique_monthly",
                          "rule_monthly", "commitment_daily", "commitments", "decision_facts", "drafts"):
                await conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        async with db.begin() as conn:
            await conn.execute(text("ANALYZE"))


@contextlib.contextmanager
def _postgres_schema() -> Iterator[str]:
    """A throw-away schema in the local PostgreSQL (database ``test``), dropped afterwards."""
    import psycopg

    schema = "wuye_bench_" + uuid.uuid4().hex[:12]
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    if "--analytics" in sys.argv:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--analytics", type=int, default=50_000)
        parser.add_argument("--database-url", default=None)
        parser.add_argument("--postgres", action="store_true",
                            help="a throw-away schema in the local PostgreSQL (127.0.0.1:5432, database test)")
        options = parser.parse_args()
        if options.postgres:
            with _postgres_schema() as url:
                asyncio.run(analytics_main(options.analytics, url))
        else:
            asyncio.run(analytics_main(options.analytics, options.database_url))
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
