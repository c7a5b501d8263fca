"""The facts an offline draft can rely on: classification, specifics and a few situation tags."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import lru_cache

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

    def _a_spell(self, duration: str) -> bool:
        return _spell_only(duration, self.complaint)

    @property
    def span(self) -> str:
        """How long / since when, as a clause starting with a full-width comma, or ''."""
        spec = self.specifics
        if not spec.what:
            return ""
        if self.category is Category.fees:  # "物业费，已经整整一天了" would mix up the outage and the bill
            return ""
        if spec.duration and not self._a_spell(spec.duration):
            return f"，已经{spec.duration}了"
        ongoing = self.category in (Category.facilities, Category.environment)
        if ongoing and spec.since and spec.since not in _NOT_A_START:
            return f"，从{spec.since}开始一直没解决"
        return ""


_SPELLS = ("一整天", "一整晚", "一晚上", "一个晚上")


def _spell_only(duration: str, complaint: str) -> bool:
    """"叫一整天" / "吵一晚上" say how long it goes on each time, not how long the case has lasted
    (that would read "已经一整天了")."""
    return duration in _SPELLS and not re.search(rf"(已经|已|都)[^，。]{{0,4}}{duration}|{duration}了", complaint)


def _grounded_specifics(specifics: Specifics, complaint: str) -> Specifics:
    """Drop a problem label or place the complaint does not support (车库渗漏积水 for a garage that is
    only flooded): a draft then says it in general words instead (agent/guard/grounding.py)."""
    from agent.guard.grounding import ungrounded

    update: dict[str, str | None] = {}
    if specifics.what and ungrounded(specifics.what, complaint):
        update["what"] = None
    if specifics.where and ungrounded(specifics.where, complaint):
        update["where"] = None
    return specifics.model_copy(update=update) if update else specifics


def seed_of(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)


def owes_fees(complaint: str) -> bool:
    """The ``owes`` tag of ``gather_facts`` alone: the owner says they are behind with a payment
    (and not that they have paid)."""
    plain = to_simplified(complaint)
    return bool(_TAG_RE["owes"].search(plain)) and not _TAG_RE["paid"].search(plain)


def gather_facts(complaint: str, classification: Classification) -> Facts:
    plain = to_simplified(complaint)
    specifics = extract_specifics(plain)
    # name the problem only when it fits the category (a fee complaint listing broken lifts is about fees)
    allowed = {classification.category.value}
    if classification.category is Category.service_attitude:
        allowed |= {"facilities", "security"}
    fitting = [label for label in problem_labels(plain) if LABEL_CATEGORIES.get(label, set()) & allowed]
    specifics = specifics.model_copy(update={"what": fitting[0] if fitting else None})
    specifics = _grounded_specifics(specifics, plain)
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


# ----------------------------------------------------------------------------------------------
# Facts with provenance (issue 13): what / where / when / who / how long / ongoing / done / demand,
# each with the span of the (Simplified, masked) complaint it comes from. A draft may state a
# specific only through these; ``summary`` phrases are written so that every specific they name is
# required by their own pattern (agent/guard/grounding.py would flag anything else).
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One fact of the complaint: ``kind`` (issue / where / duration / who / done / demand / status),
    the phrase a draft may use, and ``start``/``end`` into the Simplified masked complaint."""

    kind: str
    value: str
    start: int
    end: int
    detail: str = ""  # issue: its key; demand: its type; done: the body contacted

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "value": self.value, "span": [self.start, self.end],
                **({"detail": self.detail} if self.detail else {})}


@dataclass(frozen=True)
class IssueType:
    key: str
    pattern: str
    summary: str  # what a draft calls it (grounded by the pattern)
    category: str
    scope: str  # ours: the property company fixes it · shared: we act and a public body decides · outside
    who: str = ""  # who decides when it is not ours
    action: str = ""  # what we do about it (act stage)


