"""Fixed vocabularies shared by the corpus, guardrails, workflow, API and evals."""

from enum import StrEnum


class Stage(StrEnum):
    listen = "listen"
    empathize = "empathize"
    ask = "ask"
    act = "act"
    negotiate = "negotiate"
    thank = "thank"


STAGE_ZH: dict[Stage, str] = {
    Stage.listen: "听",
    Stage.empathize: "同",
    Stage.ask: "问",
    Stage.act: "办",
    Stage.negotiate: "议",
    Stage.thank: "谢",
}


class Topic(StrEnum):
    complaint_handling = "complaint_handling"
    emotion = "emotion"
    repair_ticket = "repair_ticket"
    fee_collection = "fee_collection"
    classification = "classification"
    escalation = "escalation"
    follow_up = "follow_up"
    group_incident = "group_incident"
    communication = "communication"


class Category(StrEnum):
    facilities = "facilities"
    environment = "environment"
    security = "security"
    fees = "fees"
    service_attitude = "service_attitude"
    neighbor = "neighbor"
    other = "other"


class Severity(StrEnum):
    general = "general"
    important = "important"
    major = "major"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"


class Mindset(StrEnum):
    vent = "vent"
    respect = "respect"
    compensation = "compensation"


class ViolationCategory(StrEnum):
    arguing = "arguing"
    blaming = "blaming"
    overpromising = "overpromising"
    refusing = "refusing"
    buck_passing = "buck_passing"
    privacy_probing = "privacy_probing"
    disrespect = "disrespect"
    grudging_apology = "grudging_apology"
    empty_thanks = "empty_thanks"
    vague = "vague"
    pii_leak = "pii_leak"
    ungrounded = "ungrounded"  # names a place/object/hazard/time the complaint does not (agent/guard/grounding.py)


# categories checked against the complaint itself, not by a policy rule on the reply text alone
COMPLAINT_CHECKS: frozenset[ViolationCategory] = frozenset({ViolationCategory.ungrounded})


class RuleSeverity(StrEnum):
    block = "block"
    warn = "warn"


class Script(StrEnum):
    simplified = "simplified"
    traditional = "traditional"


class Channel(StrEnum):
    """How the owner reached us."""

    wechat = "wechat"
    app = "app"
    phone = "phone"
    visit = "visit"
    letter = "letter"
    sms = "sms"
