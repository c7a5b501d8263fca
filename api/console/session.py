"""Console sign-in sessions: an HMAC-signed cookie (key id, role, expiry, session id) and
session-bound CSRF tokens.

The cookie never holds the API key itself. The signing secret is ``WUYE_SECRET_KEY`` when set
(the same on every instance, so any instance accepts a session another issued), else 32 random
bytes generated on first use in ``<data_dir>/console_secret.key`` (mode 0600; one host only).
Every request re-reads the key row, so a revoked key ends its sessions at once. Sign-out clears
the cookie and records the session id in the shared state (``api.shared``: Redis on every
instance and across restarts, or this process) until it expires, so a copied cookie stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from agent.settings import Settings

COOKIE = "wuye_console"
LOGIN_COOKIE = "wuye_console_login"
COOKIE_PATH = "/console"
CONSOLE_ROLES = ("supervisor", "admin")
SECRET_FILE = "console_secret.key"

_secrets: dict[str, bytes] = {}
_secrets_lock = threading.Lock()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def secret_for(settings: Settings) -> bytes:
    """The signing secret (configured, or generated once per data dir and kept there)."""
    configured = settings.secret_key
    if configured is not None and configured.get_secret_value():
        return hashlib.sha256(configured.get_secret_value().encode()).digest()
    path = (settings.data_dir / SECRET_FILE).resolve()
    with _secrets_lock:
        if str(path) in _secrets:
            return _secrets[str(path)]
        _secrets[str(path)] = value = _read_or_create(path)
        return value


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes()
        if len(data) >= 32:
            return data[:32]
        path.unlink(missing_ok=True)  # truncated by a crash: start over (signs everyone out)
        return _read_or_create(path)
    value = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value


def _sign(secret: bytes, purpose: str, message: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}\n{message}".encode(), hashlib.sha256).digest())


@dataclass(frozen=True)
class ConsoleSession:
    sid: str
    key_id: str
    role: str
    expires: int

    def csrf(self, secret: bytes) -> str:
        return _sign(secret, "csrf", self.sid)


def issue(secret: bytes, *, key_id: str, role: str, lifetime_s: int) -> tuple[ConsoleSession, str]:
    """A new session and its cookie value."""
    session = ConsoleSession(sid=secrets.token_urlsafe(18), key_id=key_id, role=role,
                             expires=int(time.time()) + lifetime_s)
    payload = _b64(json.dumps({"sid": session.sid, "kid": key_id, "role": role, "exp": session.expires},
                              separators=(",", ":")).encode())
    return session, f"{payload}.{_sign(secret, 'session', payload)}"


def read(secret: bytes, value: str | None) -> ConsoleSession | None:
    """The session in a cookie value, or None when missing, forged or expired (the caller asks the
    shared state whether it signed out)."""
    if not value or len(value) > 1000 or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    if not hmac.compare_digest(signature, _sign(secret, "session", payload)):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = ConsoleSession(sid=str(data["sid"]), key_id=str(data["kid"]), role=str(data["role"]),
                                 expires=int(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires <= time.time():
        return None
    return session


def login_token(secret: bytes, nonce: str) -> str:
    """The CSRF token of the sign-in form: bound to the nonce in the pre-sign-in cookie."""
    return _sign(secret, "login", nonce)


def valid(expected: str, given: object) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())