# order: more specific first; a complaint usually names 1–4 of them
ISSUE_TYPES: tuple[IssueType, ...] = (
    IssueType("gas", r"(燃气|煤气|天然气).{0,4}(泄漏|泄露|漏气|味)", "燃气泄漏的隐患", "facilities", "ours", "",
              "已经请工程部和燃气公司一起到场排查"),
    IssueType("trapped", r"困在电梯|电梯.{0,10}(困|关)[^，。]{0,4}(人|住|里)|电梯.{0,60}(困人|被困)", "电梯困人的事", "facilities", "ours", "",
              "已经请电梯维保单位和工程部一起查清这台电梯的故障原因和救援为什么不及时"),
    IssueType("lift_noise", r"电梯.{0,20}(噪音|噪声|响声|分贝)", "电梯运行噪音", "facilities", "ours", "",
              "会请电梯维保单位做一次噪音检测，查清原因后整改"),
    IssueType("lift", r"电梯.{0,12}(坏|故障|停运|停用|关停|维修|维保|年检|异响|抖|掉|停了|不能用|没法用|泡水|进水|隐患)|(坏|停).{0,4}电梯",
              "电梯的问题", "facilities", "ours", "", "已经请工程部联系电梯维保单位到场检查，查清原因后定出维修方案和工期"),
    IssueType("commercial", r"住改商|商住|改成.{0,8}(商|店|驿站|办公|公司|仓库)|住宅.{0,10}(酒店|宾馆|民宿|公寓式)|"
              r"(酒店|宾馆|民宿|旅馆).{0,10}(营业|经营|开设)|(住宅|住房|房子|家里|楼上|楼下|隔壁).{0,10}开.{0,6}(酒店|宾馆|民宿|棋牌|麻将)",
              "住宅被改作经营用途", "neighbor", "shared", "城管、市场监管等执法部门",
              "会去现场核实，先上门劝阻，并把情况整理成书面材料报给执法部门"),
    IssueType("group_rental", r"群租|隔断.{0,6}出租|隔成.{0,10}(出租|租)|二房东|(住|租)了?[十几二三四五六七八九\d]+个人",
              "群租的问题", "neighbor", "shared", "社区和公安等部门",
              "会去现场核实，先约房东当面沟通，并把情况报给社区和派出所"),
    IssueType("illegal_build", r"违建|违章(搭建|建筑)|私搭|乱搭|乱建|加建|扩建|私自.{0,6}(搭|建|改|拆|砌)|破坏.{0,4}(结构|承重)|拆.{0,4}承重",
              "搭建和改建的问题", "security", "shared", "城管执法部门",
              "会去现场核实，下发书面整改通知，劝阻不听的报给城管执法部门"),
    IssueType("construction_noise", r"(施工|工地|挖掘机|挖土机|打桩|渣土|搅拌).{0,30}(噪|吵|扰民|分贝|睡)|(噪|吵|扰民).{0,30}(施工|工地|挖土|打桩)",
              "施工噪音扰民", "environment", "outside", "城管和环保部门",
              "会把施工时间、噪音情况记录下来，报给城管和环保部门，请他们到场执法"),
    IssueType("business_noise", r"(商铺|门面|餐馆|饭店|酒吧|KTV|广场舞|夜宵|烧烤|菜市场|超市|培训|麻将|棋牌).{0,30}(噪|吵|扰民|音响|喇叭|深夜|凌晨|笙歌|打扰)",
              "经营和活动的噪音", "environment", "shared", "城管和环保部门",
              "会去和经营方当面沟通，请他们控制时间和音量，劝阻无效的报给城管部门"),
    IssueType("fumes", r"油烟|排烟|烟道", "油烟的问题", "environment", "shared", "环保和市场监管部门",
              "会去现场核实排烟情况，要求商户整改，整改不到位的报给环保部门"),
    IssueType("punitive", r"物业.{0,8}(强行|擅自|私自)?.{0,4}(停水|停电|断水|断电|关水|限电|限水|锁门|锁闸|拉闸)|"
              r"强行.{0,12}(停水|停电|断水|断电|关水|限电|限水)|(停水|停电|断水|断电).{0,6}(威胁|逼|催缴|不交)",
              "物业停水停电的做法", "service_attitude", "ours", "",
              "已经报给项目经理，要求先恢复正常供水供电，再查清这样做的依据和经过"),
    IssueType("labor", r"辞退|开除|拖欠.{0,4}工资|不支付.{0,6}工资|工资|劳动合同|加班费|社保", "员工劳动待遇的问题", "other",
              "outside", "劳动监察部门", "会请公司人事部门核实情况，依照劳动法规处理，并配合劳动监察部门的调查"),
    IssueType("leak", r"漏水|渗水|滴水|渗漏|返水|水管.{0,3}(爆|裂|破)|爆管", "漏水的问题", "facilities", "ours", "",
              "已经安排工程部师傅上门查看漏水点，查清原因后定维修方案"),
    IssueType("stalls", r"占道经营|摆摊|摊贩|夜宵摊|地摊", "占道经营的问题", "environment", "shared", "城管部门",
              "会去现场劝导摊主，清理占道的摊位，屡劝不改的报给城管部门"),
    IssueType("lighting", r"路灯|照明|灯.{0,4}(不亮|没亮|坏|黑)", "照明的问题", "facilities", "ours", "",
              "已经安排工程部检查照明线路和灯具，坏了的尽快修复"),
    IssueType("water_power", r"停水|停电|断水|断电|没水|没电|水压|变压器|供电|供水|售电|购电|买电", "供水供电的问题", "facilities", "ours", "",
              "已经请工程部查清供水供电的情况，需要供水供电单位配合的，由我们去联系"),
    IssueType("defect", r"开裂|裂缝|质量问题|反水|反臭|(瓷砖|墙皮|外墙).{0,4}(脱落|掉)|偷工减料|设计(缺陷|不合理)|钢化玻璃|电表箱|地基.{0,4}(下沉|沉降)",
              "建筑质量的问题", "facilities", "shared", "开发商",
              "会先安排工程部到现场查看、拍照取证，属于保修范围的，书面督促开发商限期维修"),
    IssueType("fire_safety", r"消防(设施|设备|栓|系统|管道|水|通道|车道)|灭火器|烟感|喷淋", "消防设施的问题", "facilities", "ours", "",
              "已经安排工程部对消防设施逐项检查，查出的问题列清单限期整改"),
    IssueType("parking_ownership", r"(车库|车位).{0,12}(产权|归属|卖|出售|转让|租|所有权|只租不售)|(产权|归属).{0,8}(车库|车位)",
              "车库车位的归属和使用", "other", "outside", "开发商和住建部门",
              "会把车位的权属资料和收费依据整理出来，向开发商和住建部门问清楚"),
    IssueType("parking", r"停车|车位|乱停|车库", "停车管理的问题", "security", "ours", "",
              "已经请秩序维护部把停车秩序重新理顺"),
    IssueType("fees", r"物业费|管理费|收费|乱收|多收|水电费|停车费|涨价|调价|缴费|收据|发票", "收费的问题", "fees", "ours", "",
              "已经请财务同事把收费依据和明细整理出来，逐项核对"),
    IssueType("fund", r"维修基金|维修资金|专项资金", "维修资金的使用", "other", "shared", "业主大会和住建部门",
              "会把维修资金的使用程序和账目情况整理出来，向业主公开"),
    IssueType("owners_committee", r"业委会|业主委员会|业主大会|筹备组", "业委会和业主大会的事", "other", "outside",
              "街道和社区", "会配合街道和社区的指导，按规定提供需要物业配合的资料"),
    IssueType("handover", r"(新|老|原|前期)物业|更换物业|选聘|交接|不撤|拒不退出|退场|撤场", "新老物业交接的问题", "other", "shared",
              "街道和住建部门", "会配合街道、住建部门和业委会办好交接，交接期间日常服务不断档"),
    IssueType("developer", r"开发商|交房|收房|房产证|不动产证|办证|产权证|降价|延期交付|精装|质保|保修期|售楼|公摊|土地年限|按揭|房贷|利率|虚假宣传", "涉及开发商的事", "other",
              "outside", "开发商", "会把您反映的情况整理成书面材料送交开发商"),
    IssueType("school", r"学位|入学|划片|上学|就读|读书|招生", "孩子上学的问题", "other", "outside", "教育部门",
              "会把大家的意见整理好，反映给街道和教育部门"),
    IssueType("court", r"法院|起诉|判决|仲裁|诉讼|律师", "涉及诉讼的事", "other", "outside", "法院",
              "会配合有关部门提供物业这边掌握的情况和资料"),
    IssueType("road", r"市政道路|修路|公交|红绿灯|人行道|断头路|(配套)?道路.{0,8}(未|没|不|迟迟)(修|通|建|交付)|马路", "小区外道路和市政设施的问题", "other", "outside",
              "市政和交通部门", "会把情况整理好反映给街道和市政部门，并跟进他们的答复"),
    IssueType("planning", r"规划|容积率|采光|日照|遮挡|退界|绿地率", "规划上的问题", "other", "outside", "规划部门",
              "会把大家的意见整理好，向开发商和规划部门反映"),
    IssueType("demolition", r"拆迁|征收|安置(?!小区|房|区)|回迁", "征收安置的问题", "other", "outside", "征收部门",
              "会把大家的意见整理好反映给街道"),
    IssueType("garbage", r"垃圾", "垃圾的问题", "environment", "ours", "",
              "已经请保洁主管调整清运安排，并到现场查看"),
    IssueType("hygiene", r"卫生(?!间)|脏乱|保洁|打扫|清洁|污水|臭", "环境卫生的问题", "environment", "ours", "",
              "已经请保洁主管到现场查看，把清扫安排落实下去"),
    IssueType("green", r"绿化|草坪|树木|砍树|苗木", "绿化的问题", "environment", "ours", "",
              "已经请绿化班组到现场查看"),
    IssueType("pets", r"狗|宠物|猫", "养宠物的问题", "neighbor", "ours", "",
              "会安排管家上门提醒养宠物的住户文明养宠"),
    IssueType("neighbor_noise", r"楼上.{0,10}(吵|噪|响)|邻居.{0,10}(吵|噪)|装修.{0,10}(吵|噪|声)", "邻里噪音", "neighbor", "ours", "",
              "会安排管家上门和相关住户沟通"),
    IssueType("security", r"保安|门禁|外来人员|陌生人|偷|盗|治安|监控", "小区安全管理的问题", "security", "ours", "",
              "已经请秩序维护部主管核实情况，加强巡查和门岗管理"),
    IssueType("hot_water", r"暖气|供暖", "供暖的问题", "facilities", "ours", "",
              "已经请工程部查清供暖的情况"),
    IssueType("network", r"宽带|网络|信号|光纤|有线电视", "网络和通信的问题", "other", "shared", "通信运营商",
              "会联系运营商一起查看，把进展告诉您"),
    IssueType("facility", r"坏了|损坏|维修|报修|年久失修|老化|破损|故障", "设施维修的问题", "facilities", "ours", "",
              "已经安排工程部到现场查看，查清原因后定维修方案"),
    IssueType("service", r"物业.{0,12}(不作为|不管|不理|置之不理|推诿|敷衍|态度|不负责|未见处理|没有处理|不处理|失职|乱作为|霸道)|"
              r"(管理|服务).{0,4}(混乱|太差|很差|差劲|不到位)|态度(恶劣|很差|差)",
              "物业的管理和服务", "service_attitude", "ours", "",
              "已经报给项目经理，由他牵头查清之前为什么没有处理好"),
)
_ISSUE_RE = [(t, re.compile(t.pattern)) for t in ISSUE_TYPES]
_BY_KEY = {t.key: t for t in ISSUE_TYPES}
# issues that make another one redundant when both are found
_SUBSUMES = {"lift_noise": {"lift"}, "trapped": {"lift"}, "construction_noise": {"business_noise"},
             "parking_ownership": {"parking"}, "leak": {"facility"}, "lift": {"facility"}, "lighting": {"facility"},
             "water_power": {"facility"}, "punitive": {"water_power"}, "fire_safety": {"facility"}, "defect": {"facility", "leak"}, "garbage": {"hygiene"},
             "hot_water": {"facility"}, "commercial": {"group_rental"} }

