"""One deployment for the multi-process tests of this folder (started once, ≈ 30–60 s): a fresh
PostgreSQL database, Redis, a `chroma run` server, a mock model, and three `wuye serve`
processes — instances ``a`` and ``b`` (one worker each) and ``w`` (``--workers 2``) — all on the
same database and Redis, with ``WUYE_RATE_LIMIT_PER_MINUTE=60``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .mock_model import MockModel, serve_mock
from .topology import Topology, dropdb, free_port, postgres_ready, redis_ready, start_topology, wait_ready


@dataclass
class Cluster:
    topo: Topology
    model: MockModel
    agents: list[str]  # agent keys bound to 翠湖苑 (a few, so no key meets its rate limit in a test)
    supervisors: list[str]
    admin: str

    def url(self, name: str) -> str:
        return self.topo.instances[name].url


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not postgres_ready():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (createdb, user postgres)")
    if not redis_ready():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    root = tmp_path_factory.mktemp("topology")
    model_port = free_port()
    model, server = serve_mock(model_port)
    topo = start_topology(root, model_port)
    try:
        for name, workers in (("a", 1), ("b", 1), ("w", 2)):  # w: its metrics directory where tests see it
            topo.instance(name, workers=workers,
                          env={"PROMETHEUS_MULTIPROC_DIR": str(root / "w-metrics")} if workers > 1 else None)

        async def prepare() -> tuple[list[str], list[str], str]:
            admin = await topo.create_key("admin", "管理员", ("*",))  # as docs/deploy.md does it
            agents = await topo.bulk_keys("agent", 8)  # many keys: none meets its 60/min limit in a test
            supervisors = await topo.bulk_keys("supervisor", 12)
            await asyncio.gather(*(wait_ready(inst) for inst in topo.instances.values()))
            return agents, supervisors, admin

        agents, supervisors, admin = asyncio.run(prepare())
        yield Cluster(topo=topo, model=model, agents=agents, supervisors=supervisors, admin=admin)
    finally:
        topo.close()
        server.should_exit = True
        dropdb(topo.database)
