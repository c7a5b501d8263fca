"""`wuye eval` — run the offline eval suites (registered by cli/main.py as ``eval_command``).

Exit codes: 0 everything passed; 1 a case failed or crashed, a threshold was missed, a regression
against ``--baseline``, or the pass rate is below ``--min-pass``; 2 an invalid suite file or bad
options (the valid suites still run and are reported).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from agent.errors import InvalidInput, WuyeError


def _exit_code(results, issues, regressions, min_pass) -> int:  # type: ignore[no-untyped-def]
    from evals.results import summary

    if issues:
        return 2
    failed = any(not s.passed for s in results)
    below = min_pass is not None and summary(results)["pass_rate"] < min_pass
    return 1 if failed or regressions or below else 0


def run_eval(paths: list[Path] | None, *, model: str | None = None, record: bool = False,
             report: Path | None = None, junit: Path | None = None, baseline: Path | None = None,
             min_pass: float | None = None, tolerance: float = 0.01, progress: bool = True, jobs: int = 1,
             settings=None, console=None) -> int:  # type: ignore[no-untyped-def]
    """The whole command as a function (tests call it directly). Returns the exit code."""
    from rich.console import Console

    from agent.settings import get_settings
    from evals.loader import discover, load_suites
    from evals.report.terminal import print_report
    from evals.results import compare, load_baseline, to_document, write_document
    from evals.runner import EvalRunner

    if console is None:
        console = Console()
        if not console.is_terminal:  # CI logs: wide enough for the summary table
            console = Console(width=140)
    if min_pass is not None and not 0.0 <= min_pass <= 1.0:
        raise InvalidInput("--min-pass 必须在 0 到 1 之间", "--min-pass must be between 0 and 1")
    if not 1 <= jobs <= 32:
        raise InvalidInput("--jobs 必须在 1 到 32 之间", "--jobs must be between 1 and 32")
    if record and not model:
        raise InvalidInput("--record 需要和 --model 一起使用", "--record needs --model (a live run to record)")
    settings = settings or get_settings()
    base = load_baseline(baseline) if baseline else None

    started = time.perf_counter()
    if not discover(list(paths) if paths else None):
        where = ", ".join(map(str, paths)) if paths else "evals/suites"
        raise InvalidInput(f"没有找到套件文件:{where}", f"no suite files (*.yaml) found in {where}")
    suites, issues = load_suites(list(paths) if paths else None, settings)
    runner = EvalRunner(settings, live_model=model, record=record, jobs=jobs)
    results = runner.run(suites, progress=progress and console.is_terminal)
    seconds = time.perf_counter() - started
    regressions = compare(results, base, tolerance) if base else []

    print_report(console, results, issues, regressions=regressions, min_pass=min_pass, seconds=seconds)
    code = _exit_code(results, issues, regressions, min_pass)
    mode = f"live:{model}" if model else "mocked"
    document = to_document(results, issues, seconds=seconds, mode=mode, regressions=regressions, baseline=base)
    try:
        if report:
            from evals.report.html import write_html

            write_document(document, report / "results.json")
            write_html(report, results=results, issues=issues, regressions=regressions,
                       baseline_metrics=document["baseline_metrics"], seconds=seconds, mode=mode,
                       created_at=document["created_at"], min_pass=min_pass, exit_code=code)
            console.print(f"报告 report: {report / 'index.html'} · {report / 'results.json'}")
        if junit:
            from evals.report.junit import write_junit

            write_junit(results, issues, junit)
            console.print(f"JUnit: {junit}")
    except OSError as exc:
        raise InvalidInput(f"无法写入报告文件:{exc.filename}({exc.strerror})",
                           f"cannot write the report: {exc.filename} ({exc.strerror})") from exc
    for path in runner.recorded:
        console.print(f"已录制 recorded: {path}")
    return code


def eval_command(
    paths: list[Path] = typer.Argument(None, help="套件文件或目录;不填则运行 evals/suites/ 下全部套件 / suite files or folders",
                                       show_default=False),
    model: str = typer.Option(None, "--model", help="实机模式:用这个 litellm 模型(api_base/api_key 取自 WUYE_ 设置)/ live mode"),
    record: bool = typer.Option(False, "--record", help="实机模式下把模型回答录进 <suite>.recorded.yaml / record live answers"),
    report: Path = typer.Option(None, "--report", help="写入 DIR/index.html 与 DIR/results.json / HTML + JSON report dir"),
    junit: Path = typer.Option(None, "--junit", help="JUnit XML 输出文件 / JUnit XML file"),
    baseline: Path = typer.Option(None, "--baseline", help="上一次的 results.json,退步则失败 / previous results.json"),
    min_pass: float = typer.Option(None, "--min-pass", help="最低通过率 0–1 / minimum pass rate"),
    tolerance: float = typer.Option(0.01, "--tolerance", help="指标允许的下降幅度 / allowed metric drop vs baseline"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="起草用例的并行进程数 / worker processes for drafting cases"),
) -> None:
    """运行评测套件(默认离线模拟模型)/ Run the eval suites (mocked model by default).

    PATHS:套件文件或目录,不填则运行 evals/suites/ 下全部套件 / suite files or folders
    (default: every shipped suite). Exit 0 = passed, 1 = failures / regressions, 2 = invalid input.
    """
    try:
        code = run_eval(paths or None, model=model, record=record, report=report, junit=junit,
                        baseline=baseline, min_pass=min_pass, tolerance=tolerance, jobs=jobs)
    except WuyeError as exc:
        print(exc.message, file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    raise typer.Exit(code)

