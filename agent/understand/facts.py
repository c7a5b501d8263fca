"""The facts an offline draft can rely on: classification, specifics and a few situation tags."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from agent.understand.models import Classification, Specifics
from agent.understand.script import to_simplified
from agent.understand.specifics import LABEL_CATEGORIES, extract_specifics, problem_labels
from agent.vocab import Category, Mindset, Severity

_TAGS: dict[str, str] = {
    "photo": r"照片|拍了|视频",
    "parts": r"配件|厂家",
    "family": r"老人|孩子|小孩|家人|父母|我妈|我爸|老妈|老爸|宝宝|孕|婴儿|老公|老婆|爱人",
    "night": r"晚上|夜里|半夜|凌晨|深夜|睡觉|睡不着|休息",
    "visited": r"来看过|来过|看过|上门过|师傅来",
    "group_chat": r"群里|业主群|群",
    "loss": r"损失|泡坏|泡了|砸坏|丢了|被偷|被盗|发霉|刮花|剐蹭|烫了|震裂|赔|医药费|医院|看医生|睇医生|咬|凹|划了|丢掉",
    "proposal": r"能不能|希望|要求|建议|麻烦.{0,6}(一下|处理|协调)",
    "staff": r"前台|保安|保全|管家|客服|经理|师傅|同事|工作人员|管理员|清洁|保洁|职员|员工",
    "in_home": r"家里|家中|我家|屋里|室内|卫生间|厨房|卧室|客厅|阳台",
    "compare": r"别人家|别家|其他业主|别的业主|凭什么他|别的住户",
    "work": r"上班|加班|工作",
    "danger": r"燃气|煤气|着火|起火|冒烟|触电|漏电|电线|被困|困在|坠|塌|砸|受伤|咬|跣|拉肚子|拧门把手",
    "group": r"好多业主|很多业主|几十户|多户业主|联名|集体|横幅|堵门|维权|群里好几户|好几户都",
    "upstairs": r"楼上",
    "dispute": r"凭什么|明明|不讲理|谁的责任|不合理|乱收|多收|不公平",
    "trapped": r"被困|困在|关在电梯|困人",
    "gas": r"燃气|煤气|天然气",
    "media": r"曝光|记者|媒体|上新闻|电视台|抖音|微博|12345|市长热线|住建局|房管局",
    # fee sub-topics: who owes, who already paid, what exactly is disputed
    "owes": r"欠了|拖欠|交不起|缴不起|手头紧|分期|(几个月|半年|一年|好久)没(交|缴)",
    "paid": r"已经(交|缴|付)|(交|缴|付)过了|(明明|早就|上个月就).{0,8}(交|缴|付|汇款)|汇款|转账",
    "chased": r"催缴|催费|催我|催.{0,2}交|欠费名单|打电话催",
    "late_fee": r"滞纳金",
    "deposit": r"押金",
    "increase": r"涨|调价|提价",
    "relief": r"减免|退.{0,8}(费|钱)|少交|打折",
    "service_value": r"干了什么|服务就是这个样子|服务.{0,4}(差|不到位)|花了钱",
    "after_work": r"下班(后|以后|之后).{0,6}(方便|联系|联络|打)|只有下班",  # when the owner may be called
    # the owner already said when it happens / happened (do not ask again)
    "when_known": r"[0-9一二三四五六七八九十两]+点|早上|晚上|半夜|凌晨|中午|下午|上午|昨天|昨晚|今天|今早|刚才|周末|"
                  r"前天|上周|上礼拜|上星期|上个月|这个月|夜里|每天|天天",
}
_TAG_RE = {tag: re.compile(pattern) for tag, pattern in _TAGS.items()}

_DEFAULT_ISSUE = {
    Category.facilities: "设施故障",
    Category.environment: "环境卫生问题",
    Category.security: "安全管理问题",
    Category.fees: "收费问题",
    Category.service_attitude: "工作人员的服务问题",
    Category.neighbor: "邻里之间的这件事",
    Category.other: "您反映的情况",
}


# "since" values that are a time of day or too vague to say "从…开始一直没解决"
_NOT_A_START = {"最近", "这几天", "今天", "早上", "今晚", "半夜", "凌晨", "今早", "今天早上"}


@dataclass(frozen=True)
class Facts:
    complaint: str
    classification: Classification
    specifics: Specifics
    tags: frozenset[str]
    seed: int
    side_issue: str | None = None  # a repair a fee complaint also mentions (物业费 + 电梯故障)

    @property
    def category(self) -> Category:
        return self.classification.category

    @property
    def major(self) -> bool:
        return self.classification.severity is Severity.major

    @property
    def mindset(self) -> Mindset:
        return self.classification.mindset

    def has(self, tag: str) -> bool:
        return tag in self.tags

    @property
    def issue(self) -> str:
        """A short noun phrase for the problem, e.g. 3号楼电梯故障 / 地下车库照明故障."""
        what = self.specifics.what or _DEFAULT_ISSUE[self.category]
        where = self.specifics.where
        physical = self.category in (Category.facilities, Category.environment, Category.security, Category.neighbor)
        if not where or not self.specifics.what or where in what or not physical:
            return what
        for size in range(min(len(where), len(what)), 1, -1):  # 3号楼电梯 + 电梯故障 -> 3号楼电梯故障
            if where.endswith(what[:size]):
                return where + what[size:]
        if any(where[i:i + 2] in what for i in range(len(where) - 1)):  # 垃圾桶 + 垃圾清运
            return what
        return where + what

    @property
    def issue_q(self) -> str:
        """The issue as "…问题" where that reads better (宠物粪便 -> 宠物粪便问题; 电梯故障 stays)."""
        issue = self.issue
        return issue if issue.endswith(("问题", "隐患", "险情", "故障", "事", "情况")) else issue + "问题"

    @property
    def no_staff(self) -> bool:
        """A service complaint about not being answered at all (no colleague to point at)."""
        return self.category is Category.service_attitude and (
            not self.has("staff") or self.specifics.what == "报事无人跟进")

    @property
    def repair_subject(self) -> bool:
        """The named problem is something to repair (漏水, 电梯故障…), whatever the category."""
        named = "facilities" in LABEL_CATEGORIES.get(self.specifics.what or "", set())
        return named and bool(re.search(r"坏|漏|渗|故障|不亮|堵|停水|停电|报修|维修|没修", self.complaint))

    @property
    def known_issue(self) -> bool:
        return bool(self.specifics.what)

    @property
    def span(self) -> str:
        """How long / since when, as a clause starting with a full-width comma, or ''."""
        spec = self.specifics
        if not spec.what:
            return ""
        if self.category is Category.fees:  # "物业费，已经整整一天了" would mix up the outage and the bill
            return ""
        if spec.duration:
            return f"，已经{spec.duration}了"
        ongoing = self.category in (Category.facilities, Category.environment)
        if ongoing and spec.since and spec.since not in _NOT_A_START:
            return f"，从{spec.since}开始一直没解决"
        return ""


def seed_of(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def gather_facts(complaint: str, classification: Classification) -> Facts:
    plain = to_simplified(complaint)
    specifics = extract_specifics(plain)
    # name the problem only when it fits the category (a fee complaint listing broken lifts is about fees)
    allowed = {classification.category.value}
    if classification.category is Category.service_attitude:
        allowed |= {"facilities", "security"}
    fitting = [label for label in problem_labels(plain) if LABEL_CATEGORIES.get(label, set()) & allowed]
    specifics = specifics.model_copy(update={"what": fitting[0] if fitting else None})
    side = None
    if classification.category is Category.fees:
        side = next((label for label in problem_labels(plain)
                     if LABEL_CATEGORIES.get(label, set()) & {"facilities", "environment"}
                     and re.search(r"坏|漏|不亮|故障|堵|停", plain)), None)
    tags = {tag for tag, pattern in _TAG_RE.items() if pattern.search(plain)}
    if re.search(r"第[二三四五六七八九十两\d]+次|又(坏|漏|停|被|来|跌|掉|堵|进水|开始)|反复|多次|好几次|三番五次|屡次|"
                 r"[两二三四五六七八九十几\d]+(次|回)", plain):
        tags.add("repeated")
    if classification.category is Category.facilities or (
            classification.category in (Category.environment, Category.neighbor, Category.other)
            and re.search(r"(?<!装)修|坏|漏|(管|下水|马桶|地漏).{0,2}堵|不亮|故障", plain)):
        tags.add("repair")
    if classification.category in (Category.facilities, Category.environment, Category.neighbor, Category.security):
        tags.add("onsite")
    if classification.category is Category.environment:
        tags.add("clean")
    tags.add(classification.category.value)
    if classification.category is Category.service_attitude:
        tags.add("service")
    if classification.category is Category.neighbor or "upstairs" in tags:
        tags.add("neighbor")
    if "paid" in tags:  # an owner who says they paid is never treated as owing
        tags.discard("owes")
    if classification.urgency.value == "urgent":
        tags.add("urgent")
    if classification.mindset is Mindset.compensation:
        tags.add("compensation")
    if classification.severity is Severity.major:
        tags.add("major")
        if "人身安全" in classification.reason:
            tags.add("danger")
        if "群体" in classification.reason:
            tags.add("group")
        if "曝光" in classification.reason or "外部" in classification.reason:
            tags.add("media")
    return Facts(plain, classification, specifics, frozenset(tags), seed_of(complaint), side)