_DONE = (
    (r"(多次|几次|反复|一再|屡次|好几次|三番五次|一直).{0,6}(找|联系|反映|投诉|报修|打电话)", "多次反映"),
    (r"(找|联系|反映给|投诉|告诉|报给|打电话给).{0,4}物业|物业.{0,8}(不管|不理|置之不理|推诿|不作为|未见处理|没有处理|无果|没人管)", "找过物业"),
    (r"12345|市长热线|市民热线|热线", "打过热线"),
    (r"(找|反映|投诉|报给|联系).{0,6}(社区|街道|居委会|城管|住建|房管|派出所|环保)", "找过有关部门"),
    (r"报警|110", "报过警"),
    (r"报修", "报修过"),
)
_DONE_RE = [(re.compile(p), label) for p, label in _DONE]
_DEMANDS = (
    ("apology", r"道歉|赔礼"),
    ("compensation", r"赔偿|补偿|赔付|损失.{0,6}(谁|承担|负责)|要求赔"),
    ("refund", r"退(还|回)?.{0,4}(费|钱|款)|减免|免除.{0,4}费"),
    ("replace", r"更换物业|换物业|撤换|解聘|清退.{0,4}物业|另选|重新.{0,12}选聘"),
    ("punish", r"查处|严惩|追责|问责|处罚|取缔|依法处理"),
    ("information", r"公示|公开|给.{0,2}说法|答复|解释|说明|是否合法|合法吗|合规吗|依据|为什么|凭什么|请问|到底"),
    ("fix", r"解决|处理|整改|修好|维修|恢复|协调|帮忙|希望"),
)
_DEMAND_RE = [(key, re.compile(p)) for key, p in _DEMANDS]
_ONGOING = re.compile(r"至今|一直|仍然|仍未|依然|还在|还是|目前|现在|每天|天天|每晚|持续|迟迟|到现在|始终|照样|不减反增")
# the person a vulnerable-people word stands for (a draft says 残疾人, not 残疾)
_PERSON = {"残疾": "残疾人", "怀孕": "孕妇", "老年人": "老人", "行动不便": "行动不便的人", "病人": "病人"}
_VULNERABLE = re.compile(r"老人|孩子|小孩|孕妇|怀孕|婴儿|残疾|病人|行动不便|老年人|小朋友|学生")
_MANY = re.compile(r"(?<![\d])[\d一二三四五六七八九十百千几上]+[多余]?(户(?!型)|家(?!具)|位业主|名业主|个业主|人)|全体业主|整栋|整个小区|全小区|广大业主|业主们|居民们")
# how long the PROBLEM has lasted: after 拖了/长达/持续/至今…, or a span followed by 了/之久/都没/一直…
# ("这几年房价涨得快", "去年一整年的物业费", "设计寿命8年，已经用了12年" are not how long it lasted)
_SPAN_UNIT = r"[0-9一二三四五六七八九十两半几多]{1,3}(?:个多月|多个月|个月|年多|多年|年|天|周|个星期)"
_SPAN_CUE = re.compile(
    rf"(?:长达|持续了?|拖了快|拖了|前后拖了|至今已经|至今已|至今)({_SPAN_UNIT})"
    rf"|(?:已经|已|快|将近|整整)?({_SPAN_UNIT})(?:了|之久|都没|还没|一直|多了|仍|依然|未|没有|都不|迟迟)")


