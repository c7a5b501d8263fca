"""Import the independent writers' labelled replies and split them ONCE into train / dev / test.

    python3 evals/guardrails/fresh/make_split.py WRITER1.jsonl WRITER2.jsonl …

Rows already in the split (an earlier run's manifest) keep their place; only new ids are split and
appended, so adding writers never moves a test row into train. Stratified by category (the first expected category, or "clean"), ≈ 50 / 20 / 30: inside each
stratum the rows are ordered by sha256(SEED + id) and cut at 50 % and 70 %. No randomness beyond the
fixed seed: the same input gives the same split. Writes train/dev/test.jsonl and split_manifest.json
(seed, source digests, every id's split, counts per split and category) next to this file.
The test split is for the final number only: nothing is tuned on it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from evals.splitting import split_by_hash  # noqa: E402

SEED = "wuye-fresh-2026-12-07"
HERE = Path(__file__).resolve().parent
CATEGORIES = {"arguing", "blaming", "overpromising", "refusing", "buck_passing", "privacy_probing", "disrespect",
              "grudging_apology", "empty_thanks", "vague", "pii_leak"}
STAGES = {"listen", "empathize", "ask", "act", "negotiate", "thank"}
FIELDS = ("id", "stage", "text", "expected", "register", "note")



def load(paths: list[Path]) -> tuple[list[dict], list[str]]:
    rows, problems, seen = [], [], set()
    for path in paths:
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            try:
                r = json.loads(raw)
            except json.JSONDecodeError:
                problems.append(f"{path.name}:{n} not JSON")
                continue
            if not isinstance(r, dict) or not isinstance(r.get("text"), str) or not r["text"].strip():
                problems.append(f"{path.name}:{n} no text")
                continue
            expected = r.get("expected") or []
            if r.get("stage") not in STAGES or not isinstance(expected, list) or set(expected) - CATEGORIES:
                problems.append(f"{path.name}:{n} bad stage/labels {r.get('stage')} {expected}")
                continue
            if r.get("id") in seen:
                problems.append(f"{path.name}:{n} duplicate id {r.get('id')}")
                continue
            seen.add(r["id"])
            rows.append({k: r.get(k) for k in FIELDS} | {"expected": sorted(set(expected), key=expected.index)})
    return rows, problems


def split(rows: list[dict]) -> dict[str, list[dict]]:
    return split_by_hash(rows, seed=SEED, stratum=lambda r: r["expected"][0] if r["expected"] else "clean")


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv]
    if not paths:
        print("usage: make_split.py WRITER.jsonl …", file=sys.stderr)
        return 2
    rows, problems = load(paths)
    # rows split by an earlier run keep their split for good (a test row never moves to train):
    # only the new ids are split, by the same method among themselves, and appended
    previous = json.loads((HERE / "split_manifest.json").read_text(encoding="utf-8")) if (HERE / "split_manifest.json").exists() else {}
    kept: dict[str, list[dict]] = {name: [] for name in ("train", "dev", "test")}
    if previous:
        for name in kept:
            kept[name] = [json.loads(x) for x in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    done = {r["id"] for part in kept.values() for r in part}
    parts = split([r for r in rows if r["id"] not in done])
    for name in parts:
        parts[name] = sorted(kept[name] + parts[name], key=lambda r: r["id"])
    for name, part in parts.items():
        (HERE / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    manifest = {
        "seed": SEED,
        "method": "stratified by first expected category (or clean); sha256(seed+id) order; cut at 50% / 70%",
        "sources": previous.get("sources", {}) | {p.name: {"sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "rows": sum(1 for _ in p.open(encoding="utf-8") if _.strip())} for p in paths},
        "skipped": previous.get("skipped", []) + problems,
        "counts": {name: dict(sorted(Counter(c for r in part for c in (r["expected"] or ["clean"])).items()))
                   | {"rows": len(part)} for name, part in parts.items()},
        "registers": {name: dict(Counter(r.get("register") for r in part)) for name, part in parts.items()},
        "split": {r["id"]: name for name, part in parts.items() for r in part},
    }
    (HERE / "split_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(manifest["counts"], ensure_ascii=False), f"skipped={len(problems)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
