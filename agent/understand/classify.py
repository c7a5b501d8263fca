"""Offline, rule-based complaint classifier (category, severity, urgency, mindset, escalate).

The rules are data: ``agent/understand/classify_rules.yaml`` (keywords / regexes with weights). The same
``Classification`` schema comes from a model when one is configured; this is the embedded default
and the fallback. Report accuracy on a labelled set with::

    python -m agent.understand.classify_eval --eval evals/drafting/complaints.jsonl
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from agent.errors import InvalidInput
from agent.understand import learned, scan, severity_model
from agent.understand.context import first_live, sentences
from agent.understand.models import Classification, Issue
from agent.understand.script import detect_language, to_simplified
from agent.vocab import Category, Mindset, Severity, Urgency

RULES_PATH = Path(__file__).parent / "classify_rules.yaml"
_PLACEHOLDER = re.compile(r"〔[^〕]{1,6}〕")


def _term(term: str) -> re.Pattern[str]:
    return re.compile(term[3:] if term.startswith("re:") else re.escape(term), re.IGNORECASE)


@dataclass(frozen=True)
class _Rules:
    categories: dict[Category, list[tuple[re.Pattern[str], float]]]
    tie_order: list[Category]
    majors: list[tuple[str, list[re.Pattern[str]]]]
    repeat: re.Pattern[str]
    damage: re.Pattern[str]
    repeated_damage_label: str
    important: list[re.Pattern[str]]
    urgent: list[re.Pattern[str]]
    urgent_major_letter: re.Pattern[str]
    compensation: re.Pattern[str]
    respect: re.Pattern[str]
    compensation_title: re.Pattern[str]
    compensation_not_fees: bool
    respect_strong: re.Pattern[str]
    ignore_for_important: re.Pattern[str]
    escalate: list[tuple[re.Pattern[str], str]]
    live_major_label: str
    live_major: list[re.Pattern[str]]
    important_context: list[re.Pattern[str]]
    title_major: list[re.Pattern[str]]
    short_media_label: str
    short_media: list[re.Pattern[str]]


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> _Rules:
    """Compile the rule file once (cached). A broken file raises ``InvalidInput`` naming it."""
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        categories = {
            Category(name): [(_term(t), float(w)) for t, w in (terms or {}).items()]
            for name, terms in raw["categories"].items()
        }
        sev = raw["severity"]
        majors = [(sev[k]["label"], [_term(t) for t in sev[k]["terms"]]) for k in ("danger", "group", "media")]
        return _Rules(
            categories=categories,
            tie_order=[Category(c) for c in raw["tie_order"]],
            majors=majors,
            repeat=_term(sev["repeated_damage"]["repeat"]),
            damage=_term(sev["repeated_damage"]["damage"]),
            repeated_damage_label=sev["repeated_damage"]["label"],
            important=[_term(t) for t in sev["important"]],
            urgent=[_term(t) for t in raw["urgency"]["urgent"]],
            urgent_major_letter=_term(raw["urgency"]["major_letter"]),
            compensation=_term(raw["mindset"]["compensation"]),
            respect=_term(raw["mindset"]["respect"]),
            compensation_title=_term(raw["mindset"]["compensation_title"]),
            compensation_not_fees=bool(raw["important_mindset"]["compensation_not_fees"]),
            respect_strong=_term(raw["important_mindset"]["respect_strong"]),
            ignore_for_important=_term(raw["important_mindset"]["ignore_for_important"]),
            escalate=[(_term(e["terms"]), e["reason"]) for e in raw["escalate"]],
            live_major_label=raw["live_major"]["label"],
            live_major=[_term(t) for t in raw["live_major"]["terms"]],
            important_context=[_term(t) for t in raw["important_context"]],
            title_major=[_term(t) for t in raw["title_major"]],
            short_media_label=raw["short_media_threat"]["label"],
            short_media=[_term(t) for t in raw["short_media_threat"]["terms"]],
        )
    except (OSError, KeyError, TypeError, ValueError, re.error, yaml.YAMLError) as exc:
        raise InvalidInput(
            f"分类规则文件有误:{path}({exc})", f"invalid classifier rules file {path}: {exc}"
        ) from exc


_TITLE_URGENT = re.compile(r"停水|断水|停电|断电|没水|没电|电梯.{0,10}(掉|坠|困|事故|频发)|消防通道.{0,4}(关|锁|堵)")
# weight of the learned model's probabilities against the rule scores, and of a long post's title
LEARNED_WEIGHT = 6.0
TITLE_WEIGHT = 6.0


_Terms = dict[Category, list[tuple[re.Pattern[str], float]]]


# every match of every category term in one text: category -> [(weight, [(start, end) …]) per term]
_Hits = dict[Category, list[tuple[float, list[tuple[int, int]]]]]


def _scores(text: str, categories: _Terms) -> dict[Category, float]:
    return {cat: float(sum(w for pattern, w in terms if pattern.search(text))) for cat, terms in categories.items()}


# an English term, ``\b(word|two words|word(s)?…)\b``: every match starts a Latin word, and a Chinese
# letter has few of those (the 4 non-ASCII letters are the ones IGNORECASE matches to ASCII letters)
_ENGLISH_TERM = re.compile(r"\\b\(([a-z ()?|-]+)\)\\b")
_LATIN_WORD_START = re.compile(r"[A-Za-z\u0130\u0131\u017f\u212a](?<!\w.)")


@cache
def _english(pattern: str) -> bool:
    """True for an English term whose every alternative begins with a letter."""
    whole = _ENGLISH_TERM.fullmatch(pattern)
    if not whole:
        return False
    depth, begins = 0, True
    for ch in whole.group(1):
        if begins and not ch.isalpha():
            return False
        begins = False
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False  # \b(a)|(b)\b: the group closes early
        begins = ch == "|" and depth == 0
    return depth == 0


def _matches(pattern: re.Pattern[str], text: str, words: list[int]) -> list[tuple[int, int]]:
    """The spans of ``pattern.finditer(text)``; an English term is tried only where a Latin word starts."""
    found = scan.finditer_at(pattern, text, words) if _english(pattern.pattern) else pattern.finditer(text)
    return [m.span() for m in found]


def _hits(text: str, categories: _Terms) -> _Hits:
    """One pass per term over ``text``, kept so the category scores and the issues list share it."""
    words = scan.starts(_LATIN_WORD_START, text)
    return {cat: [(w, _matches(pattern, text, words)) for pattern, w in terms] for cat, terms in categories.items()}


# what lets a match depend on the text after it (a look-ahead, \b, $, an atomic group or possessive
# quantifier): such a term's matches in a whole text say nothing sure about its first characters
_READS_PAST = re.compile(r"\(\?[=!>]|\\[bBZ]|\$|[*+?}]\+")


@cache
def _reads_past(pattern: str) -> bool:
    return bool(_READS_PAST.search(pattern))


def _prefix_scores(text: str, categories: _Terms, hits: _Hits, limit: int) -> dict[Category, float]:
    """``_scores(text[:limit])`` from the terms' matches in the whole ``text``: a term that never matched
    cannot match its beginning, one whose first match ends within it matches it; only a term whose first
    match runs past ``limit``, or that can read past its match, is searched again."""
    if len(text) <= limit:
        return {cat: float(sum(w for w, spans in terms if spans)) for cat, terms in hits.items()}
    head = text[:limit]
    words: list[int] = []

    def scored(pattern: re.Pattern[str], spans: list[tuple[int, int]]) -> bool:
        nonlocal words
        if _reads_past(pattern.pattern) or (spans and spans[0][1] > limit):
            if _english(pattern.pattern):
                words = words or scan.starts(_LATIN_WORD_START, head)
                return next(scan.finditer_at(pattern, head, words), None) is not None
            return pattern.search(head) is not None
        return bool(spans)

    return {cat: float(sum(w for (pattern, w), (_w, spans) in zip(terms, hits[cat], strict=True)
                           if scored(pattern, spans)))
            for cat, terms in categories.items()}


def _rule_scores(text: str, rules: _Rules) -> dict[Category, float]:
    return _scores(text, rules.categories)


def _title(text: str) -> str:
    """The title of a long post (its first sentence, when short): real posts name their point there."""
    if len(text) < 120:
        return ""
    first = re.split(r"[。！？!?\n]", text, maxsplit=1)[0]
    return first if len(first) <= 60 else ""


def _category_scores(text: str, rules: _Rules, hits: _Hits | None = None) -> dict[Category, float]:
    """``hits``: the category terms' matches in ``text``, when known (saves a pass over it)."""
    # a long letter states its point first: the rules read what the learned model reads (bounded time)
    scores = (_prefix_scores(text, rules.categories, hits, learned.MAX_CHARS) if hits is not None
              else _rule_scores(text[:learned.MAX_CHARS], rules))
    title = _title(text)
    if title:
        for cat, value in _rule_scores(title, rules).items():
            scores[cat] += TITLE_WEIGHT * value
    # the model refines a reading the rules made; with no cue at all the complaint stays "other"
    probs = learned.probabilities(text) if max(scores.values(), default=0) > 0 else None
    if probs:
        for cat, p in probs.items():
            scores[cat] = scores.get(cat, 0.0) + LEARNED_WEIGHT * p
    return scores


