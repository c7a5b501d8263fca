"""The edge: a raw request is validated and masked ONCE, here, before anything is stored.

``accept(raw, settings, secret) -> Accepted`` gives everything the workflow and the store keep of a
request: the masked complaint (owner's script and Simplified), the masked history, the script, the
PII kinds seen, and the owner reference as a keyed hash. Nothing raw leaves this module.
``clean_edit`` does the same for a human's edited reply text.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from agent.errors import InvalidInput
from agent.settings import Settings
from agent.vocab import Channel, Script

if TYPE_CHECKING:  # the CLI checks a complaint with this module before loading the models
    from agent.workflow.models import DraftInput

# The prompt delimits data with these tags; an owner's text must not be able to close them.
_DELIMITER_TAGS = re.compile(r"<\s*/?\s*(complaint|context_json|history)\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ROLE_ZH = {"owner": "业主", "staff": "客服"}


class MaskedTurn(BaseModel):
    role: str = Field(description="业主 or 客服")
    text: str = Field(description="masked, Simplified")


class Accepted(BaseModel):
    """A validated, masked request: what is stored, and all the workflow starts from."""

    complaint_masked: str = Field(description="PII replaced by placeholders, in the owner's script")
    complaint_model: str = Field(description="the same in Simplified Chinese: what a model sees")
    script: Script
    script_variant: str = Field(description="tw | hk: the OpenCC target when the owner wrote Traditional")
    history: list[MaskedTurn] = Field(default_factory=list)
    pii_kinds: dict[str, int] = Field(default_factory=dict)
    project: str
    channel: Channel | None = None
    owner_ref: str | None = Field(None, description="keyed hash of the caller's owner reference")
    conversation: str | None = Field(None, description="keyed hash of (project, the caller's conversation_id)")


def clean_text(text: str) -> str:
    """Newlines normalised, control and invisible format characters (zero-width spaces …) and
    prompt delimiter tags removed, outer whitespace stripped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _DELIMITER_TAGS.sub(" ", text).strip()


def check_complaint(text: str, settings: Settings) -> str:
    """The cleaned complaint, or ``InvalidInput``: empty (invisible-only included) or too long."""
    text = clean_text(text)
    if not text:
        raise InvalidInput("投诉内容为空,请粘贴业主的原话。", "The complaint is empty; paste the owner's words.",
                           code="complaint_empty")
    if len(text) > settings.max_complaint_chars:
        raise InvalidInput(
            f"投诉内容过长({len(text)} 字),上限 {settings.max_complaint_chars} 字,请删减后再试。",
            f"The complaint is too long ({len(text)} characters; the limit is {settings.max_complaint_chars}).",
            code="complaint_too_long", limit=settings.max_complaint_chars)
    return text


def keyed_hash(secret: bytes, value: str, purpose: str) -> str:
    """A stable reference to ``value`` that cannot be reversed without the secret."""
    return "h_" + hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()[:32]


def load_secret(settings: Settings) -> bytes:
    """``WUYE_SECRET_KEY``, else a random key generated once in the data dir (mode 0600). Several
    processes starting at once on one data dir agree on it: the first complete file wins (a hard
    link cannot replace an existing file), so nobody reads a half-written key."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path: Path = settings.secret_path
    if not path.is_file():
        settings.ensure_data_dir()
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            draft.unlink(missing_ok=True)
    return path.read_bytes().strip()


def accept(raw: DraftInput, settings: Settings, secret: bytes) -> Accepted:
    """Validate and mask a create request. Raises ``InvalidInput`` (bilingual) on unusable input."""
    from agent.understand.pii import mask_pii
    from agent.understand.script import detect_script, detect_variant, to_simplified

    complaint = check_complaint(raw.complaint, settings)
    masked = mask_pii(complaint)
    kinds = Counter(masked.kinds.values())
    history = []
    for index, turn in enumerate(raw.history or [], 1):
        text = clean_text(turn.text)
        if not text or len(text) > settings.max_complaint_chars:
            raise InvalidInput(f"第 {index} 条沟通记录为空或过长(上限 {settings.max_complaint_chars} 字)。",
                               f"history turn {index} is empty or too long (limit {settings.max_complaint_chars}).",
                               code="history_invalid")
        turn_masked = mask_pii(text)
        kinds.update(turn_masked.kinds.values())
        history.append(MaskedTurn(role=ROLE_ZH[turn.role], text=to_simplified(turn_masked.text)))
    owner_ref = clean_text(raw.owner_ref or "")
    return Accepted(
        complaint_masked=masked.text, complaint_model=to_simplified(masked.text), script=detect_script(complaint),
        script_variant=detect_variant(complaint), history=history, pii_kinds=dict(kinds), project=raw.project,
        channel=raw.channel or settings.channel_for(raw.project),
        owner_ref=keyed_hash(secret, owner_ref, "owner_ref") if owner_ref else None,
        conversation=conversation_key(secret, raw.project, raw.conversation_id) if raw.conversation_id else None)


def conversation_key(secret: bytes, project: str, conversation_id: str) -> str:
    """The stored id of a caller's conversation: keyed, so a WeChat openid used as an id is never kept."""
    return keyed_hash(secret, f"{project}\x00{conversation_id.strip()}", "conversation")


def clean_edit(text: str, settings: Settings) -> str:
    """An edited reply: cleaned and within ``WUYE_MAX_REPLY_CHARS`` (the guard sees it as written)."""
    cleaned = clean_text(text)
    if not cleaned or len(cleaned) > settings.max_reply_chars:
        raise InvalidInput(f"修改后的回复为空或超过 {settings.max_reply_chars} 字。",
                           f"an edited reply is empty or longer than {settings.max_reply_chars} characters.",
                           code="edit_invalid", limit=settings.max_reply_chars)
    return cleaned
