"""mask_pii: replace phones, ID numbers, plates, emails, names, room numbers by placeholders.

Everything after this node (the model included) only sees masked text. The raw complaint and the
placeholder mapping are dropped from the state here: drafts are never unmasked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

ROLE_ZH = {"owner": "业主", "staff": "客服"}


def mask_node(state: dict[str, Any], runtime: Any) -> dict[str, Any]:
    from agent.understand.pii import mask_pii
    from agent.understand.script import to_simplified

    masked = mask_pii(state["complaint"])
    kinds = Counter(masked.kinds.values())
    history = []
    for turn in state.get("history") or []:
        turn_masked = mask_pii(turn["text"])
        kinds.update(turn_masked.kinds.values())
        history.append({"role": ROLE_ZH[turn["role"]], "text": to_simplified(turn_masked.text)})
    return {
        "complaint": "",  # the raw text leaves the state here
        "history": [],
        "complaint_masked": masked.text,
        "complaint_model": to_simplified(masked.text),
        "history_masked": history,
        "pii_kinds": dict(kinds),
    }