def _title(plain: str) -> str:
    """Real posts start with a one-line title ending in 。 / ？ followed by a space."""
    head = re.match(r"^[^。？！?!\n]{4,60}[。？！?!]", plain)
    return head.group(0) if head else plain[:60]


def extract_facts(complaint: str) -> list[Fact]:
    """Every fact of a (masked) complaint with its span in the Simplified text (computed once per
    complaint: the situation, the grounding check and the stored draft set all read them)."""
    return list(_extract_facts(complaint or ""))


@lru_cache(maxsize=256)
def _extract_facts(complaint: str) -> tuple[Fact, ...]:
    plain = to_simplified(complaint or "")
    facts: list[Fact] = []
    title = _title(plain)
    found: list[tuple[float, IssueType, re.Match[str], bool]] = []
    for issue, pattern in _ISSUE_RE:
        hits = list(pattern.finditer(plain))
        if not hits:
            continue
        first = hits[0]
        in_title = bool(pattern.search(title))
        if not in_title and len(hits) < 2 and found:  # a passing mention is not an issue of its own
            if issue.scope != "ours" or len(plain) > 200:
                continue
        score = len(hits) + (4 if in_title else 0) - first.start() / max(len(plain), 1)
        if not found or all(first.start() < f[2].start() for f in found):
            score += 1.5  # a letter usually opens with what matters most
        found.append((score, issue, first, in_title))
    keys = {f[1].key for f in found}
    redundant = set().union(*(_SUBSUMES.get(k, set()) for k in keys)) if keys else set()
    for _score, issue, m, in_title in sorted((f for f in found if f[1].key not in redundant), key=lambda f: -f[0]):
        named = _worded(issue, plain)
        if named is not None:
            facts.append(Fact("issue", named.summary, m.start(), m.end(), issue.key + ("+title" if in_title else "")))
    for pattern, label in _DONE_RE:
        m = pattern.search(plain)
        if m:
            facts.append(Fact("done", label, m.start(), m.end(), m.group(0)))
    for key, pattern in _DEMAND_RE:
        m = pattern.search(plain)
        if m:
            facts.append(Fact("demand", key, m.start(), m.end(), key))
    m = _SPAN_CUE.search(plain)
    if m and not re.search(r"(怀孕|孕|岁|宝宝|孩子|出生|生活了?|住了|居住|入住|工作了?|使用|周期|寿命|保修|合同|租期|签了?)[^，。]{0,3}$",
                           plain[max(0, m.start() - 8):m.start()]):
        group = 1 if m.group(1) else 2
        facts.append(Fact("duration", m.group(group), m.start(group), m.end(group)))
    m = _VULNERABLE.search(plain)
    if m:
        facts.append(Fact("who", m.group(0), m.start(), m.end(), "vulnerable"))
    m = _MANY.search(plain)
    if m:
        facts.append(Fact("who", m.group(0), m.start(), m.end(), "many"))
    m = _ONGOING.search(plain)
    if m:
        facts.append(Fact("status", "ongoing", m.start(), m.end()))
    where = _BUILDING_TOKEN.search(plain)
    if where:
        facts.append(Fact("where", where.group(0), where.start(), where.end()))
    return tuple(facts)


