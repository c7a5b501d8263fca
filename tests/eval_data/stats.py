"""Print the coverage tables of the two labelled eval sets (used for docs/eval-data.md).

Run: ``.venv/bin/python -m tests.eval_data.stats``
"""

from __future__ import annotations

from collections import Counter

from ._common import COMPLAINTS, LABELLED, read_jsonl


def _table(title: str, counter: Counter, order: list[str] | None = None) -> None:
    print(f"\n{title}")
    print("| value | count |\n|---|---|")
    for key in order or sorted(counter):
        print(f"| {key} | {counter[key]} |")


def main() -> None:
    from agent.vocab import Category, Mindset, Severity, Stage, ViolationCategory

    rows = read_jsonl(LABELLED)
    bad = [r for r in rows if r["expected"]]
    ok = [r for r in rows if not r["expected"]]
    print(
        f"labelled.jsonl: {len(rows)} replies, {len(bad)} violating "
        f"({sum(len(r['expected']) == 2 for r in bad)} with two categories), {len(ok)} clean "
        f"({sum(r['note'].startswith('near-miss:') for r in ok)} near-misses), "
        f"{sum(r['script'] == 'traditional' for r in rows)} Traditional"
    )
    _table(
        "violations per category",
        Counter(c for r in rows for c in r["expected"]),
        [c.value for c in ViolationCategory],
    )
    per_stage = Counter((r["stage"], bool(r["expected"])) for r in rows)
    print("\n| stage | violating | clean |\n|---|---|---|")
    for stage in Stage:
        print(f"| {stage.value} | {per_stage[(stage.value, True)]} | {per_stage[(stage.value, False)]} |")

    rows = read_jsonl(COMPLAINTS)
    print(
        f"\ncomplaints.jsonl: {len(rows)} complaints, "
        f"{sum(r['script'] == 'traditional' for r in rows)} Traditional, "
        f"{sum(bool(r['pii']) for r in rows)} with PII, "
        f"{sum('prompt-injection' in r['note'] for r in rows)} with prompt injection, "
        f"{sum(r['expected']['escalate'] for r in rows)} escalate, "
        f"{sum(r['expected']['urgency'] == 'urgent' for r in rows)} urgent"
    )
    _table("category", Counter(r["expected"]["category"] for r in rows), [c.value for c in Category])
    _table("severity", Counter(r["expected"]["severity"] for r in rows), [s.value for s in Severity])
    _table("mindset", Counter(r["expected"]["mindset"] for r in rows), [m.value for m in Mindset])


if __name__ == "__main__":
    main()
