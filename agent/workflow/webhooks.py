"""Webhook delivery: events of a draft's life go to the helpdesk's subscribed URLs.

``events_for(before, after)`` says which events a change of a draft set raises (one place);
``payload(draft)`` is what a delivery carries (masked: only what the API returns). The core puts
the deliveries in the outbox (``store.webhooks.enqueue``) in the same transaction as the change.
``Dispatcher`` sends them: every instance runs one; each due delivery is claimed once (a conditional
update in the database), POSTed with ``X-Wuye-Signature: sha256=<HMAC-SHA256 of the body>``,
``X-Wuye-Delivery: <id>`` (the receiver's idempotency key) and ``X-Wuye-Event``, and retried with
exponential backoff (± 20 % jitter) until it gets a 2xx or ``WUYE_WEBHOOK_MAX_ATTEMPTS`` is reached.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent.workflow.models import DraftSet
from agent.workflow.nodes.common import now
from agent.workflow.store import webhooks as outbox

if TYPE_CHECKING:
    import httpx

    from agent.settings import Settings
    from agent.workflow.store.database import Database

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Wuye-Signature"
DELIVERY_HEADER = "X-Wuye-Delivery"
EVENT_HEADER = "X-Wuye-Event"


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the exact body bytes>``; receivers compare it in constant time."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature or "")


def events_for(before: DraftSet | None, after: DraftSet) -> list[str]:
    """The events one change raises: a finished draft is ``draft.ready`` (+ ``draft.flagged`` when a
    stage breaks a block rule, + ``draft.escalated`` when it must go to a supervisor); a decision that
    approves it is ``draft.approved``."""
    if before is None or before.status == "drafting":
        out = ["draft.ready"]
        if after.status == "flagged":
            out.append("draft.flagged")
        if after.classification.escalate:
            out.append("draft.escalated")
        return out
    if after.status == "approved" and before.status != "approved":
        return ["draft.approved"]
    return []


def payload(draft: DraftSet) -> dict[str, Any]:
    """The ``draft`` of a delivery body: the draft set as the API returns it (masked)."""
    return {"draft_id": draft.id, "status": draft.status, "draft": draft.model_dump(mode="json")}


async def enqueue(conn: Any, before: DraftSet | None, after: DraftSet) -> list[str]:
    """Put the deliveries of this change in the outbox (call it in the change's transaction)."""
    events = events_for(before, after)
    if not events:
        return []
    return await outbox.enqueue(conn, project=after.meta.get("project") or "", events=events, draft_id=after.id,
                                payload=lambda: payload(after), at=now())


def backoff(attempts: int, base: float, cap: float = 3600.0) -> float:
    """Seconds before attempt ``attempts + 1``: base · 2^(attempts-1), capped, ± 20 % jitter."""
    return min(base * 2 ** max(attempts - 1, 0), cap) * random.uniform(0.8, 1.2)


class Dispatcher:
    """Sends due deliveries; ``run`` polls every ``WUYE_WEBHOOK_POLL_SECONDS`` and is woken at once
    by ``kick()`` when this process enqueued something."""

    def __init__(self, settings: Settings, db: Database, owner: str, client: httpx.AsyncClient | None = None) -> None:
        self.settings, self.db, self.owner = settings, db, owner
        self._client = client
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(timeout=self.settings.webhook_timeout, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.warning("webhook dispatch failed", exc_info=True)
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    async def run_once(self) -> int:
        """Claim and send every delivery due now; returns how many were attempted."""
        at = now()
        async with self.db.connect() as conn:
            rows = await outbox.due(conn, at=at)
        sent = await asyncio.gather(*(self._attempt(row.id, row.attempts) for row in rows))
        return sum(sent)

    async def _attempt(self, delivery_id: str, attempts: int) -> int:
        hold = timedelta(seconds=self.settings.webhook_timeout * 2 + 5)
        async with self.db.begin() as conn:
            row = await outbox.claim(conn, delivery_id=delivery_id, attempts=attempts, owner=self.owner,
                                     at=now(), hold=hold)
        if row is None:
            return 0  # another instance has it
        status, error = await self._post(row)
        ok = status is not None and 200 <= status < 300
        if row.revoked_at is not None and not ok:
            retry_at = None  # the subscription was removed: stop retrying
        else:
            done = row.attempts + 1
            retry_at = None if done >= self.settings.webhook_max_attempts else now() + timedelta(
                seconds=backoff(done, self.settings.webhook_retry_seconds))
        async with self.db.begin() as conn:
            await outbox.settle(conn, delivery_id=delivery_id, owner=self.owner, ok=ok, status_code=status,
                                error=error, at=now(), retry_at=retry_at)
        return 1

    async def _post(self, row: Any) -> tuple[int | None, str | None]:
        body = row.body.encode()
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(row.secret, body),
                   DELIVERY_HEADER: row.id, EVENT_HEADER: row.event, "User-Agent": "wuye-copilot-webhooks"}
        try:
            response = await self.client().post(row.url, content=body, headers=headers)
        except Exception as exc:  # noqa: BLE001 - connection refused, timeout: retried later
            return None, f"{type(exc).__name__}: {exc}"[:500]
        return response.status_code, None if response.is_success else response.text[:300]


def delivery_due_at(row: Any) -> datetime:
    return row.next_attempt_at
