"""Console sign-in sessions: an HMAC-signed cookie (key id, role, expiry, session id) and
session-bound CSRF tokens.

The cookie never holds the API key itself. It is signed with a key derived from the deployment's
secret (``WUYE_SECRET_KEY``, the same on every instance, so any instance accepts a session another
issued; unset: generated once in the data dir — one host only).
Every request re-reads the key row, so a revoked key ends its sessions at once. Sign-out clears
the cookie and records the session id in the shared state (``api.shared``: Redis on every
instance and across restarts, or this process) until it expires, so a copied cookie stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "wuye_console"
LOGIN_COOKIE = "wuye_console_login"
COOKIE_PATH = "/console"
CONSOLE_ROLES = ("supervisor", "admin")
WORKSPACE_COOKIE = "wuye_workspace"  # the agent workspace's session (same format, agent keys only)
WORKSPACE_LOGIN_COOKIE = "wuye_workspace_login"
WORKSPACE_ROLES = ("agent",)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def console_key(secret: bytes) -> bytes:
    """The key that signs console cookies and CSRF tokens, derived from the deployment's one secret
    (``WUYE_SECRET_KEY``, the same on every instance; see ``agent.workflow.intake.load_secret``)."""
    return hmac.new(secret, b"wuye console session", hashlib.sha256).digest()


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
