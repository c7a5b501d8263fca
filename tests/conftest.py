"""Test-wide guards: nothing leaves the machine, nothing writes outside a temp data dir."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

import agent  # noqa: F401  (sets the no-telemetry / no-remote-cost-map environment first)

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlocked(RuntimeError):
    """Raised when code under test tries to reach a non-loopback address."""


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _check(sock: socket.socket, address: object) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) else address
        if not _is_loopback(host):
            raise NetworkBlocked(f"non-loopback connection blocked in tests: {address!r}")


def _guarded_connect(self, address):  # type: ignore[no-untyped-def]
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):  # type: ignore[no-untyped-def]
    _check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_loopback(name):
        raise NetworkBlocked(f"DNS lookup of a non-loopback name blocked in tests: {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Every test writes under its own temporary WUYE_DATA_DIR, never ./data."""
    data_dir = tmp_path_factory.mktemp("wuye-data")
    monkeypatch.setenv("WUYE_DATA_DIR", str(data_dir))
    for name in ("WUYE_MODEL", "WUYE_API_BASE", "WUYE_API_KEY", "WUYE_DATABASE_URL",
                 "WUYE_CHROMA_HOST", "WUYE_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    from agent.settings import get_settings

    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shared_clients(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    """The real retriever (index built once for the session) and the real guard checker."""
    from agent.guard import GuardChecker
    from agent.retrieval.index import build_index
    from agent.retrieval.search import Retriever
    from agent.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("wuye-index"))
    build_index(settings, progress=False)
    return Retriever.open(settings), GuardChecker.from_settings(settings)
