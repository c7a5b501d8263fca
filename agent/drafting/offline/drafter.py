"""The embedded offline drafter: ``draft(request)`` answers a ``DraftRequest`` without any network.

With no model configured (or when the configured ones fail) model access hands the very same
``DraftRequest`` a prompt is rendered from to ``draft``. It answers with the JSON object a real
model must give (docs/CONTRACTS.md §4): ``{"classification": {...}, "stages": [{"stage", "text",
"techniques": [ids]}]}`` — all six stages, or only ``only_stages`` on a re-ask (then with other
sentence variants, so the fix hints are met).

Drafts are composed from the retrieved techniques' phrasings that fit the complaint plus the
complaint's specifics (what / where / since when); deterministic for a given request.
"""

from __future__ import annotations

from typing import Any

from agent.drafting.channel import fit as channel_fit
from agent.drafting.offline.compose import compose_stage
from agent.drafting.request import DraftRequest
from agent.understand.facts import gather_facts

MODEL = "wuye-offline/drafter"  # the name drafts report in `model`


def draft(request: DraftRequest) -> dict[str, Any]:
    """The JSON answer (as a dict) for one request. Pure and deterministic."""
    classification = request.classification
    facts = gather_facts(request.complaint, classification)
    stages = []
    used: set[str] = set()  # playbook phrasings already quoted: never twice in one draft
    for stage in request.stages:
        techniques = [t.model_dump() for t in request.techniques.get(stage, [])]
        hints = request.fix_hints.get(stage)
        shift = (1 + len(hints or [])) if hints is not None or request.only_stages else 0
        text, cited = compose_stage(stage, techniques, facts, shift=shift,
                                    avoid=request.rejected.get(stage, ""), used=used)
        if not cited and techniques:
            cited = [techniques[0]["id"]]
        stages.append({"stage": stage.value, "text": channel_fit(stage, text, request.channel),
                       "techniques": cited})
    return {"classification": classification.model_dump(mode="json"), "stages": stages}
