"""``DraftRequest``: everything a drafter is given, as one typed value.

The prompt renderer (``agent.drafting.prompts.render_messages``) turns it into the messages a real
model sees; the offline drafter (``agent.drafting.offline.drafter.draft``) takes it as it is. Both
read the same fields, so the offline drafter never has to parse a rendered prompt back out.

Extending it: a new field with a default (e.g. ``issues`` from the understanding step, ``facts``
from the drafting step) is all it takes; ``context()`` decides what of it a model sees.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.drafting.channel import guidance as channel_guidance
from agent.understand.models import Classification
from agent.vocab import STAGE_ZH, Channel, Script, Stage


class Technique(BaseModel):
    """A retrieved playbook entry offered to one stage (``source`` = "seed file § section")."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    guidance: str = ""
    phrasings: list[str] = Field(default_factory=list)
    source: str = ""


class HistoryTurn(BaseModel):
    """One earlier message of the conversation, masked and in Simplified Chinese."""

    model_config = ConfigDict(frozen=True)

    role: str = Field(description="业主 or 客服 (as the prompt shows it)")
    text: str


class DraftRequest(BaseModel):
    """The input of one drafting call: the first draft (all six stages) or a re-ask (``only_stages``)."""

    model_config = ConfigDict(frozen=True)

    complaint: str = Field(description="the owner's complaint, PII-masked, in Simplified Chinese")
    script: Script = Script.simplified
    classification: Classification
    techniques: dict[Stage, list[Technique]] = Field(
        default_factory=dict, description="retrieved playbook techniques per stage, best first")
    history: list[HistoryTurn] = Field(default_factory=list)
    only_stages: list[Stage] | None = Field(None, description="a re-ask: only these stages, else all six")
    fix_hints: dict[Stage, list[str]] = Field(default_factory=dict, description="re-ask: what to fix per stage")
    rejected: dict[Stage, str] = Field(default_factory=dict, description="re-ask: the draft that failed per stage")
    channel: Channel | None = None

    @property
    def stages(self) -> list[Stage]:
        """The stages to write, in 六字诀 order."""
        return [s for s in Stage if s in self.only_stages] if self.only_stages else list(Stage)

    def context(self) -> dict[str, Any]:
        """The structured context a model sees as ``<context_json>`` (docs/CONTRACTS.md §4)."""
        stages = {
            stage.value: [{"id": t.id, "title": t.title, "guidance": t.guidance, "phrasings": list(t.phrasings)}
                          for t in items]
            for stage, items in self.techniques.items()
        }
        from agent.understand.facts import situation_of

        sit = situation_of(self.complaint, self.classification)
        return {"script": self.script.value, "complaint": self.complaint,
                "classification": self.classification.model_dump(mode="json"), "stages": stages,
                # the only specifics a draft may state (each with the owner's own words), and the issues
                # to answer, primary first; scope: ours / shared (another body decides) / outside
                "facts": [{"kind": f.kind, "value": f.value, "quote": self.complaint[f.start:f.end]}
                          for f in sit.facts if f.kind != "issue"],
                "issues": [{"summary": i.summary, "category": i.category, "scope": i.scope,
                            **({"decided_by": i.who} if i.who else {})} for i in sit.issues],
                "demands": sorted(sit.demands),
                "only_stages": [s.value for s in self.only_stages] if self.only_stages else None,
                "fix_hints": {s.value: list(h) for s, h in self.fix_hints.items()},
                "channel": channel_guidance(self.channel)}

    def failing(self) -> list[dict[str, Any]]:
        """Re-ask: the rejected drafts with their fix hints, as the user prompt lists them."""
        if not self.only_stages:
            return []
        return [{"stage": s.value, "zh": STAGE_ZH[s], "text": self.rejected.get(s, ""),
                 "hints": list(self.fix_hints.get(s, []))} for s in self.stages]