def _best(scores: dict[Category, float], rules: _Rules) -> Category:
    best = max(scores.values(), default=0)
    if best <= 0:
        return Category.other
    return next(cat for cat in rules.tie_order if scores.get(cat, 0) == best)


def _category(text: str, rules: _Rules, hits: _Hits | None = None) -> Category:
    return _best(_category_scores(text, rules, hits), rules)


def _issues(text: str, primary: Category, rules: _Rules, hits: _Hits, limit: int = 5) -> list[Issue]:
    """Every distinct issue, primary first: the sentences that score a category by the rules."""
    issues: list[Issue] = []
    seen: set[Category] = set()
    primary_issue: Issue | None = None
    spans = sentences(text)
    starts = [start for start, _end, _s in spans]
    # one pass per term over the whole text (``hits``); a term scores each sentence that holds one of its matches
    # (only the sentences some term matched in: the others score 0 everywhere and are no issue)
    per_sentence: dict[int, dict[Category, float]] = {}
    for cat, terms in hits.items():
        for weight, matches in terms:
            hit: set[int] = set()
            for match_start, match_end in matches:
                k = bisect_right(starts, match_start) - 1
                if k >= 0 and k not in hit and match_end <= spans[k][1]:
                    hit.add(k)
                    if k not in per_sentence:
                        per_sentence[k] = dict.fromkeys(rules.categories, 0.0)
                    per_sentence[k][cat] += weight
    for k in sorted(per_sentence):
        start, end, sentence = spans[k]
        scores = per_sentence[k]
        best = max(scores.values(), default=0)
        if best < 2:
            continue
        cat = _best(scores, rules)
        summary = re.sub(r"\s+", " ", sentence).strip(" 。！？!?；;，,")[:20]
        issue = Issue(category=cat, summary=summary, span=(start, end))
        if cat is primary and primary_issue is None:
            primary_issue = issue
        elif cat not in seen and cat is not primary:
            issues.append(issue)
        seen.add(cat)
    if primary_issue is None:
        first = spans[:1]
        span = (first[0][0], first[0][1]) if first else None
        summary = re.sub(r"\s+", " ", first[0][2]).strip(" 。！？!?；;，,")[:20] if first else ""
        primary_issue = Issue(category=primary, summary=summary, span=span)
    return [primary_issue, *issues][:limit]


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def _mindset(plain: str, rules: _Rules, title: str = "") -> Mindset:
    """``title``: a long post's title (``_title``), where a charge dispute says the owner wants money back."""
    if rules.compensation.search(plain):
        return Mindset.compensation
    if rules.respect.search(plain):
        return Mindset.respect
    if title and rules.compensation_title.search(title):
        return Mindset.compensation
    return Mindset.vent


