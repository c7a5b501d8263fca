"""The commitment ledger's extraction: every promise in the final texts of an approved draft set.

``extract(texts, approved_at, policy, approver_role)`` is pure. A reply is cut into sentences
(。！？; newlines) and clauses (，、); a clause is a promise of a kind when it matches the kind's
keywords (policy order), the sentence is no question, speaks as us (a commit cue), and the clause
has no negator ("我不能当场答应您"); a supervisor-only kind in a sentence that says someone else
decides ("减免需要按规定审批") is not promised yet. Its deadline is the clause's time expression, else
the nearest one earlier in the sentence, else the policy's default for the kind.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from agent.loop.authority import AuthorityPolicy
from agent.loop.models import Commitment
from agent.loop.when import resolve
from agent.vocab import Stage

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"[^，,、：:]+[，,、：:]?")
_QUESTION = re.compile(r"(吗|呢|么|嘛)?[？?]\s*$")


@lru_cache(maxsize=1)
def _t2s():  # noqa: ANN202
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional → Simplified with the same length (offsets stay valid), else the text unchanged."""
    converted = _t2s().convert(text)
    return converted if len(converted) == len(text) else text


def extract(texts: dict[Stage, str], approved_at: datetime, policy: AuthorityPolicy) -> list[Commitment]:
    kinds = policy.compiled()
    found: list[Commitment] = []
    for stage in Stage:
        text = texts.get(stage)
        if not text:
            continue
        plain = simplified(text)
        for sentence in _SENTENCE.finditer(plain):
            found.extend(_sentence(text, plain, sentence, approved_at, policy, kinds, stage))
    return found


def _has(words: list[str], text: str) -> bool:
    return any(word in text for word in words)


def _sentence(text: str, plain: str, sentence: re.Match[str], approved_at: datetime, policy: AuthorityPolicy,
              kinds: list[tuple[str, re.Pattern[str]]], stage: Stage) -> list[Commitment]:
    body = sentence.group(0)
    if _QUESTION.search(body) or not _has(policy.commit_cues, body):
        return []
    out: list[Commitment] = []
    seen: set[str] = set()
    last_due = None
    for clause in _CLAUSE.finditer(body):
        words = clause.group(0)
        due = resolve(words, approved_at, policy.zone)
        if due is not None:
            last_due = due
        kind = next((k for k, pattern in kinds if pattern.search(words)), None)
        if kind is None or kind in seen or _has(policy.negators, words):
            continue
        if not policy.kinds[kind].agent and _has(policy.conditional + policy.negators, body):
            continue
        seen.add(kind)
        start, end = sentence.start() + clause.start(), sentence.start() + clause.end()
        while end > start and text[end - 1] in "，,、：:。！？!?；; ":
            end -= 1
        used = due or last_due
        due_at = used.at if used else approved_at + timedelta(hours=policy.kinds[kind].default_hours)
        ok, why = policy.allows(kind, due_at, approved_at)
        party = next((name for name, cues in policy.parties.items() if _has(cues, body)), "agent")
        out.append(Commitment(kind=kind, what=policy.kinds[kind].zh, party=party, stage=stage, start=start, end=end,
                              quote=text[start:end], due_at=due_at.astimezone(UTC), due_text=used.text if used else None,
                              within_authority=ok, authority_reason=why))
    return out
