"""Nothing leaves the machine: telemetry is off and a check makes no connection attempt at all."""

from __future__ import annotations

import socket

from agent.guard import GuardChecker
from agent.settings import Settings
from agent.vocab import ViolationCategory


def test_no_connection_attempt_during_checks(monkeypatch):
    attempts: list[object] = []

    def record(name):  # type: ignore[no-untyped-def]
        def _blocked(*args, **kwargs):  # type: ignore[no-untyped-def]
            attempts.append((name, args[1:] if name != "getaddrinfo" else args[:1]))
            raise OSError("network disabled in this test")
        return _blocked

    monkeypatch.setattr(socket.socket, "connect", record("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", record("connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", record("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", record("create_connection"))

    checker = GuardChecker(GuardChecker.from_settings(Settings()).policy, Settings())  # fresh Guard
    result = checker.check("您说的根本不对,楼上电话13812345678。", "listen")
    checker.check_set({"act": "我们会尽快处理的。", "thank": "谢谢您的理解和支持!"})
    checker.check_many([("这事我们管不了。", "act")] * 20)
    assert not result.passed
    assert attempts == []


def test_guard_telemetry_is_disabled(checker):
    checker.check("您好", "listen")
    guard = checker._get_guard()
    assert guard._allow_metrics_collection is False
    assert guard._hub_telemetry._enabled is False
    names = [v.rail_alias for v in guard._validators]
    assert names == [f"wuye/{c.value}" for c in ViolationCategory]  # one validator per violation category
