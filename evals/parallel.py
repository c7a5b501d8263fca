"""``--jobs N``: run drafting cases in N worker processes.

The drafting workflow is CPU-bound Python (LangGraph, litellm, guardrails), so threads do not
help; processes do. Each worker (forked from a clean ``forkserver`` that has imported the heavy
modules once) builds one DraftingRunner when it starts and keeps it warm; the parent hands out small chunks of cases and
reassembles the results in suite order. Guardrail and retrieval suites stay in the parent (they
are fast) and run while the workers warm up. Live mode always runs in the parent (one endpoint,
one recorder).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from agent.settings import Settings
from evals.model import CaseResult, Suite, describe_error

CHUNK = 4
_worker_runner: Any = None


def _init_worker(settings: Settings) -> None:
    import agent  # noqa: F401  (safety defaults before any third-party import)
    from evals.kinds.drafting import DraftingRunner

    global _worker_runner
    _worker_runner = DraftingRunner(settings)
    _worker_runner._shared()  # open the index and compile the guard now, not in the first case


def _run_chunk(suite: Suite, indexes: list[int]) -> list[tuple[int, CaseResult]]:
    out = []
    _worker_runner.begin_suite(suite)
    try:
        for index in indexes:
            case = suite.cases[index]
            started = time.perf_counter()
            try:
                result = _worker_runner.run_case(suite, case)
            except Exception as exc:  # noqa: BLE001 - recorded as an error; the run goes on
                result = CaseResult(suite.name, str(case.get("id")), "error", error=describe_error(exc),
                                    seconds=time.perf_counter() - started)
            out.append((index, result))
    finally:
        _worker_runner.end_suite(suite)
    return out


class DraftingPool:
    """``pool.submit(suites)`` returns at once; ``pool.collect(suite, advance)`` waits for one suite."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        # forkserver: one clean server process imports the heavy modules once, every worker is a
        # cheap fork of it (nothing inherited from this process: no threads, no open clients)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["agent", "evals.kinds.drafting", "agent.workflow.core", "agent.drafting.model",
                                        "agent.guard", "agent.retrieval.search", "litellm"])
        self._pool = context.Pool(processes=jobs, initializer=_init_worker, initargs=(settings,))
        self._pending: dict[str, list[tuple[list[int], Any]]] = {}
        self.started: dict[str, float] = {}

    def submit(self, suites: list[Suite]) -> None:
        for suite in suites:
            self.started[suite.name] = time.perf_counter()
            indexes = list(range(len(suite.cases)))
            chunks = [indexes[i:i + CHUNK] for i in range(0, len(indexes), CHUNK)]
            self._pending[suite.name] = [(chunk, self._pool.apply_async(_run_chunk, (suite, chunk)))
                                         for chunk in chunks]

    def collect(self, suite: Suite, advance: Callable[[], None]) -> list[CaseResult]:
        results: dict[int, CaseResult] = {}
        for chunk, pending in self._pending.pop(suite.name, []):
            try:
                for index, result in pending.get():
                    results[index] = result
                    advance()
            except Exception as exc:  # noqa: BLE001 - a worker died: its cases are errors
                for index in chunk:
                    results[index] = CaseResult(suite.name, str(suite.cases[index].get("id")), "error",
                                                error=describe_error(exc))
                    advance()
        return [results[i] for i in range(len(suite.cases))]

    def close(self) -> None:
        self._pool.close()
        self._pool.join()