def classify_offline(text: str) -> Classification:
    """Classify a (masked) complaint with the rule file; Simplified or Traditional input."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("投诉内容为空,无法分类。", "The complaint is empty; nothing to classify.")
    rules = load_rules()
    language = detect_language(text)
    plain = _PLACEHOLDER.sub(" ", to_simplified(text))
    issue_text = _PLACEHOLDER.sub(" ", text)
    term_hits = _hits(issue_text, rules.categories)

    # the issues list reads the text as written; when that is the text the rules score, one pass serves both
    category = _category(plain, rules, term_hits if issue_text == plain else None)
    title = _title(plain)
    mindset = _mindset(plain, rules, title)

    severity, reasons = Severity.general, []
    families = [*rules.majors, (rules.live_major_label, rules.live_major)]
    model = severity_model.load()
    letter = model is not None and severity_model.is_letter(plain, title)
    if title:
        # a long post: the danger must be its point (in its title), or stated live more than once
        title_hits = [(label, m) for label, patterns in [*families, (rules.live_major_label, rules.title_major)]
                      if (m := first_live(patterns, title))]
        # a letter whose severity the learned model decides (below) needs only its title's hits here
        body_hits = [] if letter else [
            (label, m) for label, patterns in families for p in patterns if (m := first_live([p], plain))]
        group_label = rules.majors[1][0]
        group_hits = [(label, m) for label, m in body_hits if label == group_label]
        hits = title_hits or group_hits or (body_hits if len({m.group(0) for _, m in body_hits}) >= 2 else [])
    else:
        title_hits = []
        families.append((rules.short_media_label, rules.short_media))
        hits = [(label, m) for label, patterns in families if (m := first_live(patterns, plain))]
    for label, match in hits[:2]:
        severity = Severity.major
        reasons.append(f"{label}({match.group(0)})")
    if rules.repeat.search(plain) and rules.damage.search(plain):
        severity = Severity.major
        reasons.append(rules.repeated_damage_label)
    if severity is not Severity.major and (
        _first_match(rules.important, rules.ignore_for_important.sub(" ", plain))
        or (mindset is Mindset.compensation and rules.compensation_not_fees and category is not Category.fees)
        or (mindset is Mindset.respect and rules.respect_strong.search(plain))
        or (len(plain) >= 100 and _first_match(rules.important_context, plain))
    ):
        severity = Severity.important
    if title:
        # a long post: urgent when its point is a utility cut or a danger happening now, not a passing word
        urgent = bool(_first_match(rules.urgent, title) or _TITLE_URGENT.search(title)
                      or (severity is Severity.major and first_live(rules.urgent, plain) and title_hits))
    else:
        # a short message: urgent when the cue is live (not a rumour, a past incident or a hypothetical)
        urgent = bool(first_live(rules.urgent, plain))
    urgency = Urgency.urgent if urgent else Urgency.normal

    if severity is Severity.major:
        reason = ";".join(reasons) + ",需立即上报主管/项目经理并跟进处置"
    elif severity is Severity.important and mindset is Mindset.compensation:
        reason = "业主提出赔偿诉求,需主管核实定损后答复"
    elif severity is Severity.important and mindset is Mindset.respect and not title:
        reason = "业主对工作人员的态度不满并要求说法,需主管出面处理"
    else:
        # the first rule (compensation) at any severity; the others (demands beyond an agent's power,
        # accusations of misconduct) only when the complaint is important
        # (the last, developer and fee disputes, is read in a long post's title: its point, not a mention)
        last = len(rules.escalate) - 1
        reason = next((why for k, (pattern, why) in enumerate(rules.escalate)
                       if (k == 0 or severity is Severity.important)
                       and pattern.search(title if k == last and title else plain)), "")
    if letter and model is not None:
        # a public-board letter: severity and escalation from the learned cue model (rules kept urgency)
        x = severity_model.cues(plain, title, category.value, mindset.value)
        learned_severity, escalate, _p = model.predict(x)
        severity = Severity(learned_severity)
        if severity is Severity.major and rules.urgent_major_letter.search(plain):
            urgency = Urgency.urgent
        reason = model.reason(x, severity.value) if escalate else ""
    return Classification(
        category=category, severity=severity, urgency=urgency, mindset=mindset,
        escalate=bool(reason), reason=reason, issues=_issues(issue_text, category, rules, term_hits),
        language=language,
    )
