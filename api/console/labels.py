"""Simplified-Chinese labels for the console: vocabularies, statuses, audit actions, roles."""

from __future__ import annotations

from agent.vocab import STAGE_ZH, Category, Severity, Stage, ViolationCategory

CATEGORY = {
    Category.facilities: "设施设备", Category.environment: "环境卫生", Category.security: "安全秩序",
    Category.fees: "收费问题", Category.service_attitude: "服务态度", Category.neighbor: "邻里纠纷",
    Category.other: "其他",
}
SEVERITY = {Severity.general: "一般", Severity.important: "重要", Severity.major: "重大"}
URGENCY = {"normal": "普通", "urgent": "紧急"}
MINDSET = {"vent": "想发泄情绪", "respect": "希望被尊重", "compensation": "希望得到补偿"}
VIOLATION = {
    ViolationCategory.arguing: "争辩顶撞", ViolationCategory.blaming: "指责业主",
    ViolationCategory.overpromising: "过度承诺", ViolationCategory.refusing: "生硬拒绝",
    ViolationCategory.buck_passing: "推诿责任", ViolationCategory.privacy_probing: "打探隐私",
    ViolationCategory.disrespect: "不尊重", ViolationCategory.grudging_apology: "敷衍道歉",
    ViolationCategory.empty_thanks: "空洞致谢", ViolationCategory.vague: "含糊其辞",
    ViolationCategory.pii_leak: "泄露隐私信息", ViolationCategory.ungrounded: "无据细节",
}
RULE_SEVERITY = {"block": "拦截", "warn": "提醒"}
STATUS = {"pending_approval": "待客服确认", "flagged": "待主管审核", "approved": "已通过", "rejected": "已驳回"}
ACTION = {
    "created": "生成草稿", "approve": "采纳", "edit": "修改后采纳", "edit_blocked": "修改被护栏拦截",
    "reject": "驳回", "override_approve": "主管放行", "return_to_agent": "退回客服修改",
}
ROLE = {"agent": "客服", "supervisor": "主管", "qa": "质检", "admin": "管理员"}
DRAFTER = {"model": "大模型起草", "offline": "离线起草", "offline_fallback": "模型不可用,离线补位"}
STAGE = {s.value: STAGE_ZH[s] for s in Stage}
STAGE_HINT = {
    "listen": "倾听", "empathize": "共情", "ask": "询问", "act": "办理", "negotiate": "协商", "thank": "致谢",
}


def label(table: dict, value: object, default: str | None = None) -> str:
    """The Chinese label of ``value`` in ``table`` (enum members and plain strings both work)."""
    if value is None or value == "":
        return default if default is not None else "—"
    for key, text in table.items():
        if key == value or str(key) == str(value):
            return text
    return default if default is not None else str(value)
