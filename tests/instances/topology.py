"""The deployment of compose.yaml run as processes on this machine: one fresh PostgreSQL database
(createdb), Redis, one `chroma run` server and several `wuye serve` instances.

The commands are read from compose.yaml (the `chroma`, `migrate`, `index` and `api` services) and
run as they are, with only the listen address, port and data path changed; the environment is
compose's `x-wuye-env` with the service host names pointed at 127.0.0.1. docs/deploy.md gives the
same commands (tests/instances/test_deploy_files.py checks that).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's console scripts (wuye, chroma)
PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def service_command(name: str) -> list[str]:
    return [str(part) for part in compose()["services"][name]["command"]]


def with_option(command: list[str], option: str, value: str) -> list[str]:
    """``command`` with ``option``'s value replaced (the container's port/host/path → ours)."""
    out = list(command)
    out[out.index(option) + 1] = value
    return out


def executable(command: list[str]) -> list[str]:
    """The virtualenv's console script for the command's program (``wuye``, ``chroma``)."""
    return [str(BIN / command[0]), *command[1:]]


def compose_env(*, database_url: str, chroma_port: int, redis_prefix: str) -> dict[str, str]:
    """compose's ``x-wuye-env`` for processes on this machine: same variables, loopback hosts."""
    env = {k: str(v) for k, v in compose()["x-wuye-env"].items() if not str(v).startswith("${WUYE_")}
    assert env["WUYE_REDIS_URL"].startswith("redis://redis:") and env["WUYE_CHROMA_HOST"] == "chroma"
    env.update(WUYE_DATABASE_URL=database_url, WUYE_REDIS_URL="redis://127.0.0.1:6379/0",
               WUYE_CHROMA_HOST="127.0.0.1", WUYE_CHROMA_PORT=str(chroma_port), WUYE_REDIS_PREFIX=redis_prefix,
               WUYE_SECRET_KEY="topology-test-" + uuid.uuid4().hex)
    return env


def postgres_ready() -> bool:
    return shutil.which("createdb") is not None and subprocess.run(
        ["pg_isready", "-q", *PG_ADMIN[:4]], check=False).returncode == 0


def redis_ready() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def createdb() -> str:
    name = "wuye_it_" + uuid.uuid4().hex[:10]
    subprocess.run(["createdb", *PG_ADMIN, name], check=True)
    return name


def dropdb(name: str) -> None:
    subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", "--force", name], check=False, capture_output=True)


@dataclass
class Process:
    """One long-running process of the topology, its output in ``log``."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(self.command, env=self.env, cwd=self.log.parent, stdout=handle,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (uvicorn's workers too)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None:
            return
        self.kill(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:] if self.log.exists() else ""


@dataclass
class Instance(Process):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Topology:
    root: Path
    env: dict[str, str]
    database: str
    chroma: Process
    instances: dict[str, Instance] = field(default_factory=dict)

    def run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """A one-shot command (migrations, index, keys) with the deployment's environment."""
        return subprocess.run(executable(command), env=self.env, cwd=self.root, capture_output=True, text=True,
                              timeout=300, check=False)

    def instance(self, name: str, *, workers: int = 1, env: dict[str, str] | None = None) -> Instance:
        """Start (not wait for) `wuye serve` as compose's api service runs it, on a free port."""
        port = free_port()
        command = with_option(with_option(service_command("api"), "--host", "127.0.0.1"), "--port", str(port))
        if workers > 1:
            command += ["--workers", str(workers)]
        data_dir = self.root / name
        data_dir.mkdir(exist_ok=True)
        inst = Instance(name=name, command=executable(command), log=data_dir / "serve.log", port=port,
                        env={**self.env, "WUYE_DATA_DIR": str(data_dir), **(env or {})})
        inst.start()
        self.instances[name] = inst
        return inst

    def restart(self, name: str) -> Instance:
        old = self.instances[name]
        old.stop()
        old.start()
        return old

    async def create_key(self, role: str, name: str, projects: tuple[str, ...] = ("翠湖苑",)) -> str:
        """`wuye keys create … --json` (the command docs/deploy.md gives); returns the key."""
        args = [str(BIN / "wuye"), "keys", "create", "--role", role, "--name", name, "--json"]
        for project in projects:
            args += ["--project", project]
        proc = await asyncio.create_subprocess_exec(*args, env=self.env, cwd=self.root,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        return json.loads(out)["key"]

    async def bulk_keys(self, role: str, count: int, projects: tuple[str, ...] = ("翠湖苑",)) -> list[str]:
        """Many keys at once, in this process, through the store (what `wuye keys create` calls)."""
        from agent.settings import Settings
        from agent.workflow.store.database import Database
        from agent.workflow.store.keys import create_api_key

        db = Database.from_settings(Settings(database_url=self.env["WUYE_DATABASE_URL"]))
        try:
            async with db.begin() as conn:
                return [(await create_api_key(conn, name=f"{role}{i}", role=role, projects=list(projects)))[1]
                        for i in range(count)]
        finally:
            await db.dispose()

    def close(self) -> None:
        for inst in self.instances.values():
            inst.stop()
        self.chroma.stop()


async def wait_ready(inst: Instance, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=inst.url, timeout=5) as client:
        while time.monotonic() < deadline:
            assert inst.proc is not None
            if inst.proc.poll() is not None:
                raise RuntimeError(f"{inst.name} exited ({inst.proc.returncode}):\n{inst.tail()}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{inst.name} not ready after {timeout} s:\n{inst.tail()}")


def wait_chroma(chroma: Process, port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert chroma.proc is not None
        if chroma.proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError("chroma server did not start:\n" + chroma.tail())


def start_topology(root: Path, model_port: int) -> Topology:
    """Database, Chroma server, migrations and index, as compose.yaml orders them; no instance yet."""
    database = createdb()
    chroma_port = free_port()
    chroma_cmd = with_option(with_option(with_option(service_command("chroma"), "--path", str(root / "chroma")),
                                         "--host", "127.0.0.1"), "--port", str(chroma_port))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WUYE_")},
           **compose_env(database_url=f"postgresql://postgres@127.0.0.1:5432/{database}", chroma_port=chroma_port,
                         redis_prefix="wuye-it-" + uuid.uuid4().hex[:8]),
           "WUYE_MODEL": "openai/mock", "WUYE_API_BASE": f"http://127.0.0.1:{model_port}/v1",
           "WUYE_API_KEY": "sk-local-mock-model", "WUYE_TIMEOUT": "20", "WUYE_LOG_LEVEL": "WARNING",
           "WUYE_RATE_LIMIT_PER_MINUTE": "60", "WUYE_DRAFT_LEASE_SECONDS": "6", "OMP_NUM_THREADS": "1"}
    chroma = Process(name="chroma", command=executable(chroma_cmd), env=env, log=root / "chroma.log")
    topo = Topology(root=root, env=env, database=database, chroma=chroma)
    try:
        chroma.start()
        for service in ("migrate", "index"):  # the one-shot services, in compose's order
            if service == "index":  # compose: index depends on chroma, migrate only on postgres
                wait_chroma(chroma, chroma_port)
            done = topo.run(service_command(service))
            assert done.returncode == 0, f"{service}: {done.stdout}\n{done.stderr}"
    except BaseException:
        topo.close()
        dropdb(database)
        raise
    return topo
