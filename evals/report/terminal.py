"""The terminal summary: one row per suite, then every failure with expected vs actual."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evals.model import LoadIssue, SuiteResult
from evals.report.text import case_lines, key_metrics
from evals.results import Regression, summary

MAX_TOLERATED_SHOWN = 8


def print_report(console: Console, results: list[SuiteResult], issues: list[LoadIssue], *,
                 regressions: list[Regression], min_pass: float | None, seconds: float) -> None:
    for issue in issues:
        console.print(f"[red]套件文件错误 invalid suite[/] {escape(str(issue))}")

    for suite in results:
        problems = [c for c in suite.cases if c.status in ("failed", "error")]
        tolerated = [c for c in suite.cases if c.status == "tolerated"]
        for case in problems + tolerated[:MAX_TOLERATED_SHOWN]:
            mark = "[yellow]~[/]" if case.status == "tolerated" else "[red]✗[/]"
            console.print(f"{mark} [bold]{escape(suite.suite)} · {escape(case.case_id)}[/]"
                          f"  [dim]({escape(case.file)}:{case.line})[/]")
            for line in case_lines(case):
                console.print("   " + escape(line), highlight=False)
        if len(tolerated) > MAX_TOLERATED_SHOWN:
            console.print(f"[dim]   … {len(tolerated) - MAX_TOLERATED_SHOWN} more tolerated misses in "
                          f"{escape(suite.suite)} (see the HTML/JSON report)[/]")
        for check in suite.thresholds:
            if not check.passed:
                actual = "missing" if check.actual is None else f"{check.actual:.3f}"
                console.print(f"[red]✗ {escape(suite.suite)}[/] threshold {check.metric} {check.bound} "
                              f"{check.limit:.3f} — actual 实际 {actual}")

    table = Table(title="wuye eval", show_lines=False)
    for column in ("suite", "kind", "cases", "pass", "fail", "tol.", "err", "metrics", "result"):
        table.add_column(column, justify="right" if column in ("cases", "pass", "fail", "tol.", "err") else "left")
    for suite in results:
        counts = suite.counts()
        table.add_row(
            suite.suite, suite.kind, str(len(suite.cases)), str(counts["passed"]), str(counts["failed"]),
            str(counts["tolerated"]), str(counts["error"]), key_metrics(suite.kind, suite.metrics),
            "[green]PASS[/]" if suite.passed else "[red]FAIL[/]",
        )
    console.print(table)

    total = summary(results)
    console.print(
        f"{total['cases']} cases 用例: {total['passed']} passed 通过, {total['failed']} failed 失败, "
        f"{total['tolerated']} tolerated 容忍, {total['error']} errors 错误 · pass rate 通过率 "
        f"{total['pass_rate']:.3f} · {seconds:.1f} s"
    )
    if regressions:
        console.print(f"[red]与基线相比退步 regressions vs baseline ({len(regressions)}):[/]")
        for regression in regressions[:30]:
            console.print("   " + escape(str(regression)))
    if min_pass is not None and total["pass_rate"] < min_pass:
        console.print(f"[red]通过率低于要求 pass rate {total['pass_rate']:.3f} < --min-pass {min_pass:.3f}[/]")
