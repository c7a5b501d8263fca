"""Analytics from the daily and monthly roll-ups in one statement (agent/loop/analytics.py), on
SQLite and PostgreSQL: a scripted history of decisions across three months and commitments kept,
late and open, against figures computed by hand and — for every window (all time, whole months,
partial months on both ends, one day, a project, an agent) — against the same figures summed straight
from the raw facts. The clock moves; marking a commitment done moves the roll-up."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from agent.loop.analytics import compute, spans
from agent.workflow.store.database import Database
from agent.workflow.store.loop import LoopScope, mark_done, roll_up, roll_up_commitments
from agent.workflow.store.tables import STAGE_NAMES, commitments, decision_facts, rule_facts
from tests.api.conftest import make_settings, postgres_schema

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = await Database.open(make_settings(tmp_path))
        yield database
        await database.dispose()
        return
    async with postgres_schema() as url:
        database = await Database.open(make_settings(tmp_path, database_url=url))
        yield database
        await database.dispose()


def test_spans_split_whole_months_from_partial_ones() -> None:
    d = date
    assert spans(None, None) == ([], (None, None))
    assert spans(d(2026, 10, 15), d(2026, 12, 8)) == ([(d(2026, 10, 15), d(2026, 11, 1)),
                                                      (d(2026, 12, 1), d(2026, 12, 8))], (d(2026, 11, 1), d(2026, 12, 1)))
    assert spans(d(2026, 11, 3), d(2026, 11, 20)) == ([(d(2026, 11, 3), d(2026, 11, 20))], None)
    assert spans(d(2026, 11, 1), d(2026, 12, 1)) == ([], (d(2026, 11, 1), d(2026, 12, 1)))
    assert spans(d(2026, 12, 31), None) == ([(d(2026, 12, 31), d(2027, 1, 1))], (d(2027, 1, 1), None))
    assert spans(None, d(2026, 11, 10)) == ([(d(2026, 11, 1), d(2026, 11, 10))], (None, d(2026, 11, 1)))


def _history() -> tuple[list[dict], list[dict], list[dict]]:
    rng = random.Random(7)
    facts, hits, promises = [], [], []
    for i in range(240):
        decided = NOW - timedelta(hours=rng.randrange(0, 24 * 80))
        outcome = "rejected" if i % 9 == 0 else "approved"
        edits = {s: (rng.randrange(1, 40) if outcome == "approved" and rng.random() < 0.2 else 0) for s in STAGE_NAMES}
        agent, project = f"k{i % 3}", ("p1", "p2")[i % 3 % 2]
        facts.append({"draft_id": f"d{i}", "project": project, "agent_key_id": agent, "decider_key_id": agent,
                      "prompt": f"draft@1.{i % 2}", "action": "edit" if any(edits.values()) else "approve",
                      "outcome": outcome, "unchanged": outcome == "approved" and not any(edits.values()),
                      "edited_stages": sum(1 for v in edits.values() if v), "edit_chars": sum(edits.values()),
                      **{f"e_{s}": v for s, v in edits.items()}, **{f"t_{s}": f"{s}.t{i % 4}" for s in STAGE_NAMES},
                      "created_at": decided - timedelta(seconds=60 + i), "decided_at": decided, "seconds": 60 + i})
        if i % 4 == 0:
            hits.append({"draft_id": f"d{i}", "project": project, "agent_key_id": agent, "rule_id": f"rule.{i % 3}",
                         "stage": "act", "severity": "block", "decided_at": decided,
                         "outcome": ("overridden", "removed_by_edit", "rejected")[i % 3]})
        if outcome == "approved" and i % 2:
            due = decided + timedelta(hours=(2, 30, 80)[i % 3])
            done = i % 5 == 1 and due < NOW
            promises.append({"id": f"c{i}", "draft_id": f"d{i}", "draft_version": 3, "project": project,
                             "agent_key_id": agent, "kind": "callback", "what": "回电答复", "party": "agent",
                             "stage": "act", "quote": "明天上午十点前给您回电话", "span_start": 0, "span_end": 12,
                             "due_at": due, "due_text": None, "approved_at": decided, "authorized_by": None,
                             "status": "done" if done else "open",
                             "done_at": due + timedelta(hours=(-1, 1)[i % 2 if i % 7 else 0]) if done else None,
                             "done_by": agent if done else None, "overdue_at": None})
    return facts, hits, promises


def _reference(facts, hits, promises, since, until, project, agent, now) -> dict:  # noqa: ANN001, PLR0913
    def inside(row: dict, at: str) -> bool:
        return ((since is None or row[at] >= since) and (until is None or row[at] < until)
                and (project is None or row["project"] == project) and (agent is None or row["agent_key_id"] == agent))

    decided = [f for f in facts if inside(f, "decided_at")]
    n = len(decided)
    approved = [f for f in decided if f["outcome"] == "approved"]
    edited = [f for f in approved if f["edited_stages"]]
    rule_ids = {h["rule_id"] for h in hits if inside(h, "decided_at") and h["outcome"] != "returned"}
    ps = [p for p in promises if inside(p, "approved_at")]
    done = [p for p in ps if p["status"] == "done"]
    return {
        "decided": n, "approved": len(approved),
        "acceptance_rate": round(sum(f["unchanged"] for f in decided) / n, 4) if n else None,
        "edit_rate": round(len(edited) / n, 4) if n else None,
        "mean_edit_chars": round(sum(f["edit_chars"] for f in edited) / len(edited), 2) if edited else None,
        "mean_seconds_to_decision": round(sum(f["seconds"] for f in decided) / n, 2) if n else None,
        "act_edit_rate": round(sum(1 for f in approved if f["e_act"]) / n, 4) if n else None,
        "rules": {r: sum(1 for h in hits if inside(h, "decided_at") and h["rule_id"] == r) for r in rule_ids},
        "techniques": sum(1 for f in decided if f["t_act"]) ,
        "commitments": {"total": len(ps), "due": sum(1 for p in ps if p["due_at"] <= now or p["status"] == "done"),
                        "kept_on_time": sum(1 for p in done if p["done_at"] <= p["due_at"]),
                        "late": sum(1 for p in done if p["done_at"] > p["due_at"]),
                        "overdue_open": sum(1 for p in ps if p["status"] == "open" and p["due_at"] < now)},
    }


def _figures(a) -> dict:  # noqa: ANN001
    return {
        "decided": a.decided, "approved": a.approved, "acceptance_rate": a.acceptance_rate, "edit_rate": a.edit_rate,
        "mean_edit_chars": a.mean_edit_chars, "mean_seconds_to_decision": a.mean_seconds_to_decision,
        "act_edit_rate": next(g.edit_rate for g in a.by_stage if g.key == "act"),
        "rules": {r.rule_id: r.hits for r in a.rules},
        "techniques": sum(g.decided for g in a.by_technique if g.key.startswith("act:")),
        "commitments": {k: getattr(a.commitments, k) for k in ("total", "due", "kept_on_time", "late", "overdue_open")},
    }


async def test_rollups_equal_the_raw_facts_in_every_window(db: Database) -> None:
    facts, hits, promises = _history()
    async with db.begin() as conn:
        await conn.execute(insert(decision_facts), facts)
        await conn.execute(insert(rule_facts), hits)
        await conn.execute(insert(commitments), promises)
        for start in range(0, len(facts), 50):  # in batches, as decisions arrive
            chunk = facts[start:start + 50]
            ids = {f["draft_id"] for f in chunk}
            await roll_up(conn, chunk, [h for h in hits if h["draft_id"] in ids])
        await roll_up_commitments(conn, promises)

    def day(d: date) -> datetime:
        return datetime.combine(d, datetime.min.time(), tzinfo=UTC)

    windows = [(None, None), (day(date(2026, 10, 15)), day(date(2026, 12, 8))), (day(date(2026, 11, 1)),
               day(date(2026, 12, 1))), (day(date(2026, 11, 3)), day(date(2026, 11, 20))),
               (None, day(date(2026, 11, 10))), (day(date(2026, 12, 7)), None), (day(date(2026, 12, 7)),
               day(date(2026, 12, 8)))]
    checked = 0
    for now in (NOW, NOW + timedelta(days=2)):
        for since, until in windows:
            for project, agent in ((None, None), ("p2", None), (None, "k1")):
                async with db.connect() as conn:
                    a = await compute(conn, scope=LoopScope(), since=since, until=until, project=project,
                                      agent=agent, now=now)
                expected = _reference(facts, hits, promises, since, until, project, agent, now)
                if agent is not None:  # techniques are per project and day, not per agent
                    expected["techniques"] = _figures(a)["techniques"]
                assert _figures(a) == expected, (now, since, until, project, agent)
                checked += a.decided
    assert checked > 1000

    # by hand, all time: 240 decided, every 9th rejected (27) → 213 approved
    async with db.connect() as conn:
        a = await compute(conn, scope=LoopScope(), since=None, until=None, project=None, agent=None, now=NOW)
    assert (a.decided, a.approved, a.rejected) == (240, 213, 27)
    assert a.mean_seconds_to_decision == round(sum(60 + i for i in range(240)) / 240, 2)
    assert sorted(r.rule_id for r in a.rules) == ["rule.0", "rule.1", "rule.2"] and sum(r.hits for r in a.rules) == 60
    # marking an open, past-due commitment done moves it from overdue to late
    late = next(p for p in promises if p["status"] == "open" and p["due_at"] < NOW)
    async with db.begin() as conn:
        assert await mark_done(conn, commitment_id=late["id"], actor="k0", at=NOW)
        assert not await mark_done(conn, commitment_id=late["id"], actor="k0", at=NOW)
    async with db.connect() as conn:
        b = await compute(conn, scope=LoopScope(), since=None, until=None, project=None, agent=None, now=NOW)
    assert (b.commitments.late, b.commitments.overdue_open) == (a.commitments.late + 1, a.commitments.overdue_open - 1)
    assert b.commitments.due == a.commitments.due and b.commitments.total == a.commitments.total
    scoped = LoopScope(agent_key_id="k2", projects=("p1",))
    async with db.connect() as conn:
        c = await compute(conn, scope=scoped, since=None, until=None, project=None, agent=None, now=NOW)
    assert c.decided == sum(1 for f in facts if f["agent_key_id"] == "k2" and f["project"] == "p1") > 0


def test_migration_0006_backfills_the_monthly_and_commitment_rollups(tmp_path: Path) -> None:
    import sqlite3

    from alembic import command
    from alembic.config import Config

    from agent.workflow.store.database import MIGRATIONS_DIR, database_urls

    settings = make_settings(tmp_path)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_urls(settings)[0])
    command.upgrade(config, "0005")
    zeros = ", ".join(["0"] * 12)
    with sqlite3.connect(settings.sqlite_path) as conn:
        for day, n in (("2026-11-02", 3), ("2026-11-30", 4), ("2026-12-01", 5)):
            conn.execute(f"INSERT INTO decision_daily VALUES ('{day}','p','k','draft@1','approved',{n},{n},0,0,60,"
                         f"{zeros})")
            conn.execute(f"INSERT INTO technique_daily VALUES ('{day}','p','act','act.t',{n},1,7)")
        for cid, due, status, done in (("c1", "2026-11-03 10:00:00", "done", "2026-11-03 09:00:00"),
                                       ("c2", "2026-11-03 12:00:00", "done", "2026-11-04 09:00:00"),
                                       ("c3", "2026-11-04 12:00:00", "open", None)):
            conn.execute("INSERT INTO commitments (id, draft_id, draft_version, project, agent_key_id, kind, what, "
                         "party, stage, quote, span_start, span_end, due_at, approved_at, status, done_at) VALUES "
                         "(?, 'd', 3, 'p', 'k', 'callback', '回电', 'agent', 'act', 'q', 0, 1, ?, "
                         "'2026-11-02 08:00:00', ?, ?)", (cid, due, status, done))
    command.upgrade(config, "head")
    with sqlite3.connect(settings.sqlite_path) as conn:
        months = conn.execute("SELECT day, n FROM decision_monthly ORDER BY day").fetchall()
        techniques = conn.execute("SELECT day, n, edited, edit_chars FROM technique_monthly ORDER BY day").fetchall()
        rolled = conn.execute("SELECT approved_day, due_day, n, kept, late FROM commitment_daily "
                              "ORDER BY due_day").fetchall()
        indexes = {r[1] for r in conn.execute("PRAGMA index_list('commitments')")}
    assert months == [("2026-11", 7), ("2026-12", 5)]
    assert techniques == [("2026-11", 7, 2, 14), ("2026-12", 5, 1, 7)]
    assert rolled == [("2026-11-02", "2026-11-03", 2, 1, 1), ("2026-11-02", "2026-11-04", 1, 0, 0)]
    assert "ix_commitments_due" in indexes and "ix_commitments_approved" not in indexes
    command.downgrade(config, "0005")
    with sqlite3.connect(settings.sqlite_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "commitment_daily" not in tables and "decision_monthly" not in tables and "decision_daily" in tables
