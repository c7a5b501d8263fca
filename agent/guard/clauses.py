"""Who speaks, to whom, about whom: the clause-level reading of a reply that runs before a rule hit
is accepted (docs/guardrails.md § "Clause analysis").

A policy rule finds words (“不同意”, “到城管反映”, “4栋110号”); this module decides whether those words
are the replier's own act towards the owner:

* **quoted** — inside 《…》 or “…” / 「…」 (a document title, someone else's words);
* **agent** — the last subject before the hit in its sentence: the replier (我们/我局/本公司…),
  the owner (您/你/该业主…) or a third party (开发商/施工方/少数业主/有居民/该公司…); other people's
  acts and words (“少数业主私自毁绿”, “该公司承诺…”) are narrated, not the replier's;
* **hypothetical** — the clause is a condition (如/若/如果/一旦 …);
* **favourable** — a decision in the owner's favour (不予收取滞纳金, 免收, 不再收取 …);
* **substantive** — the reply gives a real answer (findings, actions done, dates) beyond a hand-off;
* **number kinds** — a private mobile vs a department landline / hotline / 12345 / masked number,
  a count, a work order or certificate; the complainant's own unit or a shop vs a third party's home.

``excuse(category, …)`` is the one place that turns these readings into "this hit does not count";
it returns the reason (for tests and ``--misses``) or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.guard.text import Prepared

_QUOTES = re.compile(r"《[^》]{0,80}》|“[^”]{0,80}”|「[^」]{0,80}」|『[^』]{0,80}』|\"[^\"\n]{0,80}\"")

_REPLIER = r"(?:我们|我局|我司|我办|我委|我单位|我中心|我部门|我所|我处|我区|本局|本公司|本中心|本单位|管理处|我(?![们国市省区县]))"
_OWNER = r"(?:您|你(?!们单位)|该业主|业主您|来信人|留言人|网友)"
_THIRD = (
    r"(?:(?:(?<![没沒])有|部分|少数|个别|其他|其余|多名|几名|一些|少量|多位|该|此|相关|涉事|对方)(?:的)?"
    r"(?:居民|业主|住户|商户|群众|市民|村民|人员|人|户|租户|店主|商家|用户|老人)"
    r"|开发商|开发单位|开发公司|建设单位|建设方|施工单位|施工方|施工队|承建方|供电公司|供水公司|自来水公司|燃气公司|电力公司"
    r"|该公司|该企业|该单位|该店|该项目|对方|楼上(?:住户|业主|邻居)?|楼下(?:住户|业主|邻居)?|邻居|隔壁(?:住户|业主)?"
    r"|(?:(?:(?![我本您你])[\u4e00-\u9fff]){1,8}(?<!物业)(?<!服务)(?:公司|集团|中队|大队|执法队|派出所|局|委员会|办事处))"
    r"(?=(?:已|已经|于|在|曾|也|均|表示|称|承诺|回复|答复|认为|负责|拒绝|决定|未|没|不)))"
)
_SUBJECT = re.compile(f"(?P<third>{_THIRD})|(?P<owner>{_OWNER})|(?P<replier>{_REPLIER})")
_HYPOTHETICAL = re.compile(r"^(?:\s*)(?:如|若|如果|假如|倘若|要是|一旦|如若|万一|凡|对于)(?!何|此|实|期|今|下)")
_FAVOURABLE = re.compile(
    r"不(?:予|再)(?:收取|收|征收|追缴|追究|处罚|罚款|计收|加收)|免(?:收|除|交|缴)|(?:滞纳金|违约金|罚款)[^。]{0,6}(?:免|不收|不予)"
)
_FINDINGS = re.compile(
    r"经(?:查|核|核实|核查|调查|了解|现场|实地|排查|检测|协调|审查|审核|研究)|经[^,，。]{1,8}?(?:协调|调查|核实|核查|排查)|已(?:于|经)?(?:督促|责令|要求|安排|完成|维修|修复|整改|约谈|组织|派|处理|更换|清理|拆除|恢复|解决|召开|对)"
    r"|将于|预计|计划于|\d{1,2}月\d{1,2}日|下一步|具体情况如下|回复如下"
)
_MEASURES = re.compile(r"修建|新建|增设|设置|安装|加装|更换|拆除|维修|修复|清理|疏通|硬化|铺设|改造|划定|配备|整改方案")
_TRANSFER = re.compile(r"转(?:交|给|至|到|办|送|相关)|移交|交由|转市|转区|转县")

# the replier's own commitment: a sentence where the replier (or a report of what was already done) acts
# with a concrete time, a tracking number or a named person ("我今天下班前问下主任…明天上午给您回话")
_TIME = re.compile(
    r"今天|今日|今晚|今早|明天|明日|明早|明晚|后天|当天|本周|这周|下周|周[一二三四五六日天末]|星期[一二三四五六日天]"
    r"|上午|下午|中午|晚上|傍晚|早上|下班前|\d{1,2}:\d{2}|(?<!第)[一二两三四五六七八九十\d]+(?:点|时)(?!间|候)"
    r"|\d{1,2}月\d{1,2}[日号]|[一二两三四五六七八九十半\d]+个?(?:小时|分钟|天|个?工作日)(?:内|之内|以内)|马上|立即|立刻"
)
_TRACKING = re.compile(r"工单|单号|编号|受理号|转办号")
_NAMED = re.compile(r"(?:职员|同事|专员|负责人|主管|经理|师傅|主任|班长|管家)[\u4e00-\u9fff]?|[\u4e00-\u9fff](?:小姐|女士|主管|经理|师傅|主任|班长|管家)")
_REPLIER_ACTS = re.compile(_REPLIER + r"|(?:物业|客服|服务)中心|物业公司|秩序员|维修|师傅|管家|(?<![您你])已(?:经|于)?")
# the hit is the object of the replier's help, not a directive: "协助您报警", "帮您打12345登记"
_HELPS_BEFORE = re.compile(r"(?:帮|协助|陪同|陪|替|代|带|为|给)(?:您|你)?$")
_THANKS_BEFORE = re.compile(r"(?:谢谢|感谢|多谢)(?:您|你)?$")
# the owner's own earlier words or acts, narrated ("您反映的…", "您询问…", "您说保安…", "您于6月2日投诉…")
_OWNER_REPORTED = re.compile(
    r"(?:您|你|阁下)(?:于[^,，。]{0,10})?(?:所)?(?:刚才|之前|上次|上周|昨天|昨晚)?"
    r"(?:反映|询问|投诉|咨询|问到|提到|提出|留言|来电|来信|说|讲|话|申请)(?!的)"  # "您说的这个…": a topic, not narration
)
_ALTERNATIVE = re.compile(r"也(?:可以|可|能)|权利|(?:^|[,，])(?:如|若|如果|必要时|万一|以后|今后|下次|再次|再)|如[^,，。]{0,8}再")
_CHANNEL = re.compile(r"12345|110|热线|报警|报案|警方|民警")
_SCOPE = re.compile(r"属于|范围|职责|职能|管辖|做不了|说了不算|决定不了|负责的|不参与|不介入|不插手|只负责")
_OWN_ACTION = re.compile(_REPLIER + r"(?:这边|这里)?(?:已|已经|会|将|马上|立即|今天|明天|正在|可以|可)(?:[^。!?]{0,8})"
                         r"(?:把|将|安排|联系|协调|协助|帮|陪|反映|报送|上报|转达|登记|跟进|出面|核实|处理|约)")
_CONCESSION = re.compile(r"^(?:虽然|虽|尽管|即使)")
_EVIDENCE = re.compile(r"视频|录像|监控|照片|相片|材料|登记表|资料|片段|证据|清单|名单|表格|记录")
# another party's words reported ("物业公司表示…会继续加强巡查", "物业答复保证…"): narrated, not the replier's
_REPORTED_SPEECH = re.compile(
    r"(?:公司|物业|开发商|单位|部门|施工方|局|街道|社区|中心|业主|居民|住户|负责人|经理|对方|其)"
    r"(?:也|已|均|当场|现场|一直|仍)?(?:表示|称|声称|承诺|答复|回复称|说明|认为|坚持)"
)
_NARRATED = re.compile(r"(?:也|已|均|当场|现场|书面)?(?:表示|称|声称|承诺|答应|保证|同意)")
_THIRD_OBJECT = re.compile(r"对(?:其|该|他|她|他们|对方|涉事|违建|违法)")

# numbers
_MASKED = re.compile(r"^[0*x×]+(?:[- ][0*x×]+)*$|^\d{0,4}[- ]?[0*x×]{4,}$")
_ORG_CONTEXT = re.compile(
    r"(?:客服|热线|服务|中心|值班|报修|投诉|举报|咨询|办公|管理处|物业|监察|大队|中队|部门|局|办|所|站|委|政府|街道|社区|公司|营业厅|门店|网点|医院|学校|银行)"
)
_PRIVATE_CONTEXT = re.compile(
    r"(?:业主|住户|邻居|楼上|楼下|对门|隔壁|租户|房东|先生|女士|小姐|阿姨|大爷|他|她|其|对方|本人|个人|私人|家里|家人|老婆|老公|爱人)"
    r"[^,，。;；]{0,6}(?:的)?(?:手机|电话|号码|联系方式|座机|微信|固话)"
)
# "服务中心电话:0571-…" right before the number: the office's line, whoever is named earlier in the sentence
_ORG_LABEL = re.compile(r"(?:客服|热线|服务中心|客服中心|值班|管理处|办公室|前台|物业)(?:电话|座机|专线)?[:：(（\s]*$")
_COUNT_AFTER = re.compile(r"^(?:户|人|名|位|个|辆|台|部|套|间|栋|幢|平方|平米|㎡|m|米|元|万|亿|年|月|日|号线|次|天|小时|分钟|余|多|家|处|条|项|件|份|张|吨|公里|千米|%)")
_COUNT_BEFORE = re.compile(r"(?:共|共有|共计|合计|约|近|多达|总计|涉及|累计|其中|第|达|有)$")
_COMMERCIAL = re.compile(r"(?:门面|门店|商铺|商户|店铺|网点|营业厅|商业|广场|写字楼|办公楼|超市|银行|中国移动|中国电信|中国联通|药店|餐馆|饭店|酒店|公司|学校|幼儿园|会所|地下室|负\d?层|车库)")
_OWN_UNIT = re.compile(
    r"(?:您|你|阁下)(?:家|所在|居住|所住|住的|的房|的房子|的住房|购买|买的|名下|是|住|住在|住喺)|(?:来信人|留言人|网友|本人)"
)
# "尊敬的8栋1单元1201室业主" / "致…室业主" / "关于…室业主…的回复": the reply's addressee
_ADDRESSEE_BEFORE = re.compile(r"(?:尊敬的|致|亲爱的|^关于)$")
_ADDRESSEE_AFTER = re.compile(r"^(?:的)?(?:业主|户主|住户|业户|居民)")
# "跟您确认一下：地址是…" / "…1203，对吧？": the owner's details read back for confirmation
_CONFIRM_BEFORE = re.compile(r"(?:确认|核对)(?:一下)?[^。!?]{0,12}$")
_CONFIRM_AFTER = re.compile(r"^[^。!?]{0,40}(?:对吗|对吧|是吧|是吗|对不对|是不是|冇错吧|啱唔啱)")
_THIRD_HOME = re.compile(r"(?:业主家|住户家|邻居|楼上|楼下|对门|对面|隔壁|那户|这户|那家|这家|户主|家中|住户|业主)")
# "…302业主的儿子，叫…", "1202孔乙己先生家", "…为唐振华先生": a named third party's home
_THIRD_PERSON_AFTER = re.compile(
    r"^(?:室|号|房)?(?:的)?(?:业主|住户|户主)?(?:的)?(?:儿子|女儿|老人|家人|租客|[\u4e00-\u9fff]{1,3}(?:先生|女士|阿姨|大爷|小姐)|叫|姓|为[\u4e00-\u9fff]{2,3})"
)


@dataclass
class Analysis:
    prep: Prepared
    quotes: list[tuple[int, int]] = field(default_factory=list)
    _subjects: list[tuple[int, int, str]] = field(default_factory=list)

    # -- readings ----------------------------------------------------------------------------
    def quoted(self, start: int, end: int) -> bool:
        return any(s < start and end <= e for s, e in self.quotes)

    def agent(self, start: int, end: int | None = None) -> str | None:
        """``replier`` / ``owner`` / ``third``: the last subject mentioned before ``start`` in its sentence."""
        ss, _ = self.prep.sentence(start)
        found = None
        for s, _e, kind in self._subjects:
            if s > start:
                if end is not None and s < min(end, start + 4) and kind in ("owner", "replier"):
                    return kind  # the owner / replier named at the head of the hit ("责任您得担着")
                break
            if s >= ss:  # a subject opening the hit itself counts ("您自己去找他")
                found = kind
        return found

    def first_subject(self, start: int, end: int) -> str | None:
        """The first subject inside ``[start, end)`` (a learned hit's sentence)."""
        for s, _e, kind in self._subjects:
            if start <= s < end:
                return kind
        return None

    def owner_mentioned_before(self, start: int) -> bool:
        ss, _ = self.prep.sentence(start)
        return any(kind == "owner" and ss <= s <= start for s, _e, kind in self._subjects)

    def third_subject_of_hit(self, start: int) -> bool:
        """A third party is the direct subject of the hit's verb (“有几位业委会委员反对…”)."""
        cs, _ = self.prep.clause(start)
        return any(kind == "third" and cs <= s and e <= start and start - e <= 4 for s, e, kind in self._subjects)

    def third_opens_hit(self, start: int) -> bool:
        """The hit starts inside / right after a third-party subject (“系楼上住户装修时破坏…”)."""
        return any(kind == "third" and s <= start <= e for s, e, kind in self._subjects)

    def hypothetical(self, start: int) -> bool:
        cs, _ = self.prep.clause(start)
        if _HYPOTHETICAL.search(self.prep.norm[cs:start + 1]):
            return True
        # "如业主对华安公司的服务不满意" : the condition can start one clause earlier in the sentence
        ss, _ = self.prep.sentence(start)
        head = self.prep.norm[ss:start]
        return bool(re.match(r"\s*(?:如|若|如果|假如|倘若|要是|一旦)", head)) and "则" not in head and "，" not in head[-2:]

    def favourable(self, start: int, end: int) -> bool:
        cs, ce = self.prep.clause(start)
        return bool(_FAVOURABLE.search(self.prep.norm[cs:max(ce, end)]))

    def concrete_measures(self, start: int) -> bool:
        """The sentence names concrete measures (build, install, replace …) next to the hedge."""
        ss, se = self.prep.sentence(start)
        return len(_MEASURES.findall(self.prep.norm[ss:se])) >= 2

    def referral_with_contact(self, start: int) -> bool:
        """A pointer to another body that gives its phone / address (after a real answer)."""
        ss, se = self.prep.sentence(start)
        return bool(re.search(r"电话|联系方式|地址|热线|窗口", self.prep.norm[ss:se]))

    def substantive(self, sentences: int = 2, min_chars: int = 80, besides: tuple[int, int] | None = None) -> bool:
        """A real answer beyond a hand-off: findings / actions / dates in ``sentences`` sentences
        without a transfer; a hit ``besides`` = (start, end) inside one sentence does not count its own."""
        prep = self.prep
        if len(prep.norm) < min_chars:
            return False
        own = prep.sentence(besides[0]) if besides else None
        if besides and own != prep.sentence(besides[1] - 1):
            own = None  # a hit across sentences has no own sentence
        hits = 0
        for ss, se in zip(prep.sentence_starts, prep.sentence_ends, strict=True):
            sentence = prep.norm[ss:se]
            if (ss, se) != own and _FINDINGS.search(sentence) and not _TRANSFER.search(sentence):
                hits += 1
        return hits >= sentences

    def commitment(self, after: int = 0) -> bool:
        """The replier commits to something concrete (a time, a tracking number, a named person) in a
        sentence ending after ``after``: an honest escalation or a referral beside our own action."""
        prep = self.prep
        for ss, se in zip(prep.sentence_starts, prep.sentence_ends, strict=True):
            if se <= after:
                continue
            sentence = prep.norm[ss:se]
            if _REPLIER_ACTS.search(sentence) and (_TIME.search(sentence) or _TRACKING.search(sentence)):
                return True
        return False

    def helped(self, start: int) -> bool:
        cs, _ = self.prep.clause(start)
        return bool(_HELPS_BEFORE.search(self.prep.norm[max(cs, start - 3):start]))

    def thanked(self, start: int) -> bool:
        cs, _ = self.prep.clause(start)
        return bool(_THANKS_BEFORE.search(self.prep.norm[max(cs, start - 4):start]))

    def owner_reported(self, start: int, end: int, past_ok: bool = False) -> bool:
        """The hit sits in a clause that narrates what the owner said or did (“您说保安态度很差”)."""
        cs, _ = self.prep.clause(start)
        norm = self.prep.norm
        if re.search(r"属于|归|不是|不在", norm[start:end]):  # "您反映的问题属于…纠纷": a scope claim
            return False
        if past_ok and re.match(r"过(?!来|去)", norm[end:end + 2]) and re.match(r"(?:您|你)", norm[start:end]):
            return True  # "您跟他们说过一次": what the owner already did
        lo = max(cs, start - 8)
        return any(lo + m.start() <= start + 4 and not re.search(r"(?:请|建议|可以|可|需要|应|得|要|让|劝|跟|和|给|向|对|帮|替)$", norm[max(0, lo + m.start() - 3):lo + m.start()])
                   for m in _OWNER_REPORTED.finditer(norm[lo:end]))

    def alternative_channel(self, start: int, end: int) -> bool:
        """A hotline / police pointer offered as a right or for next time, beside our own action."""
        ss, se = self.prep.sentence(start)
        sentence = self.prep.norm[ss:se]
        if not _CHANNEL.search(sentence) or "自己" in self.prep.norm[ss:end]:
            return False
        police = bool(re.search(r"报警|报案|110", self.prep.norm[start:end]))
        return (police or bool(_ALTERNATIVE.search(sentence))) and self.commitment()

    def scope_with_action(self, start: int, end: int) -> bool:
        """“不属于我局职责 / 这事我做不了主” followed by the replier's own concrete action."""
        if not _SCOPE.search(self.prep.norm[start:end]):
            return False
        return self.commitment(after=start) or self.own_action_after(start)

    def own_action_after(self, start: int) -> bool:
        """A later sentence where the replier acts itself (not a hand-off: "已上报…转送相关单位")."""
        prep = self.prep
        for ss, se in zip(prep.sentence_starts, prep.sentence_ends, strict=True):
            if se <= start:
                continue
            sentence = prep.norm[max(ss, start):se]
            if _OWN_ACTION.search(sentence) and not _TRANSFER.search(sentence):
                return True
        return False

    def conceded(self, start: int) -> bool:
        """“虽然…属业主自行处理范围，但…我们已安排…”: a conceded clause, the sentence goes on to our action."""
        cs, _ = self.prep.clause(start)
        ss, se = self.prep.sentence(start)
        return bool(_CONCESSION.match(self.prep.norm[cs:start + 1].lstrip())) and "但" in self.prep.norm[start:se] \
            and (self.own_action_after(start) or self.commitment(after=start))

    def hypothetical_with_help(self, start: int) -> bool:
        """“如证实是楼上责任，我们可协助您们商讨”: a condition, and we offer our own help."""
        ss, se = self.prep.sentence(start)
        return self.hypothetical(start) and bool(_OWN_ACTION.search(self.prep.norm[start:se]))

    def transfer_followed(self, start: int, end: int) -> bool:
        """A transfer with a tracking number, a named person, evidence handed over, or our own commitment."""
        ss, se = self.prep.sentence(start)
        sentence = self.prep.norm[ss:se]
        cs, _ = self.prep.clause(start)
        return bool(
            _TRACKING.search(self.prep.norm)
            or _NAMED.search(self.prep.norm[end:se])
            or _EVIDENCE.search(self.prep.norm[cs:start])
            or (_REPLIER_ACTS.search(sentence) and _TIME.search(sentence))
            or self.commitment(after=start)
            or len(self.prep.norm) - se >= 200  # a full answer follows the transfer
        )

    def reported_speech(self, start: int) -> bool:
        ss, _ = self.prep.sentence(start)
        return bool(_REPORTED_SPEECH.search(self.prep.norm[ss:start]))

    def narrates_third_party(self, start: int, end: int) -> bool:
        """A learned hit's sentence reports what a third party said or committed to ("开发公司承诺于
        10月底前…", "楼下商户表示…"): an official reply's account, not the replier's own promise."""
        norm = self.prep.norm
        return any(kind == "third" and start <= s and e <= end and _NARRATED.match(norm, e)
                   for s, e, kind in self._subjects)

    def directive_to_owner(self, start: int, end: int) -> bool:
        """The hit itself tells the owner what to do ("建议您…", "请业主…", "您去…")."""
        return bool(re.search(r"(?:请|建议|劝)(?:您|你|业主|阁下)|^(?:您|你)", self.prep.norm[start:end]))

    def owner_is_object(self, start: int, end: int) -> bool:
        """“保安跟您说话的语气确实不对”: the owner is spoken to, the words judged are someone else's."""
        norm = self.prep.norm
        return bool(re.match(r"(?:您|你)", norm[start:end])) and start > 0 and norm[start - 1] in "跟和对给向"

    def third_object(self, start: int) -> bool:
        cs, _ = self.prep.clause(start)
        return bool(_THIRD_OBJECT.search(self.prep.norm[cs:start]))

    def owner_stance(self, start: int, end: int) -> bool:
        """The owner is the subject of the refusal word (“我明白您不接受这个方案”)."""
        return bool(re.search(r"(?:明白|理解|知道|清楚|听到|了解)(?:您|你)(?:还|仍|暂时|目前)?(?:不|没|无法|难以)",
                              self.prep.norm[max(0, start - 8):end]))

    def number_kind(self, start: int, end: int) -> str:
        """mobile | landline | hotline | masked | org | count | room_commercial | room_own | room_third | room"""
        norm = self.prep.norm
        value = norm[start:end]
        digits = re.sub(r"\D", "", value)
        if digits and _MASKED.match(re.sub(r"[^\d*x×-]", "", value) or value) or re.fullmatch(r"0+", digits or "1"):
            return "masked"
        if re.fullmatch(r"(?:400|800)\d{7}|12345|1234\d|95\d{3,4}|96\d{3,4}|110|119|120|122", digits):
            return "hotline"
        cs, ce = self.prep.clause(start)
        ss, se = self.prep.sentence(start)
        before, after = norm[max(ss, start - 16):start], norm[end:min(se, end + 8)]
        if _COUNT_AFTER.match(after) or _COUNT_BEFORE.search(before):
            return "count"
        if re.fullmatch(r"1[3-9]\d{9}", digits):
            return "mobile"
        if re.fullmatch(r"0\d{9,11}", digits):
            if _PRIVATE_CONTEXT.search(norm[ss:start]) and not _ORG_LABEL.search(norm[max(ss, start - 12):start]):
                return "landline"
            return "org"
        if re.search(r"(?:您|你|阁下)(?:是|住|住在|住喺)$", norm[max(ss, start - 4):start]):
            return "room_own"
        near = norm[max(ss, start - 16):start]
        named_after = _THIRD_PERSON_AFTER.match(norm[end:se])  # "…1202的刘女士…对吧": a named neighbour
        if not named_after and (_CONFIRM_BEFORE.search(norm[max(ss, start - 24):start]) or _CONFIRM_AFTER.match(norm[end:se + 1])):
            return "room_own"
        if _THIRD_HOME.search(near[-8:]) or named_after:
            return "room_third"
        if _OWN_UNIT.search(norm[max(ss, start - 24):start]) and not _THIRD_HOME.search(near):
            return "room_own"
        if _ADDRESSEE_AFTER.match(norm[end:end + 4]) and _ADDRESSEE_BEFORE.search(norm[max(ss, start - 4):start]):
            return "room_own"
        if _COMMERCIAL.search(norm[max(ss, start - 30):start]) or _COMMERCIAL.search(norm[end:min(ce, end + 6)]):
            return "room_commercial"
        if any(_COMMERCIAL.search(norm[max(0, m.start() - 30):m.start()])  # the same unit named a shop earlier
               for m in re.finditer(re.escape(value), norm[:start])):
            return "room_commercial"
        if _THIRD_HOME.search(norm[max(ss, start - 12):min(se, end + 12)]):
            return "room_third"
        return "room"


def analyse(prep: Prepared) -> Analysis:
    cached = prep.cache.get("analysis")
    if cached is None:
        a = Analysis(prep)
        a.quotes = [m.span() for m in _QUOTES.finditer(prep.original)]
        a._subjects = [(m.start(), m.end(), m.lastgroup or "") for m in _SUBJECT.finditer(prep.norm)]
        cached = prep.cache["analysis"] = a
    return cached


# categories whose words must be the replier's own act towards the owner
_SPEECH_ACTS = {"arguing", "blaming", "refusing", "disrespect", "overpromising", "grudging_apology", "buck_passing"}
# a third party as the subject excuses only these: an apology, a sneer or a promise on someone else's behalf
# is still the replier's own tone ("该业主无理取闹", "他们肯定给您赔")
_THIRD_EXCUSABLE = {"blaming", "refusing", "buck_passing"}
# arguing: a third party excuses the hit only as the speaker of it (reported speech, above); a rebuttal
# about a third party's conduct ("该会所是按审批的图纸建的", "不存在欺骗购房人的问题") is still our rebuttal


# the replier clearing the owner of fault ("这不是您的错") — the opposite of arguing or blaming,
# unless a turn ("但/可是/不过") takes it back in the same sentence
_EXCULPATES = re.compile(r"(?:不是|并非|并不是)(?:您|你|您們|你們|您们|你们)的(?:错|錯|问题|問題|责任|責任)|不怪(?:您|你)|(?:您|你)(?:没有|没|沒有|沒)(?:错|錯|做错|做錯)"
                         r"|(?:不能|怎么能|怎麼能)怪(?:您|你)")
_TURN = re.compile(r"但|可是|不过|不過|只是")


# a sentence that is nothing but a plain apology for the trouble caused ("您好,非常抱歉给您带来了困扰。"):
# the learned layer may score it as grudging for its words alone; grudging needs a "but", a condition or a tone
_PLAIN_APOLOGY = re.compile(
    r"^(?:[^,，。!?！？]{0,12}(?:您好|你好)[!！,，]?)?(?:我们|我)?(?:非常|十分|真的|真诚地?|实在|再次)?(?:很)?"
    r"(?:抱歉|对不起|深表歉意)[,，]?(?:给您|让您|给大家|让大家)(?:带来|造成)?了?(?:很多|诸多)?(?:的)?"
    r"(?:不便|困扰|麻烦|久等)了?[。!！]?$"
)


def excuse(category: str, rule_id: str, analysis: Analysis, start: int, end: int) -> str | None:
    """Why a rule hit on ``[start, end)`` does not count, or None when it stands. Learned hits
    (``learned.<category>``, a whole sentence) go through the same readings."""
    if category == "pii_leak":
        if rule_id in ("pii_leak.mobile", "pii_leak.landline", "pii_leak.phone_in_context", "pii_leak.room"):
            kind = analysis.number_kind(start, end)
            if kind in ("masked", "hotline", "org", "count", "room_commercial", "room_own"):
                return f"number:{kind}"
        return None
    if category in ("arguing", "blaming") and rule_id.startswith("learned."):
        said = analysis.prep.norm[start:end]
        if _EXCULPATES.search(said) and not _TURN.search(said):
            return "clears_the_owner"
    if category == "grudging_apology" and rule_id.startswith("learned.") \
            and _PLAIN_APOLOGY.match(analysis.prep.norm[start:end].strip()):
        return "plain_apology"
    if category in _SPEECH_ACTS:
        if analysis.quoted(start, end):
            return "quoted"
        who = analysis.first_subject(start, end) if rule_id.startswith("learned.") else analysis.agent(start, end)
        if category == "arguing" and rule_id != "arguing.formal_rebuttal" and who == "third" \
                and analysis.third_subject_of_hit(start):  # a formal denial is our own assertion
            return "third_party"
        if who == "third" and category in _THIRD_EXCUSABLE \
                and not (category in ("blaming", "arguing") and analysis.owner_mentioned_before(start)
                         and not analysis.third_opens_hit(start)) \
                and not (category == "buck_passing" and analysis.directive_to_owner(start, end)):
            return "third_party"
        if category in ("arguing", "refusing") and analysis.hypothetical(start):
            return "hypothetical"
        if category == "arguing" and analysis.owner_is_object(start, end):
            return "owner_is_object"
        if category in ("arguing", "refusing") and analysis.owner_stance(start, end):
            return "owner_stance"
        if category == "refusing" and analysis.third_object(start):
            return "third_party_object"
        if category in ("buck_passing", "blaming") and analysis.owner_reported(start, end, past_ok=category == "buck_passing"):
            return "owner_reported"
        if category == "buck_passing" and (analysis.helped(start) or analysis.thanked(start)):
            return "replier_helps"
        if category == "buck_passing" and analysis.alternative_channel(start, end):
            return "alternative_channel"
        if category in ("buck_passing", "refusing") and analysis.scope_with_action(start, end):
            return "scope_with_action"
        if category in ("buck_passing", "refusing") and analysis.conceded(start):
            return "conceded"
        if category == "buck_passing" and analysis.hypothetical_with_help(start):
            return "hypothetical_with_help"
        if category == "buck_passing" and (rule_id == "buck_passing.transfer_no_owner"
                                           or _TRANSFER.search(analysis.prep.norm[start:end])) \
                and analysis.transfer_followed(start, end):
            return "transfer_followed"
        if category == "refusing" and analysis.favourable(start, end):
            return "favourable_decision"
        if category == "buck_passing" and rule_id in ("buck_passing.transfer_no_owner", "learned.buck_passing") \
                and analysis.substantive():
            return "transfer_with_answer"
        if category == "buck_passing" and analysis.referral_with_contact(start) and analysis.substantive():
            return "referral_after_answer"
    if category in _SPEECH_ACTS | {"vague"} and analysis.reported_speech(start):
        return "reported_speech"
    if category in _SPEECH_ACTS and rule_id.startswith("learned.") and analysis.narrates_third_party(start, end):
        return "reported_speech"
    if category == "vague" and analysis.concrete_measures(start):
        return "concrete_measures"
    if category == "empty_thanks" and analysis.substantive(sentences=1, min_chars=50):
        return "closing_after_answer"  # thanks closing a reply that found or decided something
    if category == "vague" and analysis.substantive(besides=(start, end)):
        return "boilerplate_after_answer"  # "下一步将进一步加大…力度" after findings and actions
    return None
