"""Run loaded suites: one runner per kind (built once, reused), a progress bar, a crash in a case
recorded as an error while the run goes on, metrics and thresholds per suite."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.settings import Settings
from evals.model import CaseResult, Suite, SuiteResult, ThresholdCheck, describe_error

MetricsFn = Callable[[list[CaseResult]], tuple[dict[str, float], dict[str, dict[str, float]]]]


def _metrics_fn(kind: str) -> MetricsFn:
    if kind == "guardrail":
        from evals.kinds.guardrail import metrics
    elif kind == "retrieval":
        from evals.kinds.retrieval import metrics
    else:
        from evals.kinds.drafting import metrics
    return metrics


def _build_runner(kind: str, settings: Settings, live_model: str | None, record: bool) -> Any:
    if kind == "guardrail":
        from evals.kinds.guardrail import GuardrailRunner

        return GuardrailRunner(settings)
    if kind == "retrieval":
        from evals.kinds.retrieval import RetrievalRunner

        return RetrievalRunner(settings)
    from evals.kinds.drafting import DraftingRunner

    return DraftingRunner(settings, live_model=live_model, record=record)


def check_thresholds(suite: Suite, metrics: dict[str, float]) -> list[ThresholdCheck]:
    checks = []
    for metric, bounds in suite.thresholds.items():
        actual = metrics.get(metric)
        for bound, limit in bounds.items():
            ok = actual is not None and (actual >= limit - 1e-9 if bound == "min" else actual <= limit + 1e-9)
            checks.append(ThresholdCheck(metric, bound, limit, actual, ok))  # type: ignore[arg-type]
    return checks


class EvalRunner:
    """``EvalRunner(settings).run(suites, progress=True)`` → list[SuiteResult]."""

    def __init__(self, settings: Settings, *, live_model: str | None = None, record: bool = False,
                 jobs: int = 1) -> None:
        self.settings = settings
        self.live_model = live_model
        self.record = record
        self.jobs = jobs
        self._runners: dict[str, Any] = {}
        self.recorded: list[Path] = []

    def _runner(self, kind: str) -> Any:
        if kind not in self._runners:
            self._runners[kind] = _build_runner(kind, self.settings, self.live_model, self.record)
        return self._runners[kind]

    def close(self) -> None:
        for runner in self._runners.values():
            closer = getattr(runner, "close", None)
            if callable(closer):
                closer()
        self._runners.clear()

    def run_suite(self, suite: Suite, advance: Callable[[], None] = lambda: None) -> SuiteResult:
        started = time.perf_counter()
        results: list[CaseResult] = []
        try:
            runner = self._runner(suite.kind)
        except Exception as exc:  # noqa: BLE001 - the suite cannot run at all: every case is an error
            message = describe_error(exc)
            for index, case in enumerate(suite.cases):
                results.append(CaseResult(suite.name, str(case.get("id")), "error", error=message,
                                          line=suite.case_lines[index], file=str(suite.case_file or suite.path)))
                advance()
            return self._finish(suite, results, started)
        begin = getattr(runner, "begin_suite", None)
        if begin:
            begin(suite)
        try:
            for index, case in enumerate(suite.cases):
                case_started = time.perf_counter()
                try:
                    result = runner.run_case(suite, case)
                except Exception as exc:  # noqa: BLE001 - recorded as an error; the run goes on
                    result = CaseResult(suite.name, str(case.get("id")), "error", error=describe_error(exc),
                                        seconds=time.perf_counter() - case_started)
                result.line = suite.case_lines[index]
                result.file = str(suite.case_file or suite.path)
                results.append(result)
                advance()
        finally:
            end = getattr(runner, "end_suite", None)
            written = end(suite) if end else None
            if written:
                self.recorded.append(written)
        return self._finish(suite, results, started)

    def _finish(self, suite: Suite, results: list[CaseResult], started: float) -> SuiteResult:
        metrics, groups = _metrics_fn(suite.kind)(results)
        thresholds = check_thresholds(suite, metrics)
        if thresholds:
            for result in results:
                if result.status == "failed":
                    result.status = "tolerated"
        return SuiteResult(
            suite=suite.name, kind=suite.kind, path=str(suite.path), description=suite.description,
            cases=results, metrics=metrics, groups=groups, thresholds=thresholds,
            seconds=time.perf_counter() - started, mode="live" if self.live_model else "mocked",
        )

    def _start_pool(self, suites: list[Suite]):  # type: ignore[no-untyped-def]
        """Drafting suites go to worker processes when ``jobs > 1`` (never in live mode)."""
        pooled = [s for s in suites if s.kind == "drafting"] if self.jobs > 1 and not self.live_model else []
        if not pooled:
            return None, []
        from evals.kinds.retrieval import open_retriever
        from evals.parallel import DraftingPool

        open_retriever(self.settings)  # build the index once, before the workers open it
        pool = DraftingPool(self.settings, self.jobs)
        pool.submit(pooled)
        return pool, pooled

    def _collect(self, pool, suite: Suite, advance: Callable[[], None]) -> SuiteResult:  # type: ignore[no-untyped-def]
        results = pool.collect(suite, advance)
        for index, result in enumerate(results):
            result.line = suite.case_lines[index]
            result.file = str(suite.case_file or suite.path)
        return self._finish(suite, results, pool.started[suite.name])

    def run(self, suites: list[Suite], *, progress: bool = True) -> list[SuiteResult]:
        """Every suite, in order; with ``jobs > 1`` drafting suites run in worker processes while
        the parent runs the others."""
        done: dict[str, SuiteResult] = {}
        total = sum(len(s.cases) for s in suites)
        pool = None
        try:
            pool, pooled = self._start_pool(suites)
            in_pool = {s.name for s in pooled}
            local = [s for s in suites if s.name not in in_pool]
            if progress:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                )

                columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn())
                with Progress(*columns, transient=True) as bar:
                    task = bar.add_task("评测 eval", total=total)
                    for suite in local + pooled:
                        bar.update(task, description=f"评测 eval · {suite.name}")
                        advance = lambda: bar.advance(task)  # noqa: E731
                        done[suite.name] = (self._collect(pool, suite, advance) if suite.name in in_pool
                                            else self.run_suite(suite, advance))
            else:
                for suite in local + pooled:
                    done[suite.name] = (self._collect(pool, suite, lambda: None) if suite.name in in_pool
                                        else self.run_suite(suite))
            return [done[s.name] for s in suites]
        finally:
            if pool is not None:
                pool.close()
            self.close()
