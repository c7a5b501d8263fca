"""Import independently written, labelled complaints and split them ONCE into train / dev / test.

    python3 evals/understand/make_letter_split.py WRITER1.jsonl WRITER2.jsonl …

The writers (helper sessions that never saw our code or rules, only docs/labelling-guide.md's fields)
wrote complaints with the guide's labels. Each new id is split by evals/splitting.py (stratified by
category, 50 / 20 / 30, fixed seed) before anything is tuned:
  * train → appended to ``letters_train_fresh.jsonl``. Not used by the shipped models (2026-12-08, chosen
    on dev): the category model retrained with it read the real dev posts the same or one worse
    (0.786 → 0.779–0.786), the written dev letters the same, and lost one of our 82 complaints (a car
    space taken → security); the severity model's 5-fold CV on the real dev posts moved 0.811 → 0.790
    with all of it and 0.802–0.813 with subsets (by length, by writer) — noise, not a gain
  * dev and test → ``letters_heldout.jsonl`` (text + labels) and ``letters_split.json`` ({"dev": ids,
    "test": ids}), measured with
    ``wuye understand eval --complaints evals/understand/letters_heldout.jsonl --labels
    evals/understand/letters_heldout.jsonl --splits evals/understand/letters_split.json --split dev``.
Ids already placed keep their place. The test split is for the final number only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from evals.splitting import split_by_hash  # noqa: E402

SEED = "wuye-letters-2026-12-08"
HERE = Path(__file__).resolve().parent
TRAIN, HELDOUT, SPLIT = HERE / "letters_train_fresh.jsonl", HERE / "letters_heldout.jsonl", HERE / "letters_split.json"
CATEGORIES = {"facilities", "environment", "security", "fees", "service_attitude", "neighbor", "other"}
FIELDS = ("id", "text", "category", "issues", "severity", "urgency", "escalate", "mindset", "language")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if path.exists() else []


def problem(row: object) -> str | None:
    """Why a written row cannot be used (None when it can)."""
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
        return "no text"
    if row.get("category") not in CATEGORIES or row.get("severity") not in {"general", "important", "major"}:
        return "bad category/severity"
    if row.get("urgency") not in {"urgent", "normal"} or not isinstance(row.get("escalate"), bool):
        return "bad urgency/escalate"
    if (row["severity"] == "major" and not row["escalate"]) or (row["severity"] == "general" and row["escalate"]):
        return "escalate contradicts the guide"
    return None


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: make_letter_split.py WRITER.jsonl …", file=sys.stderr)
        return 2
    train, heldout = _rows(TRAIN) + _rows(HERE / "letters_train.jsonl"), _rows(HELDOUT)
    placed = json.loads(SPLIT.read_text(encoding="utf-8")) if SPLIT.exists() else {"dev": [], "test": []}
    seen_ids = {r["id"] for r in train + heldout}
    seen_texts = {r["text"] for r in train + heldout}
    new, skipped = [], []
    for path in map(Path, argv):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                skipped.append(f"{path.name}:{n} not JSON")
                continue
            why = problem(row) or ("duplicate" if row.get("id") in seen_ids or row.get("text") in seen_texts else None)
            if why:
                skipped.append(f"{path.name}:{n} {why}")
                continue
            seen_ids.add(row["id"])
            seen_texts.add(row["text"])
            new.append({k: row.get(k) for k in FIELDS})
    parts = split_by_hash(new, seed=SEED, stratum=lambda r: r["category"])
    fresh = _rows(TRAIN) + parts["train"]
    TRAIN.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fresh), encoding="utf-8")
    held = sorted(heldout + parts["dev"] + parts["test"], key=lambda r: r["id"])
    HELDOUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in held), encoding="utf-8")
    placed = {name: sorted(placed.get(name, []) + [r["id"] for r in parts[name]]) for name in ("dev", "test")}
    SPLIT.write_text(json.dumps(placed, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"new {len(new)}: train {len(parts['train'])} · dev {len(parts['dev'])} · test {len(parts['test'])}; "
          f"skipped {len(skipped)}", *skipped, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