_BUILDING_TOKEN = re.compile(r"(?<![A-Za-z0-9０-９])[0-9一二三四五六七八九十]{1,3}(?:号楼|栋|幢)")


# a post written to officials (title line, 领导/有关部门), however short, is answered as a letter
_LETTER = re.compile(r"^[^。？！\n]{4,60}[。？！]\s|有关部门|相关部门|领导|政府|书记|市长")


@dataclass(frozen=True)
class Situation:
    """The structured view of a complaint the letter drafter writes from (all grounded)."""

    issues: tuple[IssueType, ...]
    facts: tuple[Fact, ...]
    demands: frozenset[str]
    done: tuple[str, ...]
    duration: str | None
    vulnerable: str | None
    many: bool
    ongoing: bool
    against_property: bool
    long: bool  # a long written complaint (a letter), not a chat message

    @property
    def primary(self) -> IssueType | None:
        return self.issues[0] if self.issues else None


_WATER_WORD = re.compile(r"停水|断水|关水|限水|没水|没有水|水压|供水")
_POWER_WORD = re.compile(r"停电|断电|限电|拉闸|锁闸|没电|没有电|售电|购电|买电|变压器|供电")
_CUT_WATER = re.compile(r"停水|断水|关水|限水")  # what a punitive cut is called in the owner's words
_CUT_POWER = re.compile(r"停电|断电|限电|拉闸|锁闸")


