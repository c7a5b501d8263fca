"""A model endpoint that accepts connections and never answers: the wall time of
`wuye draft --jsonl` of 10 complaints with WUYE_TIMEOUT=2, WUYE_RETRIES=1 and two fallbacks.

    .venv/bin/python bench/bench_dead_endpoint.py          # target ≤ 30 s, whole command incl. start-up

Every draft must be labelled offline_fallback: the first request pays the retries (3 models × 2
attempts × 2 s), the Router's cooldown spares the other nine. Prints the load average.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

WUYE = str(Path(sys.executable).parent / "wuye")


def main() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(server.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="wuye-bench-dead-") as tmp:
        env = {**os.environ, "WUYE_DATA_DIR": tmp}
        subprocess.run([WUYE, "corpus", "build"], env=env, check=True, capture_output=True)  # not measured
        lines = Path(tmp) / "complaints.jsonl"
        lines.write_text("\n".join(json.dumps({"id": f"c{i}", "text": f"第{i}栋电梯又坏了,困了人半小时才有人来!"},
                                              ensure_ascii=False) for i in range(10)), encoding="utf-8")
        env.update(WUYE_MODEL="openai/primary", WUYE_API_BASE=f"http://127.0.0.1:{server.getsockname()[1]}/v1",
                   WUYE_API_KEY="sk-local-dead", WUYE_TIMEOUT="2", WUYE_RETRIES="1",
                   WUYE_FALLBACKS="openai/second,openai/third")
        started = time.perf_counter()
        done = subprocess.run([WUYE, "draft", "--jsonl", str(lines)], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    drafts = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    labels = sorted({d.get("drafter", "error") for d in drafts})
    load = os.getloadavg()
    print(f"dead model endpoint · {os.cpu_count()} cores, load avg {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print(f"wuye draft --jsonl (10 complaints): {seconds:.1f} s (target ≤ 30 s) · drafters {labels} · "
          f"connections to the endpoint {len(held)} · exit {done.returncode}")


if __name__ == "__main__":
    main()
