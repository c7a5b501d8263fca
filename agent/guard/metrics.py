"""Precision / recall of the guardrails on a labelled set (``evals/guardrails/labelled.jsonl``).

A category counts as detected on a reply when any rule of that category fires (block or warn).
* per category: precision = TP / (TP + FP), recall = TP / (TP + FN) over (reply, category) pairs
* overall recall: detected expected (reply, category) pairs / all expected pairs
* false-positive rate: clean replies (expected = []) with at least one violation / clean replies
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.vocab import ViolationCategory


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class EvalReport:
    n: int = 0
    clean: int = 0
    clean_flagged: int = 0
    per_category: dict[str, Tally] = field(
        default_factory=lambda: {c.value: Tally() for c in ViolationCategory}
    )
    misses: list[dict] = field(default_factory=list)  # false negatives and false positives, for tuning

    def add(self, record: dict, predicted: set[str], excerpts: list[str]) -> None:
        expected = set(record.get("expected") or [])
        self.n += 1
        if not expected:
            self.clean += 1
            self.clean_flagged += bool(predicted)
        for cat, tally in self.per_category.items():
            if cat in expected and cat in predicted:
                tally.tp += 1
            elif cat in expected:
                tally.fn += 1
            elif cat in predicted:
                tally.fp += 1
        if expected != predicted:
            self.misses.append(
                {
                    "id": record.get("id"),
                    "stage": record.get("stage"),
                    "text": record.get("text"),
                    "expected": sorted(expected),
                    "predicted": sorted(predicted),
                    "excerpts": excerpts,
                }
            )

    @property
    def overall_recall(self) -> float:
        tp = sum(t.tp for t in self.per_category.values())
        fn = sum(t.fn for t in self.per_category.values())
        return tp / (tp + fn) if tp + fn else 1.0

    @property
    def fp_rate(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0

    def to_dict(self) -> dict:
        return {
            "replies": self.n,
            "clean": self.clean,
            "overall_recall": round(self.overall_recall, 4),
            "false_positive_rate": round(self.fp_rate, 4),
            "per_category": {
                cat: {
                    "support": t.tp + t.fn,
                    "precision": round(t.precision, 4),
                    "recall": round(t.recall, 4),
                    "tp": t.tp,
                    "fp": t.fp,
                    "fn": t.fn,
                }
                for cat, t in self.per_category.items()
            },
            "mismatches": self.misses,
        }

    def markdown(self) -> str:
        lines = [
            "| category | support | precision | recall |",
            "|---|---:|---:|---:|",
        ]
        for cat, t in self.per_category.items():
            lines.append(f"| {cat} | {t.tp + t.fn} | {t.precision:.3f} | {t.recall:.3f} |")
        lines.append(f"| **overall recall** | {sum(t.tp + t.fn for t in self.per_category.values())} | | "
                     f"**{self.overall_recall:.3f}** |")
        lines.append(f"| **false-positive rate (clean)** | {self.clean} | | **{self.fp_rate:.3f}** "
                     f"({self.clean_flagged}/{self.clean}) |")
        return "\n".join(lines)
