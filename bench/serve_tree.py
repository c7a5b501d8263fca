"""`wuye serve` of a tree of this repository — this one, or a ``git worktree`` of an older commit
(the benches' ``--baseline REF``) — in a subprocess of this virtualenv's Python with the tree first on
the path, on a temp data dir (SQLite, embedded Chroma) and a local mock model."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """A ``git worktree`` of ``ref`` in a temp dir, removed afterwards."""
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    parent = Path(tempfile.mkdtemp(prefix=f"wuye-bench-baseline-{commit}-"))
    tree = parent / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False,
                       capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False, capture_output=True)


def start_api(data_dir: Path, port: int, model_base: str, tree: Path, workers: int = 1,
              extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``wuye keys create`` + ``wuye serve`` of the code in ``tree``, drafting with the mock model at
    ``model_base`` (``http://host:port/v1``). Returns the process and an agent key for every project."""
    env = {**os.environ, "WUYE_DATA_DIR": str(data_dir), "WUYE_MODEL": "openai/mock",
           "WUYE_API_BASE": model_base, "WUYE_API_KEY": "sk-bench-local",
           "WUYE_RATE_LIMIT_PER_MINUTE": "1000000", "WUYE_LOG_LEVEL": "WARNING", "WUYE_TIMEOUT": "30",
           "PYTHONPATH": str(tree), **(extra_env or {})}
    if workers > 1 and "WUYE_REDIS_URL" not in env:  # several workers share their limits through Redis
        env.update(WUYE_REDIS_URL="redis://127.0.0.1:6379/0", WUYE_REDIS_PREFIX=f"bench-{port}",
                   WUYE_SECRET_KEY=f"bench-only-secret-{port}-0123456789")
    entry = "cli.main" if (tree / "cli" / "main.py").exists() else "agent.cli"  # the CLI moved to cli/ in issue 14
    wuye = [sys.executable, "-c", f"import sys; sys.argv[0] = 'wuye'; from {entry} import main; main()"]
    created = subprocess.run([*wuye, "keys", "create", "--role", "agent", "--project", "*", "--name", "bench",
                              "--json"], env=env, check=True, capture_output=True, text=True, cwd=tree)
    token = json.loads(created.stdout)["key"]
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - closed with the temp dir
    proc = subprocess.Popen([*wuye, "serve", "--port", str(port), "--workers", str(workers)], env=env, cwd=tree,
                            stdout=subprocess.DEVNULL, stderr=log, text=True)
    return proc, token


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("wuye serve exited; see its log above")
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("wuye serve did not become ready in 180 s")


@asynccontextmanager
async def served(tree: Path, model_base: str, workers: int = 1,
                 extra_env: dict[str, str] | None = None) -> AsyncIterator[tuple[str, str, subprocess.Popen]]:
    """``wuye serve`` of ``tree`` on a temp data dir, ready: (its base URL, an agent key, the process).
    Its log's tail is printed if the block fails; the process is stopped afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="wuye-bench-serve-") as tmp:
        proc, token = start_api(Path(tmp), port, model_base, tree, workers, extra_env)
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                await wait_ready(client, proc)
            yield base, token, proc
        except BaseException:
            print((Path(tmp) / "serve.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
