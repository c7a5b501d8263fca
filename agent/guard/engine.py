"""The offline rule engine: evaluates the compiled policy on one text, in microseconds.

For each rule that applies to the stage, every regex hit is kept only if its context agrees:
no negator just before it in the same clause (“这不是您的错”), none of the rule's ``unless``
contexts match (ownership after a transfer, a concrete time or person, a condition …) and all
of its ``requires`` contexts match (e.g. a question form for privacy probing).
"""

from __future__ import annotations

import re

from agent.guard.clauses import analyse, excuse
from agent.guard.models import Violation
from agent.guard.policy import CompiledRule, Policy
from agent.guard.text import Prepared
from agent.vocab import Stage

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"


def id_checksum_ok(value: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    digits = re.sub(r"[\s-]", "", value).lower()
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17]


def luhn_ok(value: str) -> bool:
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) < 13:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_CHECKS = {"id_checksum": id_checksum_ok, "luhn": luhn_ok}


def _scopes(prep: Prepared, start: int, end: int) -> dict[str, str]:
    cs, ce = prep.clause(start)
    ss, se = prep.sentence(start)
    norm = prep.norm
    return {
        "before": norm[cs:start],
        "after": norm[end:max(se, end)],
        "clause": norm[cs:max(ce, end) + 1],  # + the punctuation that closes it ("?" marks a question)
        "sentence": norm[ss:max(se, end) + 1],
        "text": norm,
    }


class Engine:
    def __init__(self, policy: Policy, *, prefilter: bool = True, clauses: bool = True) -> None:
        self.policy = policy
        self.clauses = clauses  # clause analysis (agent, quotes, hypotheticals, number kinds) after the regexes
        self.window = policy.spec.negation_window
        self.prefilter = prefilter  # skip regexes whose required characters are absent (same results)
        self._token = object()  # key of this engine's entry in Prepared.cache
        pairs = [(ri, pi) for ri, c in enumerate(policy.rules) for pi in range(len(c.patterns))]
        self._all = [(ri, list(range(len(c.patterns)))) for ri, c in enumerate(policy.rules)]
        self._always = [(ri, pi) for ri, pi in pairs if policy.rules[ri].patterns[pi].need is None]
        self._need2 = [[p.need2 for p in c.patterns] for c in policy.rules]
        self._by_char: dict[str, list[tuple[int, int]]] = {}
        for ri, pi in pairs:
            for ch in policy.rules[ri].patterns[pi].need or ():
                self._by_char.setdefault(ch, []).append((ri, pi))

    def _negated(self, scopes: dict[str, str]) -> bool:
        before = scopes["before"][-self.window:]
        return bool(before) and self.policy.negator.search(before) is not None

    def _keep(self, compiled: CompiledRule, prep: Prepared, m: re.Match[str]) -> tuple[int, int] | None:
        start, end = m.span("hit") if "hit" in m.re.groupindex and m.group("hit") else m.span()
        if end <= start:
            return None
        scopes = _scopes(prep, start, end)
        rule = compiled.rule
        if rule.negation and self._negated(scopes):
            return None
        for scope, regex in compiled.unless.items():
            if regex.search(scopes[scope]):
                return None
        for scope, regex in compiled.requires.items():
            if not regex.search(scopes[scope]):
                return None
        if rule.check and not _CHECKS[rule.check](prep.norm[start:end]):
            return None
        return start, end

    def _candidates(self, prep: Prepared) -> list[tuple[int, list[int]]]:
        """``[(rule index, [pattern indices])]`` whose required characters occur in the text, in
        policy order; found through a character → patterns index once per text (cached on it)."""
        grouped = prep.cache.get(self._token)
        if grouped is None:
            hits = set(self._always)
            for ch in prep.chars:
                listed = self._by_char.get(ch)
                if listed:
                    hits.update(listed)
            by_rule: dict[int, list[int]] = {}
            chars = prep.chars
            for ri, pi in sorted(hits):
                need2 = self._need2[ri][pi]
                if need2 is None or not chars.isdisjoint(need2):
                    by_rule.setdefault(ri, []).append(pi)
            grouped = prep.cache[self._token] = list(by_rule.items())
        return grouped

    def run(self, prep: Prepared, stage: Stage, categories: frozenset | None = None) -> list[Violation]:
        """Every rule's violations in ``prep`` for ``stage`` (only ``categories`` when given). The
        rules run once per text and stage (cached on ``prep``): the eleven category validators of
        one Guard call each take their share of the same run."""
        key = (self._token, stage)
        found = prep.cache.get(key)
        if found is None:
            found = prep.cache[key] = self._run(prep, stage)
        return found if categories is None else [v for v in found if v.category in categories]

    def _run(self, prep: Prepared, stage: Stage) -> list[Violation]:
        found: list[Violation] = []
        rules = self.policy.rules
        for ri, pattern_ids in self._candidates(prep) if self.prefilter else self._all:
            compiled = rules[ri]
            rule = compiled.rule
            if not rule.applies_to(stage):
                continue
            spans: list[tuple[int, int]] = []
            for pi in pattern_ids:
                for m in compiled.patterns[pi].regex.finditer(prep.norm):
                    span = self._keep(compiled, prep, m)
                    if span and not any(s < span[1] and span[0] < e for s, e in spans):
                        spans.append(span)
            if spans and self.clauses:
                analysis = analyse(prep)
                spans = [sp for sp in spans if excuse(rule.category.value, rule.id, analysis, *sp) is None]
            spans.sort()
            if len(spans) < rule.min_hits:
                continue
            if rule.min_hits > 1:  # e.g. repeated thanks: report the hit that crosses the line
                spans = spans[rule.min_hits - 1:rule.min_hits]
            found.extend(rule.violation(prep.original, start, end) for start, end in spans)
        return found
