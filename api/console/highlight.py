"""Render a stage text with its guardrail violations as ``<mark>`` spans.

Violations may overlap or nest. The text is cut at every span boundary; each piece covered by at
least one violation becomes one ``<mark>`` that names every covering violation (class per
category, ``aria-describedby`` to each violation's explanation, a ``title`` and a popover shown on
hover and focus). Everything that came from a draft or a rule is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .labels import RULE_SEVERITY, VIOLATION, label


@dataclass(frozen=True)
class Piece:
    text: str
    covering: tuple[int, ...]  # indexes into the violation list, in list order


def _span(v: dict[str, Any], length: int) -> tuple[int, int] | None:
    """A violation's (start, end), clamped to the text; None when unusable."""
    try:
        start, end = int(v.get("start", -1)), int(v.get("end", -1))
    except (TypeError, ValueError):
        return None
    start, end = max(0, start), min(length, end)
    return (start, end) if start < end else None


def pieces(text: str, violations: list[dict[str, Any]]) -> list[Piece]:
    """Cut ``text`` at every violation boundary; each piece knows which violations cover it."""
    spans = {i: s for i, v in enumerate(violations) if (s := _span(v, len(text))) is not None}
    cuts = sorted({0, len(text), *(b for s in spans.values() for b in s)})
    out: list[Piece] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = tuple(i for i, (s, e) in spans.items() if s <= left and right <= e)
        if out and out[-1].covering == covering:  # merge neighbours with the same cover
            out[-1] = Piece(out[-1].text + text[left:right], covering)
        else:
            out.append(Piece(text[left:right], covering))
    return out


def violation_id(prefix: str, index: int) -> str:
    return f"{prefix}-v{index}"


def _summary(v: dict[str, Any]) -> str:
    return (f"{label(VIOLATION, v.get('category'))}({label(RULE_SEVERITY, v.get('severity'))})"
            f" 规则 {v.get('rule_id', '')}")


def render(text: str, violations: list[dict[str, Any]], prefix: str,
           rules: dict[str, dict[str, str]] | None = None) -> Markup:
    """HTML for ``text`` with highlighted violations. ``prefix`` makes element ids unique per stage;
    ``rules`` maps rule id → {"source", "description"} for the popover (optional)."""
    rules = rules or {}
    html: list[str] = []
    for n, piece in enumerate(pieces(text, violations)):
        if not piece.covering:
            html.append(str(escape(piece.text)))
            continue
        covered = [violations[i] for i in piece.covering]
        classes = " ".join(dict.fromkeys(f"v-{v.get('category', 'other')}" for v in covered))
        blocking = any(v.get("severity") == "block" for v in covered)
        described = " ".join(violation_id(prefix, i) for i in piece.covering)
        title = ";".join(_summary(v) for v in covered)
        tip_lines = []
        for v in covered:
            rule = rules.get(str(v.get("rule_id")), {})
            source = rule.get("source") or ""
            why = rule.get("description") or v.get("message", "")  # the message repeats the source
            tip_lines.append(
                f'<span class="tip-item"><strong>{escape(_summary(v))}</strong>'
                f'<span class="tip-line">“{escape(v.get("excerpt", piece.text))}”:{escape(why)}</span>'
                + (f'<span class="tip-line">依据:{escape(source)}</span>' if source else "")
                + f'<span class="tip-line">改法:{escape(v.get("fix_hint", ""))}</span></span>'
            )
        html.append(
            f'<span class="mark-wrap"><mark class="v {classes}{" v-block" if blocking else ""}" tabindex="0" '
            f'title="{escape(title)}" aria-describedby="{described}" data-rules="'
            f'{escape(",".join(str(v.get("rule_id", "")) for v in covered))}">{escape(piece.text)}</mark>'
            f'<span class="tip" role="tooltip" id="{prefix}-tip{n}">{"".join(tip_lines)}</span></span>'
        )
    return Markup("".join(html))
