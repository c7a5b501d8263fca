"""Drafting kind: run a complaint through the real core (``DraftCore.create``, on one event loop
kept for the runner's life) and compare the draft set with the case's expectations.

Mocked mode (default): a case's ``model_responses`` are served by respx at
``http://mock-llm.test/v1`` so the real litellm path runs; a case without them uses the offline
drafter (no model configured). Live mode (``--model``): the configured model answers every case;
expectations that describe the scripted answers (llm_calls, drafter, status, guardrail ``must``)
are not checked, and ``--record`` writes the answers to ``<suite>.recorded.yaml``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from agent.settings import Settings
from evals.kinds.drafting_checks import evaluate, spans, stage_texts
from evals.mockllm import MOCK_API_BASE, MOCK_KEY, MOCK_MODEL, MockModel
from evals.model import CaseResult, Suite

_SCRIPTED = ("llm_calls", "drafter", "status")


def _live_expect(expect: dict[str, Any]) -> dict[str, Any]:
    """Drop the expectations that only hold for the scripted model answers."""
    out = {k: v for k, v in expect.items() if k not in _SCRIPTED}
    if "guardrail" in out:
        guard = {}
        for scope, rule in out["guardrail"].items():
            rule = {k: v for k, v in rule.items() if k not in ("must", "passed")}
            if rule:
                guard[scope] = rule
        out["guardrail"] = guard
    return out


class DraftingRunner:
    kind = "drafting"

    def __init__(self, settings: Settings, *, live_model: str | None = None, record: bool = False) -> None:
        self.base = settings
        self.live_model = live_model
        self.record = record
        self._tmp = tempfile.TemporaryDirectory(prefix="wuye-eval-")
        self._services: dict[tuple, Any] = {}
        self._loop = asyncio.Runner()  # one loop: the cores' database connections belong to it
        self._clients: tuple[Any, Any] | None = None
        self._mock: MockModel | None = None
        self._recorder = None
        self.recordings: dict[str, dict[str, Any]] = {}

    # -- services -------------------------------------------------------------------------------
    def _shared(self) -> tuple[Any, Any]:
        """The retriever and guard checker, built once from the base settings and shared by every
        service (the index stays where `wuye corpus build` put it; checkpoints go to a temp dir)."""
        if self._clients is None:
            from agent.guard import GuardChecker
            from evals.kinds.retrieval import open_retriever

            self._clients = (open_retriever(self.base), GuardChecker.from_settings(self.base))
        return self._clients

    def _settings(self, suite: Suite, scripted: bool) -> Settings:
        update: dict[str, Any] = {"data_dir": Path(self._tmp.name), "database_url": None, "llm_judge": False}
        if self.live_model:
            update["model"] = self.live_model
        elif scripted:
            retries = int(suite.settings.get("retries", 1))
            update.update(model=MOCK_MODEL, api_base=MOCK_API_BASE, api_key=SecretStr(MOCK_KEY),
                          retries=retries, fallbacks=[], timeout=float(suite.settings.get("timeout", 5.0)))
        else:
            update.update(model=None, api_base=None, api_key=None, fallbacks=[])
        return self.base.model_copy(update=update)

    def _service(self, suite: Suite, scripted: bool):  # type: ignore[no-untyped-def]
        key = (bool(self.live_model), scripted and not self.live_model,
               tuple(sorted(suite.settings.items())) if scripted else ())
        if key not in self._services:
            from agent.workflow.core import DraftCore

            retriever, checker = self._shared()
            self._services[key] = self._loop.run(DraftCore.open(self._settings(suite, scripted), retriever=retriever,
                                                                checker=checker))
        return self._services[key]

    # -- suite life cycle ---------------------------------------------------------------------------
    def begin_suite(self, suite: Suite) -> None:
        self.recordings = {}
        if self.live_model:
            if self.record:
                from evals.record import Recorder

                self._recorder = Recorder(self.base.api_base).__enter__()
        else:
            self._mock = MockModel().__enter__()

    def end_suite(self, suite: Suite) -> Path | None:
        written = None
        if self._mock is not None:
            self._mock.__exit__(None, None, None)
            self._mock = None
        if self._recorder is not None:
            self._recorder.__exit__(None, None, None)
            self._recorder = None
            from evals.record import write_recorded

            written = write_recorded(suite, self.recordings)
        return written

    def close(self) -> None:
        for core in self._services.values():
            self._loop.run(core.aclose())
        self._services.clear()
        self._loop.close()
        self._tmp.cleanup()

    # -- one case ----------------------------------------------------------------------------------
    def run_case(self, suite: Suite, case: dict[str, Any]) -> CaseResult:
        started = time.perf_counter()
        scripted = "model_responses" in case
        service = self._service(suite, scripted)
        if self._mock is not None:
            self._mock.load(case.get("model_responses") or [])
        if self._recorder is not None:
            self._recorder.take()
        if scripted:  # every case is its own scenario: no model cooldown carried over from the last one
            from agent.drafting.model import ModelAccess

            service.context = replace(service.context, model=ModelAccess(service.settings))
        data = self._loop.run(_create_case(service, case["complaint"])).model_dump(mode="json")
        requests = list(self._mock.requests) if self._mock is not None else []
        expect = _live_expect(case["expect"]) if self.live_model else case["expect"]
        checks, mismatches = evaluate(expect, data, requests)
        if self._mock is not None and self._mock.unscripted:
            checks["script_exhausted"] = False
            from evals.model import Mismatch

            mismatches.append(Mismatch(
                "model_responses", len(case.get("model_responses") or []), self._mock.calls,
                f"工作流调用模型 {self._mock.calls} 次,脚本只有 {len(case.get('model_responses') or [])} 条 / "
                "the workflow called the model more often than the case scripts"))
        if self._recorder is not None:
            self.recordings[case["id"]] = {"responses": self._recorder.take(),
                                           "llm_calls": data.get("llm_calls"), "drafter": data.get("drafter")}
        classification = data.get("classification") or {}
        return CaseResult(
            suite=suite.name, case_id=case["id"], status="failed" if mismatches else "passed",
            seconds=time.perf_counter() - started, mismatches=mismatches,
            facts={"checks": checks, "tags": list(case.get("tags", [])),
                   "category": (case["expect"].get("classification") or {}).get("category")
                   or classification.get("category", "other"),
                   "status": data.get("status"), "drafter": data.get("drafter"),
                   "llm_calls": data.get("llm_calls"), "script": data.get("script"),
                   "classification": classification, "complaint": case["complaint"],
                   "trace": _trace(data.get("events") or [])},
            texts=stage_texts(data), spans=spans(data),
        )


async def _create_case(core: Any, complaint: str) -> Any:
    from agent.workflow.models import Actor, DraftInput

    return (await core.create(DraftInput(complaint=complaint, project="eval"), Actor(id="eval"))).draft


def _trace(events: list[dict[str, Any]]) -> list[str]:
    """What the workflow did, compactly: ``drafted(model) → reask(act) → flagged(act)``; repeated
    consecutive actions are merged (``citation_defaulted(listen,ask)``)."""
    steps: list[tuple[str, list[str]]] = []
    for item in events:
        action = str(item.get("action"))
        if action == "created":
            continue
        detail = item.get("detail") or {}
        bits = [str(detail[k]) for k in ("drafter", "stage", "error") if detail.get(k)]
        if isinstance(detail.get("stages"), list):
            bits.append(",".join(map(str, detail["stages"])))
        if steps and steps[-1][0] == action:
            steps[-1][1].extend(b for b in bits if b not in steps[-1][1])
        else:
            steps.append((action, bits))
    return [f"{action}({','.join(bits)})" if bits else action for action, bits in steps]


def metrics(cases: list[CaseResult]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    total = len(cases)
    out: dict[str, float] = {
        "pass_rate": sum(c.ok for c in cases) / total if total else 0.0,
        "error_rate": sum(c.status == "error" for c in cases) / total if total else 0.0,
    }
    ran = [c for c in cases if c.status != "error"]
    calls = [c.facts.get("llm_calls") for c in ran if isinstance(c.facts.get("llm_calls"), int)]
    out["mean_llm_calls"] = sum(calls) / len(calls) if calls else 0.0
    tally: dict[str, list[bool]] = {}
    for case in ran:
        for name, ok in case.facts.get("checks", {}).items():
            tally.setdefault(name, []).append(ok)
    for name, oks in sorted(tally.items()):
        out[f"check.{name}"] = sum(oks) / len(oks)
    groups: dict[str, list[CaseResult]] = {}
    for case in cases:
        groups.setdefault(f"category:{case.facts.get('category') or 'unknown'}", []).append(case)
        for tag in case.facts.get("tags", []):
            groups.setdefault(f"tag:{tag}", []).append(case)
    return out, {
        name: {"pass_rate": sum(c.ok for c in rows) / len(rows), "cases": float(len(rows))}
        for name, rows in sorted(groups.items())
    }