_GENERAL_ACTION = "会先到现场把情况核实清楚，再定处理办法"


def _worded(issue: IssueType, plain: str) -> IssueType | None:
    """The issue as a draft may name it: water and power issues in the owner's own words (停水
    alone is not 停水停电); an issue whose name would state a specific the complaint does not
    (噪音 for 夜夜笙歌) is left out, an action that would is replaced by a general one."""
    from agent.guard.grounding import ungrounded_phrase

    named = _supply_words(issue, plain)
    if ungrounded_phrase(named.summary, plain):
        return None
    if ungrounded_phrase(named.action, plain):
        named = replace(named, action=_GENERAL_ACTION)
    return named


def _supply_words(issue: IssueType, plain: str) -> IssueType:
    if issue.key not in ("punitive", "water_power"):
        return issue
    if issue.key == "punitive":
        water, power = _CUT_WATER.search(plain), _CUT_POWER.search(plain)
        if not (water or power):  # 锁门 / 锁闸 only: name no cut the owner did not mention
            return replace(issue, summary="物业的这种做法",
                           action="已经报给项目经理，要求先恢复正常使用，再查清这样做的依据和经过")
        words = "".join(m.group(0) for m in (water, power) if m)
        restore = "供水供电" if water and power else "供水" if water else "供电"
        return replace(issue, summary=f"物业{words}的做法",
                       action=f"已经报给项目经理，要求先恢复正常{restore}，再查清这样做的依据和经过")
    water, power = _WATER_WORD.search(plain), _POWER_WORD.search(plain)
    supply = "供水供电" if (water and power) or not (water or power) else "供水" if water else "供电"
    return replace(issue, summary=f"{supply}的问题", action=f"已经请工程部查清{supply}的情况，需要{supply}单位配合的，由我们去联系")


