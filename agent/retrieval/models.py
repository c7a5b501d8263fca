"""Pydantic models of a playbook entry (docs/CONTRACTS.md §1)."""

from __future__ import annotations

import hashlib
import json
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.vocab import Stage, Topic, ViolationCategory

INDEX_RECIPE = "1"  # bump when index_text() changes, so every entry is re-embedded
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(f"id {value!r} must look like 'stage.name' (lowercase, dots, underscores)")
    return value


class MustAvoid(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str = Field(min_length=1)
    category: ViolationCategory | None = None

    _id = field_validator("id")(_check_id)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(min_length=1)
    section: str = ""

    @field_validator("section", mode="before")
    @classmethod
    def _section_as_text(cls, value: object) -> object:
        return "" if value is None else str(value) if isinstance(value, int | float) else value

    def __str__(self) -> str:
        return f"{self.file} § {self.section}" if self.section else self.file


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    stage: Stage | None = None
    topic: Topic
    title: str = Field(min_length=1)
    guidance: str = Field(min_length=1)
    phrasings: list[str] = Field(min_length=2)
    must_avoid: list[MustAvoid] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    source: Source

    _id = field_validator("id")(_check_id)

    @field_validator("phrasings", "keywords")
    @classmethod
    def _no_blank_items(cls, value: list[str]) -> list[str]:
        if any(not isinstance(item, str) or not item.strip() for item in value):
            raise ValueError("items must be non-empty strings")
        return value

    def index_text(self) -> str:
        """The text that is embedded and tokenised: title, guidance, phrasings, keywords, must-avoid."""
        parts = [self.title, self.title, self.guidance, *self.phrasings, " ".join(self.keywords)]
        parts += [avoid.text for avoid in self.must_avoid]
        return "\n".join(part for part in parts if part)

    def content_hash(self) -> str:
        """Stable hash of everything stored in the index; changes iff the entry changed."""
        payload = INDEX_RECIPE + json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
