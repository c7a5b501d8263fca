"""Human-readable report of `wuye corpus ingest`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.retrieval.ingest import INDEXED, KEPT, REASONS, IngestReport

SHORT = {
    KEPT: "收录\nkept", INDEXED: "已有\nindexed", "boilerplate": "杂项\nboiler", "too_short": "过短\nshort",
    "duplicate": "重复\ndup", "near_duplicate": "近似\nnear", "off_topic": "无关\noff",
}
LABELS = {
    KEPT: "收录 kept",
    INDEXED: "已在索引 already indexed",
    "boilerplate": "网页杂项 boilerplate",
    "too_short": "过短 too short",
    "duplicate": "重复 duplicate",
    "near_duplicate": "近似重复 near-duplicate",
    "off_topic": "与物业服务无关 off-topic",
}


def print_report(report: IngestReport, *, verbose: bool = False, console: Console | None = None) -> None:
    console = console or Console()
    columns = (KEPT, INDEXED, *REASONS)
    table = Table(title="文档导入 Ingest report", show_lines=False)
    table.add_column("文件\nfile", overflow="fold")
    table.add_column("段落\nparts", justify="right")
    for key in columns:
        table.add_column(SHORT[key], justify="right")
    for f in report.files:
        if f.error:
            table.add_row(Path(f.path).name, "—", *["—"] * len(columns))
            continue
        table.add_row(Path(f.path).name, str(f.passages), *(str(f.counts.get(key, 0)) for key in columns))
    totals = report.totals()
    table.add_row("合计 total", str(sum(f.passages for f in report.files)), *(str(totals[key]) for key in columns))
    console.print(table)
    console.print(f"新写入索引 {report.added} 段 / {report.added} passage(s) added to the index.")
    if verbose:
        for f in report.files:
            for d in f.decisions:
                console.print(f"  {Path(f.path).name} #{d.number:<3} {LABELS[d.decision]} · {d.reason} · {d.excerpt}",
                              markup=False, highlight=False, soft_wrap=True)