def situation_of(complaint: str, classification: Classification) -> Situation:
    """The structured view of a complaint; only its classified category is read (computed once per
    complaint and category: drafting, retrieval and citations all ask for it)."""
    return _situation(complaint or "", classification.category.value)


@lru_cache(maxsize=256)
def _situation(complaint: str, cat: str) -> Situation:
    facts = extract_facts(complaint)
    plain = to_simplified(complaint)
    worded = [(f.detail.endswith("+title"), _worded(_BY_KEY[f.detail.removesuffix("+title")], plain))
              for f in facts if f.kind == "issue"]
    found = [(title, issue) for title, issue in worded if issue is not None]
    # the title names the primary issue; among equals the classification's category decides
    ranked = [i for _t, i in sorted(found, key=lambda x: not x[0])][:3]  # stable: score order otherwise
    if len(ranked) > 1 and not found[0][0] and ranked[1].category == cat and ranked[0].category != cat \
            and cat not in ("other", "service_attitude"):
        ranked[0], ranked[1] = ranked[1], ranked[0]  # no title to go by: the classification breaks the tie
    issues = [i for _t, i in found]
    one = lambda kind, detail=None: next((f for f in facts if f.kind == kind and (detail is None or f.detail == detail)), None)  # noqa: E731
    return Situation(
        issues=tuple(ranked), facts=tuple(facts),
        demands=frozenset(f.detail for f in facts if f.kind == "demand"),
        done=tuple(f.value for f in facts if f.kind == "done"),
        duration=(one("duration").value if one("duration") else None),
        vulnerable=(_PERSON.get(one("who", "vulnerable").value, one("who", "vulnerable").value)
                    if one("who", "vulnerable") else None),
        many=one("who", "many") is not None,
        ongoing=one("status") is not None,
        against_property="service" in {i.key for i in issues} or bool(re.search(r"物业.{0,6}(不管|不作为|置之不理|推诿|没有处理|未见处理|态度)|态度(恶劣|很差|极差|差)", plain)),
        long=len(plain) >= 100 or bool(_LETTER.search(plain)),
    )
