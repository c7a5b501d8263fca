"""`wuye understand …`: train the learned category model, measure on labelled real complaints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.retrieval.cli import friendly

app = typer.Typer(help="理解投诉:分类模型训练与真实投诉评测 Understanding: train and measure.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


@app.command()
@friendly
def train(
    out: Annotated[Path | None, typer.Option(help="权重文件 Weights file (default: the shipped model)")] = None,
) -> None:
    """用仓库里自己写的投诉训练类别模型 Train the category model on the repo's own complaints."""
    from agent.understand import learned

    texts, labels = learned.load_training()
    weights, bias = learned.train(texts, labels)
    path = out or learned.MODEL_PATH
    learned.save(weights, bias, path)
    learned._load.cache_clear()
    typer.echo(f"已训练 {len(texts)} 条 → {path} ({path.stat().st_size // 1024} KB) / trained on {len(texts)} examples")


def _dev_set(complaints: Path, labels: Path | None, splits: Path | None):
    from agent.understand import cv, real_eval

    texts = real_eval.load_texts(complaints)
    ids = real_eval.split_ids(splits or real_eval.DEFAULT_SPLITS, "dev")
    return cv.dataset(texts, real_eval._jsonl(labels or real_eval.DEFAULT_LABELS, "标注"), ids)


_LETTERS_HELP = "自己写的带标注信件,只加入训练 Letters written by us, labelled (training only; repeatable)"


@app.command("train-severity")
@friendly
def train_severity(
    complaints: Annotated[Path, typer.Option(help="投诉文件 {id,text} JSONL (e.g. ../shared/realdata/complaints_dev.jsonl)")],
    labels: Annotated[Path | None, typer.Option(help="标注 Labels JSONL (ids and labels only)")] = None,
    splits: Annotated[Path | None, typer.Option(help="划分文件 Split file")] = None,
    out: Annotated[Path | None, typer.Option(help="权重文件 Weights file (default: the shipped model)")] = None,
    letters: Annotated[list[Path] | None, typer.Option(help=_LETTERS_HELP)] = None,
) -> None:
    """用 dev 划分的标注训练长帖严重度模型(升级按标注指南由严重度与线索得出) Train the long-post severity model on the dev labels (escalation follows the guide from severity and cues)."""
    from agent.understand import cv as cv_module
    from agent.understand import severity_model

    x, severity, _escalate = _dev_set(complaints, labels, splits)
    written = cv_module.written_dataset(letters or [])
    model = severity_model.fit(x, severity, written=written)
    path = out or severity_model.MODEL_PATH
    severity_model.save(model, path)
    severity_model.load.cache_clear()
    typer.echo(f"已训练 {len(severity)} + {len(written[1])} 条 → {path} / trained on {len(severity)} dev posts and "
               f"{len(written[1])} written letters (cue weights only, no text)")


@app.command()
@friendly
def cv(
    complaints: Annotated[Path, typer.Option(help="投诉文件 {id,text} JSONL (e.g. ../shared/realdata/complaints_dev.jsonl)")],
    folds: Annotated[int, typer.Option(min=2, max=20, help="折数 Folds")] = 5,
    labels: Annotated[Path | None, typer.Option(help="标注 Labels JSONL (ids and labels only)")] = None,
    splits: Annotated[Path | None, typer.Option(help="划分文件 Split file")] = None,
    letters: Annotated[list[Path] | None, typer.Option(help=_LETTERS_HELP)] = None,
) -> None:
    """在 dev 划分上交叉验证严重度与升级 Cross-validate severity and escalation on the dev split."""
    from agent.understand import cv as cv_module

    x, severity, escalate = _dev_set(complaints, labels, splits)
    extra = cv_module.written_dataset(letters or [])
    result = cv_module.cross_validate(x, severity, escalate, folds=folds, extra=extra)
    typer.echo(f"{folds}-fold CV ×{result['repeats']} shuffles on {result['posts']} dev posts"
               f"{f' (+{len(extra[1])} written letters in every training fold, major part)' if extra[1] else ''}: "
               f"severity {result['severity']:.3f} · escalate "
               f"{result['escalate']:.3f} · majors caught {result['majors_caught']}/{result['majors_true']}, "
               f"predicted {result['majors_predicted']}")


@app.command("pii-eval")
@friendly
def pii_eval_command(
    split: Annotated[str, typer.Option(help="dev | test")] = "dev",
    written: Annotated[Path | None, typer.Option(help="书面个人信息集 JSONL {id, split, text, pii:[{type, value}]}")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """在独立写手编写的投诉上评测脱敏(只打印汇总) Masking measured on the independently written set (totals only)."""
    from agent.understand import real_eval

    texts, gold, ids = real_eval.written_pii(written or real_eval.DEFAULT_WRITTEN_PII, split)
    report = real_eval.pii_report(texts, gold, ids)
    if as_json:
        sys.stdout.write(json.dumps({"split": split, **report}, ensure_ascii=False, indent=2) + "\n")
        return
    _print_pii(report)


def _print_pii(p: dict) -> None:
    typer.echo(f"PII: {p['complaints']} span-labelled complaints")
    for kind, caught in p["caught"].items():
        typer.echo(f"  {kind:<10} {caught}  ({p['recall'][kind]:.3f})")
    typer.echo(f"  false masks per 100 complaints: {p['false_masks_per_100']}")


@app.command("eval")
@friendly
def eval_command(
    complaints: Annotated[Path, typer.Option(help="投诉文件 {id,text} JSONL (e.g. ../shared/realdata/complaints_dev.jsonl)")],
    split: Annotated[str, typer.Option(help="dev | test")] = "dev",
    labels: Annotated[Path | None, typer.Option(help="标注 Labels JSONL (ids and labels only)")] = None,
    pii: Annotated[Path | None, typer.Option(help="个人信息标注 PII spans JSONL (ids and offsets only)")] = None,
    splits: Annotated[Path | None, typer.Option(help="划分文件 Split file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """在标注的真实投诉上评测(只打印汇总,不打印投诉内容) Measure on labelled real complaints (totals only)."""
    from agent.understand import real_eval

    texts = real_eval.load_texts(complaints)
    ids = real_eval.split_ids(splits or real_eval.DEFAULT_SPLITS, split)
    report = {
        "split": split,
        "classification": real_eval.classification_report(
            texts, real_eval._jsonl(labels or real_eval.DEFAULT_LABELS, "标注"), ids),
        "pii": real_eval.pii_report(texts, real_eval._jsonl(pii or real_eval.DEFAULT_PII, "个人信息标注"), ids),
    }
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    c, p = report["classification"], report["pii"]
    typer.echo(f"split {split}: {c['cases']} labelled complaints")
    for field, accuracy in c["accuracy"].items():
        typer.echo(f"  {field:<10} {accuracy:.3f}")
    typer.echo(f"  majors     caught {c['majors_caught']}/{c['majors_true']}, predicted {c['majors_predicted']}"
               f" (true {c['majors_true']})")
    _print_pii(p)
