"""Console page latency, in process (httpx ASGI transport, SQLite in a temp dir).

Seeds N stored draft sets (a third flagged, with realistic violation spans and audit events),
signs in as a supervisor and times each page. Run: `.venv/bin/python bench/bench_console.py [N]`.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
import uuid
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


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
