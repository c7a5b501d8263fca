"""Snapshot the offline drafter's stage texts for our own complaints as clean guard training data.

    .venv/bin/python evals/guardrails/make_offline_clean.py      # writes evals/guardrails/offline_clean.jsonl

The offline drafter writes from our own playbook phrasings; its stages must pass the guard (issue 11:
"offline drafts still pass the guard"). ``wuye guard train`` reads this file as clean examples, so the
learned layer sees what our own careful wording looks like. Only our own complaints are drafted
(evals/drafting/complaints.jsonl, evals/understand/category_train.jsonl), never the real ones.
Re-run it after changing the drafter, then ``wuye guard train``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("evals/drafting/complaints.jsonl", "evals/understand/category_train.jsonl")
OUT = ROOT / "evals" / "guardrails" / "offline_clean.jsonl"


def main() -> int:
    wuye = Path(sys.executable).parent / "wuye"
    rows: list[dict] = []
    for source in SOURCES:
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
            done = subprocess.run([str(wuye), "draft", "--jsonl", str(ROOT / source), "-o", out.name],
                                  capture_output=True, text=True, check=False)
            if done.returncode not in (0, 1):
                print(done.stderr[-2000:], file=sys.stderr)
                return 2
            for line in Path(out.name).read_text(encoding="utf-8").splitlines():
                draft = json.loads(line)
                for stage in draft.get("stages", []):
                    rows.append({"id": f"offline:{draft['id']}:{stage['stage']}", "stage": stage["stage"],
                                 "text": stage["text"], "expected": [], "register": "offline_drafter"})
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} stage texts → {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
