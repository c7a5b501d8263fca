"""Reversible PII masking for owners' complaints (Simplified and Traditional).

``mask_pii`` replaces phone numbers, ID-card numbers, bank cards (Luhn-checked), plates, e-mails,
WeChat ids, QQ numbers, passport numbers, people's names and room numbers with placeholders such
as 〔电话1〕; the same value always gets the same placeholder, at every mention. ``unmask`` restores
them. Hotlines (400/800/95xxx/12345/110…), dates, times, amounts, counts (180户) and work-order
numbers are left alone: the model needs them and they identify no one.

Names are found in context, never from a surname character alone: a role or title word
(业主王建国, 管家李娜, 高书记, 邵姓领导), the owner's own words (我叫…, 联系人：…), a list of
signatories (联名签字：郑凯孙丽贺一鸣…), the first word of a post ("张伟：…"), a neighbour's
home (隔壁刘建国家), a person doing something ("张伟昨天找过你们"), a surname + 姓 + role
(蒋姓物业经理), a name in brackets after a person word (我（张伟）), a name next to a phone number, or
the surname alone of a name already masked (邵文清 … "邵回复说"). Also, in general: family and
workers (我婆婆刘桂兰, 保洁员何春燕), any role word ending in 员/长/师/工/主… (群主严丽华), 小周/老张
after a role or doing something, Hong Kong 陳生/黃太, what only a person is (王建国夫妇, 李秀英（女，62岁）,
孟庆华等人), a letter's addressee (尊敬的童国强：), the person reported (举报柴永胜), and a bare full
name where a person fits when no part of it is a word (由闫立伟领取). A candidate that is an
ordinary word — 业主解决这个问题, 业主车辆, 本人曾多次 — is refused by a dictionary check
(jieba's word list, read in Simplified for Traditional text: a common word that is not a person's
name is not a name); a "name" heading a business (金茂物业, 李记面馆) is the business's.
Some places say a person stands there even when the name is an ordinary word or no known name at all
(_standing_names): a chat's speaker (老刘：, 白云：), a person before their flat in brackets (江山（6-1-602）),
a labelled field (记录人：高明。), a dotted or unknown name after a cue (买买提·艾力, 扎西顿珠), and English
names (Mr Wong, "my name is …", "Regards, …"). Numbers read out (一三六，二二八七…, 湘A，五，八…, 三栋一二零四) are
masked as their kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from agent.understand import scan, script

# kind -> placeholder label
LABELS: dict[str, str] = {
    "phone": "电话",
    "id_card": "身份证",
    "bank_card": "银行卡",
    "passport": "护照",
    "plate": "车牌",
    "email": "邮箱",
    "wechat": "微信",
    "qq": "QQ",
    "name": "姓名",
    "room": "房号",
}
_LABEL_KIND = {label: kind for kind, label in LABELS.items()}
# labels as they look after a Traditional conversion, so unmask() works on converted text too
_LABEL_KIND.update({"電話": "phone", "身份證": "id_card", "車牌": "plate", "郵箱": "email", "房號": "room",
                    "銀行卡": "bank_card", "護照": "passport"})
PLACEHOLDER_RE = re.compile(
    r"〔(电话|電話|身份证|身份證|银行卡|銀行卡|护照|護照|车牌|車牌|邮箱|郵箱|微信|QQ|姓名|房号|房號)(\d+)〕")

_SURNAMES = (
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅高郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧"
    "曹彭曾萧蕭蔡潘田董袁于余叶葉蒋蔣杜苏蘇魏程吕呂丁沈任姚卢盧钟鍾姜崔谭譚陆陸汪范金石廖贾賈"
    "夏韦韋傅方邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔"
    "向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭"
    "焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂塗成苗谷盛曲翁冉骆駱蓝藍路游辛靳管"
    "柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁"
    "窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師仇栾欒隋商刁沙荣榮"
    "巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺阚闞荆荊凤鳳练練鄢蔺藺晁皮伏郦酈裘帅帥肖付阎閻谌諶揭"
    "盘盤粟禹匡廉冼湛邸郜蹇缑緱阙闕庹鞠訾"
    "白洪杭邰计計容闻聞厉厲戈栗冀郁逄钮鈕贲賁宓竺权權逯盖蓋桓燕储儲靖牧隗仰伊戎祖韶蓟薊宿晋晉封鄂蔚雍荀璩"
)
_COMPOUND = (
    "欧阳|歐陽|司马|司馬|诸葛|諸葛|上官|东方|東方|皇甫|慕容|令狐|公孙|公孫|夏侯|尉迟|尉遲|长孙|長孫|宇文|司徒|"
    # (the closed class of compound surnames; not 西门, 百里, 第五: everyday words first)
    "南宫|南宮|司空|澹台|澹臺|公冶|宗政|濮阳|濮陽|淳于|申屠|公羊|轩辕|軒轅|钟离|鍾離|闻人|聞人|呼延|端木|万俟|萬俟|"
    "赫连|赫連|拓跋|独孤|獨孤|完颜|完顏"
)
# (a look-ahead for the first character lets the engine skip ahead fast past the alternation of compounds)
_SUR_FIRST = "".join(sorted(set(_SURNAMES) | {c[0] for c in _COMPOUND.split("|")}))
_SUR = f"(?=[{_SUR_FIRST}])(?:{_COMPOUND}|[{_SURNAMES}])"
_SURNAME_SET = set(_SURNAMES)
_COMPOUND_SET = set(_COMPOUND.split("|"))
_HONORIFIC = "先生|女士|小姐|阿姨|太太|大爷|大爺|大妈|大媽|奶奶|爷爷|爺爺|叔叔|老师|老師|师傅|師傅|同志|姐|哥"
# titles after a surname: 高书记, 王局长, 李经理, 张管家 — a person named by role is still a person
_TITLE = (
    "书记|書記|局长|局長|副局长|县长|縣長|市长|市長|区长|區長|镇长|鎮長|乡长|鄉長|村长|村長|处长|處長|科长|科長|"
    "主任|经理|經理|总经理|總經理|董事长|董事長|队长|隊長|所长|所長|站长|站長|院长|院長|校长|校長|厅长|"
    "廳長|部长|部長|主席|老板|老闆|律师|律師|警官|管家|法官|医生|醫生|会计|會計|秘书|秘書|助理|专员|專員|组长|組長|"
    "班长|班長|领导|領導|姓领导|姓領導|姓男子|姓女子|姓业主|姓業主|姓经理|姓經理|姓保安|姓师傅|姓工作人员"
)
# characters that cannot be part of a name: a captured name is cut before the first of them
_NOT_NAME_CHARS = set(
    "的了是在住家和跟与與也都就又还還说說説要想从從今昨前这這那我你他她们們反投打来來去到给給被让讓啊呀吧呢"
    "物业業区區楼樓栋棟门門车車库庫电電梯水费費管群委会會面层層户戶号號室单單元及等、，,。：:；;！!？?"
    "找过過已曾将將把对對向为為于於因所以但而并並或即却卻则則仍亦乃皆便才很太最更挺非不没沒别別"
)
_NOT_NAME = {
    "高层", "高層", "万一", "萬一", "常常", "于是", "方便", "安全", "文明", "石头", "石頭", "白天", "全部",
    "明天", "明明", "时候", "時候", "和谐", "和諧", "管理", "成都", "车库", "車庫", "业主", "業主", "物业",
    "物業", "许可", "許可", "包工", "车胎", "車胎", "车主", "車主", "单元", "單元", "房子", "车位", "車位", "应该", "應該", "师傅", "師傅", "全家", "江边", "江邊",
    "陈情", "陳情",
}
_BOUNDARY_L = r"(?<![0-9A-Za-z])"
_BOUNDARY_R = r"(?![0-9A-Za-z])"
_NUM_ZH = "0-9一二三四五六七八九十"
_NAME_END = r"(?=[,，。.!！?？、;；:：\s]|$|业主|業主|本人|住|家|的|啊|呀|反映|投诉|投訴|说|說|説|打|在|电话|電話|手机|手機)"
# words before a name: roles, relations, the owner introducing themself, signatures
_NAME_CUE = (
    "我叫|名叫|叫做|本人|业主|業主|住户|住戶|户主|戶主|房东|房東|租户|租戶|管家|物业管家|物業管家|经理|經理|主任|委员|委員|"
    "成员|成員|书记|書記|局长|局長|法人代表|法人|股东|股東|负责人|負責人|联系人|聯繫人|聯絡人|投诉人|投訴人|举报人|舉報人|"
    "残疾人|殘疾人|名字是|名字叫|邻居|鄰居|隔壁|对门|對門|老公(?!司)|老婆|丈夫|妻子|儿子|兒子|女儿|女兒|"
    "母亲|母親|父亲|父親|保安|客服|师傅|師傅|员工|員工|同事|会长|會長|主席|代表|"
    # roles and titles before a full name: 法定代表人邹建华, 董事长龚志远, 报告人：彭国建
    "法定代表人|实际控制人|實際控制人|董事长|董事長|总经理|總經理|副主任|副局长|副局長|处长|處長|科长|科長|站长|站長|"
    "队长|隊長|所长|所長|院长|院長|校长|校長|老板|老闆|律师|律師|民警|警官|报告人|報告人|反映人|申请人|申請人|"
    # family and household: 我婆婆刘桂兰, 其女戴青, 老伴叫郭玉兰
    "婆婆|公公|老伴|爱人|愛人|外婆|外公|岳母|岳父|女婿|儿媳|兒媳|媳妇|媳婦|孙子|孫子|孙女|孫女|哥哥|姐姐|弟弟|妹妹|"
    "其女|其子|其妻|其夫|之女|之子|朋友|亲戚|親戚|租客|房客|住客|车主|車主|房主|屋主|业户|業戶|当事人|當事人|肇事者|"
    # workers on the estate: 保洁员何姐, 保安員陳大文, 维修工邹师傅
    "保安员|保安員|保洁员|保潔員|保洁|保潔|清洁工|清潔工|电工|電工|水电工|水電工|维修工|維修工|维修员|維修員|"
    "门卫|門衛|前台|司机|司機|网格员|網格員|楼长|樓長|管理员|管理員|职员|職員|包工头|包工頭|工程师|工程師|技术员|技術員|维修工程师|維修工程師|"
    # the person reported: 实名举报柴永胜私占绿地; the person who handled it: 经办人是管丽娟
    "实名举报|實名舉報|举报|舉報|控告|起诉|起訴|状告|狀告|经办人|經辦人|收款人|签收人|簽收人|办理人|辦理人|"
    "值班人|值班员|值班員|责任人|責任人|群主|快递员|快遞員|外卖员|外賣員|村民|居民|市民|主管|助理|家属|家屬|家长|家長|"
    "处理人|處理人|店员|店員|骑手|騎手|"
    # more of the family: 赵某的侄子赵小龙, 我表姐韦丽
    "侄子|侄女|外甥|外甥女|表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|嫂子|姐夫|妹夫|舅舅|姑姑|小姨"
)
# what follows a bare name when it is the subject of a sentence: "张伟昨天找过你们"
_NAME_ACTION = (
    "昨天|今天|前天|昨晚|刚才|剛才|上午|下午|晚上|早上|找过|找過|来过|來過|说过|說過|打过|打過|答应|答應|承诺|承諾|"
    "告诉|告訴|跟我|和我|让我|讓我|叫我|骂|罵|推|打人|威胁|威脅|收了|拿了"
)
# how a person keeps doing something: 冯建国多次在群里辱骂业主, 陳大文經常… — after a full name only
# (surname + two characters): a company's short name does the same (金茂多次失信)
_NAME_HABIT = (
    "多次|一直|经常|經常|总是|總是|竟然|居然|私自|擅自|曾经|曾經|从来|從來|仍然|拒绝|拒絕|拒不|辱骂|辱罵|殴打|毆打|"
    "声称|聲稱|表示|回复|回覆|要求|带人|帶人|强行|強行|负责|負責|态度|態度|本人|先后|先後|随即|隨即"
)
_ROOM_TAIL_STOP = "户戶人元块塊余餘多个個名辆輛台平米万萬年月日天岁歲次号線线条條位间間套层層%吨噸㎡不斤公度分秒"
_BUILDING = r"(?:栋|棟|幢|座|号楼|號樓|栋楼|棟樓)"
_ZONE = rf"(?:[{_NUM_ZH}]{{1,2}}期)?(?:[A-Za-z]\d{{0,2}}区|[A-Za-z]\d{{0,2}}區|[东西南北中東][区區])?"
_BNUM = rf"(?:第?[{_NUM_ZH}]{{1,3}}|[A-Za-z]\d{{0,2}})"
# several buildings before one room number: 5、6栋302
_BLIST = rf"(?:[{_NUM_ZH}]{{1,3}}、)*{_BNUM}"
# a range of rooms: 601-608, 601至608
_RANGE = r"(?:[-—~～至到]\d{3,4}(?:室|房|号房?|號房?|單位|单位)?)?"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PLATE_DASHED = _BOUNDARY_L + r"(?:[A-Z]{2,3}-\d{3,4}|\d{3,4}-[A-Z]{2,3})" + _BOUNDARY_R
# dashed: 12-3-501, 2-1-2单元1916, 16-923, B区16-923 (a last part of 3-4 digits; not 8-10点)
_ROOM_DASHED = (
    rf"{_ZONE}{_BOUNDARY_L}\d{{1,3}}(?:-\d{{1,3}}){{0,2}}-\d{{1,3}}(?:单元|單元)\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?"
    rf"|{_ZONE}{_BOUNDARY_L}\d{{1,3}}(?:-\d{{1,3}}){{0,2}}-\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?(?![0-9A-Za-z{_ROOM_TAIL_STOP}点點时時:]|：\d)")
# the province character a mainland plate starts with (楚: the anonymised province of public posts)
_PROVINCE = r"[京津沪滬渝冀豫云雲辽遼黑湘皖鲁魯新苏蘇浙赣贛鄂桂甘晋晉蒙陕陝吉闽閩贵貴粤粵青藏川宁寧琼瓊楚]"
# a character every match of these holds: a text without it is not scanned for them (most letters)
_NEEDS = {_EMAIL: "@", _PLATE_DASHED: "-", _ROOM_DASHED: "-"}

# (kind, priority, pattern, group holding the value). Higher priority wins an overlap of equal length.
_PATTERNS: list[tuple[str, int, re.Pattern[str], int]] = [
    ("email", 9, re.compile(_EMAIL), 0),
    # 18-digit (last may be X) or 15-digit ID numbers, optionally grouped 6-8-4 / 6-4-4-4
    ("id_card", 8, re.compile(
        _BOUNDARY_L + r"(?:\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{6}[ -]?\d{4}[ -]?\d{4}[ -]?\d{3}[\dXx]|\d{15})"
        + _BOUNDARY_R), 0),
    # an ID number with its middle hidden: 4301**********1234
    ("id_card", 8, re.compile(_BOUNDARY_L + r"\d{4,6}[*＊]{6,12}\d{3}[\dXx]" + _BOUNDARY_R), 0),
    # Hong Kong A123456(7) and Taiwan A123456789 identity cards
    ("id_card", 8, re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,2}\d{6}[(（][0-9A][)）]|[A-Z][12]\d{8}" + _BOUNDARY_R + ")"), 0),
    # bank cards: 16-19 digits (grouped in fours or not), Luhn-checked in _accept; any 12-19 digits after 卡号
    ("bank_card", 8, re.compile(_BOUNDARY_L + r"(?:\d{4}[ -]?){3}\d{4}(?:[ -]?\d{1,3})?" + _BOUNDARY_R), 0),
    ("bank_card", 9, re.compile(r"(?:卡号|卡號|银行卡|銀行卡|账号|賬號|帐号|帳號|账户|賬戶)(?:是|为|為)?[:：]?\s?"
                                r"(\d[\d -]{10,22}\d)" + _BOUNDARY_R), 1),
    ("passport", 8, re.compile(r"(?:护照|護照|通行证|通行證)(?:号码|號碼|号|號)?(?:是|为|為)?[:：]?\s?([A-Za-z]{1,2}\d{7,9})"
                               + _BOUNDARY_R), 1),
    ("passport", 6, re.compile(_BOUNDARY_L + r"[EeGg][A-Za-z]?\d{7,8}" + _BOUNDARY_R), 0),
    ("wechat", 8, re.compile(r"(?:微信|weixin|WeChat|wechat|VX|vx|Vx|V信|wx|WX|LINE|Line)\s?(?:号|號|id|ID)?(?:是|为|為)?[:：]?\s?"
                             r"([A-Za-z][-_A-Za-z0-9]{5,19})" + _BOUNDARY_R), 1),
    ("qq", 8, re.compile(r"(?:QQ|qq|Qq|扣扣)(?:号|號|号码|號碼)?(?:是|为|為)?[:：]?\s?([1-9]\d{4,11})" + _BOUNDARY_R), 1),
    ("phone", 7, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}" + _BOUNDARY_R), 0),
    # a mobile read out digit by digit (a call transcribed): 一三六，二二八七，零五四一
    ("phone", 7, re.compile(r"[一幺][三四五六七八九](?:[，,、\s]?[零〇一二三四五六七八九幺]){9}(?![零〇一二三四五六七八九幺])"), 0),
    # any number of seven or more digits read out (a landline 零七三一，八四五…, a Hong Kong 九一二三，四五六七,
    # a mobile misheard by a digit): no door, date or amount is read out so
    ("phone", 6, re.compile(r"(?<![零〇一二三四五六七八九十幺两百千万萬])[零〇一二三四五六七八九幺](?:[，,、 ]?[零〇一二三四五六七八九幺]){6,}"
                            r"(?![零〇一二三四五六七八九十幺两百千万萬])"), 0),
    ("phone", 6, re.compile(r"(?=[zZoOtTfFsSeEnN])(?i:\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)(?:[ ,-]+(?:zero|oh|one|two|three|four"
                            r"|five|six|seven|eight|nine)){6,}\b)"), 0),
    # a mobile number with its middle hidden: 189****5678, 138 **** 0000
    ("phone", 7, re.compile(_BOUNDARY_L + r"1[3-9]\d[ -]?(?:[*＊xX]{4}|\d{2}[*＊]{2}|[*＊]{2}\d{2})[ -]?\d{4}" + _BOUNDARY_R), 0),
    ("phone", 6, re.compile(
        _BOUNDARY_L + r"(?:\(0\d{1,3}\)\s?|（0\d{1,3}）\s?|0\d{2,3}[ -]?)(?:\d{7,8}|\d{3,4}[ -]\d{4})(?:(?:转|轉|-|ext\.?)\d{1,5})?"
        + _BOUNDARY_R), 0),
    # Taiwan mobiles 09xx-xxx-xxx (+886 9xx…), Hong Kong 8-digit numbers written 4+4
    ("phone", 7, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?886[ -]?9\d{2}|09\d{2})[ -]?\d{3}[ -]?\d{3}" + _BOUNDARY_R), 0),
    ("phone", 6, re.compile(_BOUNDARY_L + r"(?:(?:\+|00)?852[ -]?)?[569]\d{3} \d{4}" + _BOUNDARY_R), 0),
    # a bare 7-8 digit local number right after a phone word
    ("phone", 5, re.compile(r"(?:电话|電話|手机|手機|号码|號碼|联系|聯繫|聯絡|打|拨|撥)(?:是|为|為)?[:：]?\s?(\d{4}[ -]\d{4}|\d{7,8})"
                            + _BOUNDARY_R), 1),
    # anonymised or oddly written numbers after a phone word: 电话*****, 0731—0000-00000000
    ("phone", 5, re.compile(r"(?:电话|電話|手机|手機|号码|號碼|联系方式|聯繫方式|电话号码|電話號碼)(?:是|为|為)?[:：]?\s?"
                            r"([0-9*＊][0-9*＊—–\-]{5,24}[0-9*＊])"), 1),
    # stars alone (an anonymised number), but not a measure: ********米, ****平方
    ("phone", 4, re.compile(r"[*＊]{7,}(?![*＊米平元万萬㎡亩畝吨噸块塊公])"), 0),
    ("plate", 6, re.compile(
        _PROVINCE + r"[A-Za-z][·・.\s-]?[A-HJ-NP-Za-hj-np-z0-9]{4,5}[A-Za-z0-9挂掛学學警使领領港澳]"), 0),
    # a plate partly hidden by stars: 湘A*****H, 楚AT7***
    ("plate", 7, re.compile(
        _PROVINCE + r"[A-Za-z][·・.\s-]?[A-Za-z0-9]{0,4}[*＊]{2,}[A-Za-z0-9]{0,5}"), 0),
    # a plate read out character by character: 湘A，五，八，K，六，二
    ("plate", 6, re.compile(_PROVINCE + r"[A-Za-z](?:[，,、 ]?[A-Za-z0-9零〇一二三四五六七八九幺]){5,6}(?![A-Za-z0-9零〇一二三四五六七八九幺])"), 0),
    # plates written after 车牌 in any format (Taiwan ABC-5678, foreign plates), and the Taiwan format alone
    ("plate", 5, re.compile(r"(?:车牌|車牌)(?:号|號|号码|號碼)?(?:是|為|为|係)?[:：]?\s?((?:[\u4e00-\u9fff]{2,3}(?=[A-Za-z]\d))?[A-Za-z0-9][A-Za-z0-9·・. -]{3,9}[A-Za-z0-9])"
                            + _BOUNDARY_R), 1),
    ("plate", 4, re.compile(_PLATE_DASHED), 0),
    # Hong Kong / Taiwan flats: 第3座18樓C室, A棟12樓之3, 十二座十三樓A室, B座8樓E單位
    ("room", 5, re.compile(
        rf"第?[0-9A-Za-z{_NUM_ZH}]{{1,3}}(?:座|栋|棟|幢|号楼|號樓)[0-9{_NUM_ZH}]{{1,3}}(?:樓|楼|层|層)"
        rf"(?:之\d{{1,2}}|[A-Za-z0-9]{{1,2}}(?:室|單位|单位)(?![0-9一二三四五六七八九两兩]?[厅廳])|[A-Za-z](?![A-Za-z座栋棟幢区區]))"
    ), 0),
    # a floor and a lettered flat without the block: 19樓B室, 8楼C单位, 3樓A， (not 3楼2室1厅: a layout)
    ("room", 5, re.compile(
        rf"(?<![0-9A-Za-z{_NUM_ZH}])[0-9{_NUM_ZH}]{{1,3}}(?:樓|楼|层|層)[A-Za-z]\d{{0,2}}"
        rf"(?:室|單位|单位|房|(?=[，,。\s嘅的]|$))"), 0),
    ("room", 5, re.compile(r"地下[A-Za-z]\d{0,2}(?:室|單位|单位)"), 0),  # Hong Kong ground floor: 地下G室
    # building + (unit) + room: 5栋1单元1203(室), 五栋1603, d栋130, D2区3栋2806房, 3號樓2單元501, 2栋512房,
    # a lettered unit (12栋B单元1102), a unit called a door in the north (5号楼2门301)
    ("room", 5, re.compile(
        rf"{_ZONE}{_BNUM}(?:{_BUILDING}|号|號)(?:[{_NUM_ZH}]{{1,2}}|[A-Za-z])(?:单元|單元|门(?=\d)|門(?=\d))\s?(?:顶楼|頂樓|顶层|頂層)?\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?{_RANGE}(?![0-9{_ROOM_TAIL_STOP}])"
        rf"|{_ZONE}{_BLIST}{_BUILDING}\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?{_RANGE}(?![0-9{_ROOM_TAIL_STOP}])"), 0),
    # a room written with letters or by its floor: XY栋AB房间, B栋A室, B4栋顶楼
    ("room", 4, re.compile(
        rf"{_ZONE}(?:{_BNUM}|[A-Za-z]{{2,5}}){_BUILDING}(?:[A-Za-z0-9]{{1,5}}(?:室|房间|房間|房)(?![租子东東屋产產])|顶楼|頂樓|顶层|頂層)"), 0),
    # building + unit, building + floor: 一栋二单元, 5栋18楼, 12栋1楼, 2栋一楼, 2单元3楼 (not 5号楼3楼楼道: a public
    # place; not 3栋32层: three buildings of 32 floors)
    ("room", 4, re.compile(
        rf"{_ZONE}{_BNUM}{_BUILDING}[{_NUM_ZH}]{{1,2}}(?:单元|單元)(?!\d|[东西南北東]?[边邊]?(?:电梯|電梯|地基|楼道|樓道|大厅|大廳|门口|門口|楼下|樓下|楼梯|樓梯|的地基|进行|進行|外墙|外牆))"
        rf"|{_ZONE}{_BNUM}(?:栋|棟|幢|座|号楼|號樓)[{_NUM_ZH}]{{1,2}}(?:楼|樓)(?![楼樓道梯顶頂下上房层層面栋棟靠处處门門大外前后後旁边邊])"
        rf"|(?<![0-9{_NUM_ZH}])[{_NUM_ZH}]{{1,2}}(?:单元|單元)[{_NUM_ZH}]{{1,2}}(?:楼|樓|层|層)(?![楼樓道梯顶頂下上房层層面栋棟靠处處门門大外前后後旁边邊])"), 0),
    ("room", 5, re.compile(_ROOM_DASHED), 0),  # 12-3-501
    # a Taiwan door and floor: 7號89樓之2, 5號3樓
    ("room", 5, re.compile(r"(?<![0-9])\d{1,4}號\d{1,2}(?:樓|楼)(?:之\d{1,2})?(?![0-9梯道层層顶頂下上])"), 0),
    # a lettered door: B-1203, B1203室, 3栋B1203 (not 3栋12号: as often the building's lift No. 12)
    ("room", 5, re.compile(rf"(?<![0-9A-Za-z]){_ZONE}(?:{_BNUM}{_BUILDING})?[A-Za-z]\d{{0,2}}-?\d{{3,4}}(?:室|房|号房?|號房?)"
                           rf"|(?<![0-9A-Za-z]){_ZONE}{_BNUM}{_BUILDING}[A-Za-z]-?\d{{3,4}}(?![0-9A-Za-z{_ROOM_TAIL_STOP}])"
                           rf"|(?<![0-9A-Za-z])[A-Za-z]\d{{0,2}}-\d{{2,4}}(?=的|业主|業主|住户|住戶|室|房|[，,。\s在）)])"), 0),
    # a room alone: 1203室, 409房, 1506單位, 1702业主
    ("room", 5, re.compile(_BOUNDARY_L + r"\d{3,4}(?:室|房|單位)(?![间間租子东東屋产產])"), 0),
    # the first of a list of rooms counted as homes: 1101、1102、1201三户 (the rest: _every_mention)
    ("room", 4, re.compile(_BOUNDARY_L + r"(\d{3,4})(?=(?:[、，,和及与與]\d{3,4})*[、，,和及与與]\d{3,4}(?:室|房))"), 1),
    ("room", 4, re.compile(_BOUNDARY_L + r"(\d{3,4})(?:室|房|号|號)?(?=(?:[、，,和及与與]\d{3,4}(?:室|房|号|號)?)+"
                           r"(?:等|共|这|這)?[0-9两兩一二三四五六七八九十几幾]*(?:户(?!型)|戶(?!型)|家|套))"), 1),
    ("room", 4, re.compile(_BOUNDARY_L + r"(?<![有近约約共达達过過])(\d{3,4})(?=业主|業主|住户|住戶|户主|戶主|租户|租戶|房东|房東|的业主|的業主)"), 1),
    ("room", 5, re.compile(r"(?:住|住在|我家|楼上|樓上|楼下|樓下|隔壁|对门|對門|是|(?:我|他|她)(?:们|們|家)?(?:在|住)?|在)"
                           r"(\d{3,4})(?:(?=天天)|(?![0-9A-Za-z号號元块塊天年月日户戶人" + _ROOM_TAIL_STOP + "]|[.．/／-]\\d))"), 1),
    # a door read out digit by digit: 三零一, 一五零三 (a floor, 零, the door; not 二零二零年)
    ("room", 5, re.compile(r"(?<![零〇一二三四五六七八九十幺两])[一二三四五六七八九幺]{1,2}[零〇][一二三四五六七八九幺]"
                           r"(?![零〇一二三四五六七八九十幺两年月日号號天个個块塊元岁歲])"), 0),
    # a floor and its room: 二楼201, 1楼106号
    ("room", 5, re.compile(rf"(?<![0-9{_NUM_ZH}])[0-9{_NUM_ZH}]{{1,3}}(?:楼|樓|层|層)\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?(?![0-9{_ROOM_TAIL_STOP}])"), 0),
    # a door on a floor, with or without its building and unit: 3栋2单元5楼2号, 5楼东户, 2单元501, 7层702室
    ("room", 5, re.compile(
        rf"(?<![0-9{_NUM_ZH}A-Za-z]){_ZONE}(?:{_BNUM}{_BUILDING})?(?:[{_NUM_ZH}]{{1,2}}(?:单元|單元))?[0-9{_NUM_ZH}]{{1,3}}(?:楼|樓|层|層)"
        rf"(?:[0-9一二三四五六七八九]{{1,2}}(?:(?:号|號)房?|室)(?![间間]|[0-9一二三四五六七八九两兩]?[厅廳])|[东西南北中東](?:户|戶|套))"
        rf"|(?<![0-9{_NUM_ZH}A-Za-z栋棟幢座])[{_NUM_ZH}]{{1,2}}(?:单元|單元)\d{{3,4}}(?:室|房|号房?|號房?|單位|单位)?(?![0-9{_ROOM_TAIL_STOP}])"), 0),
    # a building, unit and floor: 9栋3单元18层
    ("room", 5, re.compile(rf"{_ZONE}{_BNUM}{_BUILDING}[{_NUM_ZH}]{{1,2}}(?:单元|單元)[{_NUM_ZH}]{{1,3}}(?:楼|樓|层|層)"
                           rf"(?![道梯顶頂下上房面靠处處门門大外前后後旁边邊])"), 0),
    # a home read out in words: 三栋一二零四, 二号楼五零三, 二十三栋，二单元，九零二 (a door of three or more digits)
    ("room", 5, re.compile(
        rf"(?=[0-9A-Za-z{_NUM_ZH}两第东西南北中東])(?:{_ZONE}{_BNUM}(?:{_BUILDING}|号|號)[，, ]?(?:[{_NUM_ZH}两]{{1,2}}(?:单元|單元)[，, ]?)?"
        rf"|(?<![{_NUM_ZH}两])[{_NUM_ZH}两]{{1,2}}(?:单元|單元)[，, ]?)(?:顶楼|頂樓)?"
        rf"[零〇一二三四五六七八九十幺两]{{3,5}}(?:室|房|号|號)?(?![零〇一二三四五六七八九十幺两百千楼樓层層{_ROOM_TAIL_STOP}])"), 0),
    # a door numbered within its building, closing a sentence: 建湘新村32栋4号。 (not 3栋12号电梯)
    ("room", 4, re.compile(rf"{_ZONE}{_BNUM}(?:栋|棟|幢)\d{{1,3}}(?:号|號)(?=[，,。；;\s)）]|$)"), 0),
    # a Taiwan floor and its door: 十二樓之三, 12樓之5
    ("room", 5, re.compile(rf"[0-9{_NUM_ZH}]{{1,3}}(?:樓|楼)之[0-9一二三四五六七八九十]{{1,2}}(?![0-9])"), 0),
    # a flat written in English: Flat 9C, unit 12B, flat 3-11-A, Building 5, room 2203, Room 602, No. 12 Lane 88
    ("room", 5, re.compile(
        r"(?=[BTFURASbtfuras])(?:(?:Building|Block|Tower|Bldg\.?)\s?[0-9A-Z]{1,3},?\s)?(?i:flat|unit|room|apt\.?|apartment|suite)\s?#?"
        r"\d{1,4}[A-Za-z]?(?:-\d{1,3})*(?:-[A-Za-z])?(?:,\s?No\.\s?\d{1,4}\s(?:Lane|Road|Street)\s\d{1,4})?(?![0-9A-Za-z])"), 0),
    # a lettered flat after "from" or "contact" (noise from 10C): a neighbour's flat named bare
    ("room", 4, re.compile(r"(?:from|contact)\s(\d{1,2}[A-H])(?![0-9A-Za-z])"), 1),
    # whatever is written after 房号：/门牌号： is a room: 房号：B3-1205
    ("room", 6, re.compile(r"(?:房号|房號|房间号|房間號|门牌号|門牌號|门牌|門牌)(?:是|为|為)?[:：]?\s?"
                           rf"([0-9A-Za-z{_NUM_ZH}][-—0-9A-Za-z{_NUM_ZH}栋棟幢座单元單元楼樓层層室号號]{{1,18}}[0-9A-Za-z室号號])"), 1),
    # an anonymised name: 李某, 梁某某 (never 某些, 某天 …)
    ("name", 4, re.compile(rf"(?<!某){_SUR}某{{1,2}}(?![些种種个個天处處位地时時项項事样樣件次方])"), 0),
]
# Speed on long letters: a pattern that starts with optional parts is tried at every character; a
# one-character look-ahead for what any match must start with lets the engine skip the rest at once.
# A room pattern of two alternatives that both open with a zone (optional parts), or one that opens with a
# look-behind, is still slow there: it is tried only where that character is (agent/understand/scan.py;
# measured faster for those only).
_ROOM_FIRST_RE = re.compile(f"[0-9A-Za-z{_NUM_ZH}第东西南北中東]")
_ROOM_START = f"(?={_ROOM_FIRST_RE.pattern})"
_NUMBER_START = r"(?=[0-9+(（])"
# (kind, priority, pattern, group holding the value, class of the characters a match starts with or None,
#  a character every match holds or "")
_SCANS: list[tuple[str, int, re.Pattern[str], int, re.Pattern[str] | None, str]] = [
    (kind, priority, re.compile(
        (_ROOM_START if room else
         _NUMBER_START if kind in ("phone", "id_card", "bank_card") and pattern.pattern.startswith(_BOUNDARY_L) else "")
        + pattern.pattern), group,
     _ROOM_FIRST_RE if room and ("|" + _ZONE in pattern.pattern or pattern.pattern.startswith("(?<![0-9")) else None,
     _NEEDS.get(pattern.pattern, ""))
    for kind, priority, pattern, group in _PATTERNS
    for room in [kind == "room" and pattern.pattern.startswith(("(?:[0-9", "第?", _BOUNDARY_L, "(?<![0-9"))]
]
# full-width digits and letters, and their half-width forms
_FULL_WIDTH_RE = re.compile("[０-９Ａ-Ｚａ-ｚ]")
_HALF_WIDTH = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
# numbers that must never be masked even if they look like a phone (hotlines)
_HOTLINE_RE = re.compile(r"^(?:400|800)\d{7}$|^95\d{3,6}$|^12\d{3}$|^1[12]\d$")
_WORK_ORDER_CTX = re.compile(
    r"(?:工单|工單|单号|單號|订单|訂單|编号|編號|流水号|流水號|报修号|報修號|型号|型號|车架|車架|发动机|發動機|序列|合同|工号|工號|WO|NO\.?)"
    r"\s*(?:号|號)?\s*[:：#]?\s*$", re.I)
# a mailbox of a role or a department (service@…, kefu@…) identifies no one
_ROLE_MAILBOX = re.compile(r"(?:service|info|admin|support|contact|kefu|office|help|feedback|complaints?|tousu|wuye|hr|"
                           r"no-?reply|webmaster|hotline)@", re.I)
_COMPANY_PHONE_CTX = re.compile(
    r"(?:物业|物業|客服|热线|熱線|服务|服務|公司|办公室|辦公室|值班室|前台|中心|管理处|管理處|售后|售後|投诉|投訴|举报|舉報)"
    # (… and its service line, its 24-hour duty phone: 物业服务热线：, 服务中心24小时值班电话：)
    r"(?:服务|服務|中心|24小时|24小時|值班|报修|報修|的){0,3}(?:电话|電話|号码|號碼|热线|熱線)(?:是|为|為)?[:：]?\s?$")
# what follows a shop's or a store room's address: 7栋106商铺, 2栋一楼杂屋, e栋二楼有个小商铺 — a business, not a home
_SHOP_AFTER = re.compile(r"(?:的|是|有个|有個|有一间|有一間|有间|有間)?小?(?:商铺|商鋪|门面|門面|店铺|店鋪|门店|門店|铺面|鋪面|"
                         r"店面|底商|商户|商戶)")
_HONORIFIC_RE = re.compile(f"(?:{_HONORIFIC})$")
_TITLE_RE = re.compile(f"(?:{_TITLE})$")
_ROOM_LIST_BEFORE = re.compile(r"(?<![0-9A-Za-z\-])(\d{3,4})(?:室|房)?[、及和与與]\s?$")
_ROOM_LIST_ITEM = re.compile(r"[、,，及和与與]\s?(?:" + _ZONE + _BNUM + _BUILDING + r")?\d{3,4}(?![0-9" + _ROOM_TAIL_STOP + r"])")


@dataclass
class Masked:
    """Masked text plus the mapping needed to reverse it (placeholder -> original, placeholder -> kind)."""

    text: str
    mapping: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[int, str]]:
    """Two- to four-character words of jieba's dictionary: word -> (frequency, part of speech)."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 3 and 2 <= len(parts[0]) <= 4:
                words[parts[0]] = (int(parts[1]), parts[2])
    return words


def warm_up() -> None:
    """Load the word list the name finder reads (≈ 0.5 s) now rather than in the first request that
    has a name-like word: a server warms up before it says it is ready."""
    _words()


@lru_cache(maxsize=65536)
def _entry(word: str) -> tuple[int, str] | None:
    """The word list's entry for ``word``, written in Simplified or Traditional (經常 reads as 经常)."""
    entry = _words().get(word)
    if entry is None and any(ord(ch) > 0x2fff for ch in word):
        simplified = script.to_simplified(word)
        if simplified != word:
            entry = _words().get(simplified)
    return entry


def _freq(word: str) -> int:
    """How often the word list has seen ``word`` (0: not a word)."""
    entry = _entry(word)
    return entry[0] if entry else 0


def _common_word(word: str, min_freq: int = 30, tags: frozenset[str] | None = None) -> bool:
    """An ordinary word (not a person's name) that people use often (of one of ``tags`` when given)."""
    entry = _entry(word)
    # jieba tags a few doubled words as names (谢谢): a doubled character is no surname + given name
    if not entry or (entry[1].startswith("nr") and word[:1] != word[1:2]) or entry[0] < min_freq:
        return False
    return tags is None or entry[1] in tags


def _verb(word: str) -> bool:
    """The word list has ``word`` as a verb, an adverb or a function word (关好, at any frequency)."""
    entry = _entry(word)
    return bool(entry) and entry[1] in _VERB_TAGS


def _is_person_name(word: str) -> bool:
    entry = _entry(word)
    return bool(entry) and entry[1].startswith("nr")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _luhn(digits: str) -> bool:
    from stdnum import luhn

    return luhn.is_valid(digits)


def _valid_id(digits: str) -> bool:
    from stdnum.cn import ric

    return ric.is_valid(digits)


# the last character of a place or an institution: 马王堆, 梅溪湖, 白沙洲 are no one's bare name
_PLACE_CHARS = set("堆湖山江河桥橋坡岭嶺洲塘湾灣园園村镇鎮街路道港岛島城府苑庄莊坪冲沖垸铺鋪店站场場口门門寺庙廟阁閣亭楼樓"
                   "馆館院所局厂廠区區县縣市省乡鄉州井坝壩湘岗崗墩滩灘渡寨屯田林")
# parts of speech of a word that says a person does something (组织, 一直, 对…) right after a name
_VERB_TAGS = frozenset({"v", "vn", "vd", "d", "p", "ad", "c"})
# parts of speech of a two-character word that cannot be a given name (多次, 解决, 已经 …)
_NOT_GIVEN_TAGS = frozenset({"m", "d", "p", "c", "r", "u", "q", "f", "t", "v", "vn", "ad", "y", "e", "z"})
# the cue, then maybe 叫/名叫/是 (老伴叫郭玉兰, 经办人是管丽娟); the longest cue first (保安员陈大文, not 保安 + 员陈)
_NAME_CUE_RE = re.compile("(?:" + "|".join(sorted(_NAME_CUE.split("|"), key=len, reverse=True))
                          + ")(?:叫做|名叫|叫|是|为|為)?[:：]?\\s?")
_LIST_CUE_RE = re.compile(r"(?:签名|簽名|签字|簽字|联名|聯名|落款|名单|名單|成员|成員|委员|委員)(?:如下|有|是|为|為)?[:：]\s?")
_HONORIFIC_PAT = re.compile("(" + _SUR + r"[\u4e00-\u9fff]{0,2}?(?:" + _HONORIFIC + "))")
# (not 领导们: a plural is nobody in particular; not 祝领导/谢领导: a wish or thanks to whoever reads;
# not 党领导: the Party leads, nobody named)
_TITLE_PAT = re.compile("(" + _SUR + r"(?:" + _TITLE + r"|[总總工](?![额額共体體是之计計部价價结結数數量费費算的监監站程作具厂廠资資人地期艺藝业業商])))(?![们們])")
# (opens with a plain character class so that the engine skips ahead fast; the value is one character before)
_HK_HONORIFIC = re.compile(f"(?<=[{_SURNAMES}])" + r"(?:[生太]|[sS]ir|SIR)(?=[,，。.!！?？、;；:：\s)）]|$|[说說説话話讲講投反打来來在也又都的同和跟係喺]|成日|日日|成晚|經常|经常|一直)")
_WISH_LEADER = re.compile(r"[祝谢謝党黨](?:领导|領導)")  # 祝/谢领导: a wish or thanks; 党领导: the Party leads
# an organisation, then a person speaking for it: 教育局赵文涛：
_ORG_NAME = re.compile(r"(?:局|委|办|辦|公司|物业|物業|街道|社区|社區|中心|派出所|管理处|管理處)(?=" + _SUR + ")")
_PLACE_END = set("城苑园園府庭湾灣郡邸居阁閣轩軒墅寓里村镇鎮区區路街巷楼樓厦廈湖山江河岛島港")
# the last character of a place (金茂府, 华润城); 轩, 山, 江 … end names as often (祁明轩, 王海山)
_PLACE_LAST = _PLACE_END - set("阁閣轩軒湖山江河")
_ACTION_RE = re.compile(f"(?:{_NAME_ACTION})")
_HABIT_RE = re.compile(f"(?:{_NAME_HABIT})")
_SENTENCE_START = "，。！？；,.!?;:：\n 、"
_SENTENCE_START_RE = re.compile(f"[{re.escape(_SENTENCE_START)}]")
_NAME_END_RE = re.compile(_NAME_END)
_ROOM_BEFORE_NAME = re.compile(r"(?:(?:单元|單元|栋|棟|座|幢|-)\d{3,4}(?:室|房|号房?|號房?|單位|单位)?|\d{3,4}(?:室|房)"
                               r"|[樓楼层層][A-Za-z]\d{0,2}(?:室|單位|单位)"
                               r"|(?<=我是)\d{3,4})[，,]?\s?")
_TITLE_WORD = re.compile(f"(?:{_TITLE})")
# a person named by surname and role: 蒋姓物业经理, 邵姓的值班领导
_SURNAME_ROLE = re.compile("(" + _SUR + "姓的?[\u4e00-\u9fff]{0,4}?(?:领导|領導|经理|經理|主任|保安|管家|师傅|師傅|"
                           "员工|員工|工作人员|工作人員|客服|男子|女子|业主|業主|负责人|負責人|人员|人員))")
# a contact signature: a name right before or after a phone number (or its anonymised stars)
_PHONE_LIKE = r"(?:(?<!\d)1[3-9]\d{9}(?!\d)|[*＊]{5,})"
_PHONE_THEN = re.compile(_PHONE_LIKE + r"[\s:：,，]?")
_THEN_PHONE = re.compile(r"[\s:：,，]?" + _PHONE_LIKE)
# a person word, then the name in brackets: 我（张三）, 我的丈夫（李四）
_BRACKET_CUE = re.compile(f"(?:我|{_NAME_CUE})[（(]")
_AFTER_SIGNATURE = re.compile(r"\d{4}年|\s*$|[，,。\s]")


# a person called by 小/老 + surname (管家小周, 老张家的狗, 小李说) — never these ordinary words
_FAMILIAR = re.compile(f"[小老][{_SURNAMES}]")
_FAMILIAR_WORDS = {
    "小时", "小時", "小区", "小區", "小路", "老路", "小车", "小車", "老车", "老車", "小米", "小于", "小於", "小康", "小高",
    "小包", "小金", "小石", "老年", "小方", "小段", "老毛", "老汤", "老湯", "小叶", "小葉", "小麦", "小麥", "小卫", "小衛",
    "小商", "小单", "小單", "老单", "老單", "小游", "小程", "老房", "小房", "小江", "老师", "老師", "小师", "老板", "小贺", "老成",
    "小明", "小华", "小華", "老万", "老萬", "小万", "小萬", "小伍", "老伍", "小秦", "老秦", "老农", "老農", "老区", "老區"}
_FAMILIAR_BEFORE = re.compile(
    r"(?:管家|前台|保安|保洁|保潔|师傅|師傅|同事|邻居|鄰居|物业|物業|客服|员工|員工|维修工|維修工|电工|電工|门卫|門衛|"
    r"楼长|樓長|网格员|網格員|经理|經理|[\u4e00-\u9fff][员員工长長师師管警]|叫我|喊我|称呼我|稱呼我|叫|是|找|问|問|\d)的?$")
# familiar words that are never a person, even after a role word (管家小区? 物业小时工)
_FAMILIAR_NEVER = {"小时", "小時", "小区", "小區", "小路", "老路", "小车", "小車", "老车", "老車", "小米", "小于", "小於",
                   "老年", "小商", "小单", "小單", "老单", "老單", "老房", "小房", "老师", "老師", "小师", "老板", "老区",
                   "老區", "老农", "老農"}
_FAMILIAR_AFTER = re.compile(
    r"$|[说說説讲講告回让讓叫帮幫也又还還却卻就都来來去跟和把给給，,。！!]|家(?![具电電里裡])|的(?:态度|態度|电话|電話|手机|手機)")


# the writer saying where they live, then their name: 我是8栋1903的褚丽萍
_I_AM_OF = re.compile(r"我是[0-9A-Za-z\-—零〇两" + _NUM_ZH + r"栋棟幢座号號楼樓单元單元室层層期区區]{1,16}的\s?")
# what follows 家 when it is no first given character: 王家的狗, 张家界, 李家村
_NOT_AFTER_JIA = set("里裡门門人属屬长長具电電庭乡鄉界口村园園店铺鋪中")
# (after a role word only: 管理員阿芬; never 阿姨, 阿婆 …)
_NICKNAME = re.compile(r"阿[\u4e00-\u9fff](?<![姨婆伯公叔嬸婶爸媽妈爷爺嫂哥姐妹弟])"
                       r"|阿?[A-Z][a-z]{1,12}(?: [A-Z][a-z]{1,12}){0,2}(?![A-Za-z])")  # (Nguyen Van An)
_SURNAME_PREPOSITIONS = set("于於余餘应應")  # (see _PREPOSITIONS)
# the characters of an address, never of a name: 号三栋
_ADDRESS_CHARS = set("栋棟幢座楼樓号號室单單元层層户戶区區期零一二三四五六七八九十")
# a note in brackets after a listed name: 伍建平（9栋1502）、邬红梅
_BRACKET_NOTE = re.compile(r"[（(][^（()）]{1,16}[）)]")
# the last character of a role word right before a surname: 群主严丽华, 快递员韩冬梅, 主委林振宏
_ROLE_END = re.compile(r"(?<=[\u4e00-\u9fff])[员員长長师師工主官头頭委](?=" + _SUR + ")")  # (not 人: 人车混行)
# what follows a person's name: a pause, or the person doing something
_PERSON_NEXT = re.compile(r"[,，。.!！?？、;；:：\s（(]|$|[说說説在把被将將给給叫让讓要也又还還都就已曾拒不没沒未一对對向跟和与與做是有去来來到用带帶]")
# where a bare full name may start: after a pause or a word that takes a person (由莫志华负责, 和蒙建新一起)
_ORG_OF = re.compile(r"(?:物业|物業|公司|部|处|處|科|社区|社區|开发商|開發商|居委会|居委會|业委会|業委會|街道|管理处|管理處|"
                     r"中心|队|隊|项目|項目)的")  # 物业的贝志成, 保安部的莫志华
_BARE_START = re.compile(r"[，,。.!！?？；;：:、\n 和与與跟找由让讓叫给給被及](?=" + _SUR + ")")
# what a business's name goes on with: 金茂物业, 李记面馆, 王氏牙科, 老王烧烤
_ORG_AFTER = re.compile(
    r"[记記氏]?(?:(?:物业|物業)(?![费費])|公司|集团|集團|地产|地產|置业|置業|小区|小區|花园|花園|酒店|餐厅|餐廳|超市|银行|銀行|医院|醫院|"
    r"学校|學校|幼儿园|幼兒園|大厦|大廈|广场|廣場|商场|商場|科技|建设|建設|面馆|麵館|饭店|飯店|药房|藥房|诊所|診所|"
    r"牙科|门诊|門診|便利店|超市|商行|车行|車行|中介|家政|装饰|裝飾|装修公司|装修队|裝修隊|教育|培训|培訓|文化|传媒|傳媒|"
    r"艺术|藝術|烧烤|燒烤|火锅|火鍋|小吃|餐馆|餐館|菜馆|菜館|茶餐厅|茶餐廳|酒家|酒楼|酒樓|粉店|面店|麵店|奶茶|便利|五金|"
    r"理发|理髮|美发|美髮|洗衣|干洗|乾洗|水果|生鲜|生鮮|快递|快遞|驿站|驛站|棋牌|麻将馆|麻將館|网吧|網吧|酒吧)")
# what follows only a person's name: 王建国夫妇, 李秀英（女，62岁）, 孟庆华等人
_PERSON_AFTER = re.compile(r"(?:夫妇|夫婦|两口子|兩口子|一家人|一家三口|等人|等三人|等两人|等兩人|"
                           r"[（(][男女][，,、)）]|[，,][男女][，,]\d{1,3}岁|[，,]\d{1,3}岁[，,])")


_ORG_CHARS = set("科办辦处處局部室所站队隊组組委厅廳院校馆館司副总總")
# surname characters that are also a preposition, 应 "should" or 连 "even" (当事人应拿的, 连草民都): no name starts
# with them, except a full name after a role word (_SURNAME_PREPOSITIONS: 于海涛, 应国栋)
_PREPOSITIONS = set("向于於和与與跟给給把被让讓从從往朝对對为為余餘应應连連")


def _given_char(text: str, k: int, first: bool) -> bool:
    """``text[k]`` can be a character of a given name (the first one when ``first``): not a function
    word or a building word — except 家 starting one (姚家豪, not 王家的狗, 张家界) and 栋/业 ending one
    (吳國棟, 曹建业, not 5栋3单元, 建业主)."""
    ch = text[k]
    if not ("\u4e00" <= ch <= "\u9fff") or (not first and ch in "姓"):
        return False
    if ch not in _NOT_NAME_CHARS:
        return True
    nxt = text[k + 1:k + 2]
    if first and ch == "家":
        return bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt not in _NOT_NAME_CHARS and nxt not in _NOT_AFTER_JIA
    return not first and ch in "栋棟业業" and not re.match(f"[0-9{_NUM_ZH}主委务務单單楼樓]", nxt)


def _name_at(text: str, i: int, list_mode: bool = False, cued: bool = False) -> int | None:
    """End of a person's name starting at ``i`` (surname + one or two given characters), or None.
    ``cued``: a role or label word stands right before, so the text before ``i`` is no part of a word
    with the surname, and only a frequent word of the surname and the next character refuses it."""
    sur = 2 if text[i:i + 2] in _COMPOUND_SET else (1 if i < len(text) and text[i] in _SURNAME_SET else 0)
    if not sur or (not list_mode and text[i] in _PREPOSITIONS):
        return None
    given = 0
    while given < 2 and i + sur + given < len(text) and _given_char(text, i + sur + given, given == 0):
        given += 1
    if list_mode and not given:  # an anonymised given name: 李K3乡
        while given < 3 and i + sur + given < len(text) and text[i + sur + given].isalnum() \
                and text[i + sur + given] not in _SURNAME_SET:
            given += 1
        run = text[i + sur:i + sur + given]  # (李K3, a given name holding a function character like 之 — not 房号三栋: an address)
        address = not any(ch.isascii() for ch in run) and any(ch in _ADDRESS_CHARS for ch in run)
        return i + sur + given if given and not address else None
    if not given or text[i + sur + given - 1] in _PLACE_LAST or text[i + sur + given:i + sur + given + 1] in _PLACE_END:
        return None
    two, three = text[i:i + sur + 1], text[i:i + sur + 2] if given == 2 else None
    if three and _is_person_name(three):
        return i + sur + 2
    if _common_word(text[i:i + 4], 3):
        return None  # 齐心协力, 高枕无忧: a four-character word (an idiom) starts at the "surname"
    if (_common_word(two, 200 if cued and three else 20) and not (list_mode and three)) or (three and _common_word(three, 5)) \
            or two in _NOT_NAME or (i and not cued and _common_word(text[i - 1:i + 1], 100)):
        return None
    if three is None:
        if _verb(two):
            return None  # 住戶關好窗戶: a verb, however rare
        if _common_word(text[i + sur:i + sur + 2], 5000, frozenset({"n", "v", "vn"})):
            return None  # 师傅查原因: the "surname" is a verb and the "given name" starts its object
        return i + sur + 1
    if list_mode:  # 郑凯孙丽贺一鸣: a name ends where the next surname starts
        after3, after2 = text[i + sur + 2:i + sur + 3], text[i + sur + 1:i + sur + 2]
        if after2 in _SURNAME_SET and after3 and "\u4e00" <= after3 <= "\u9fff" and after3 not in _SURNAME_SET:
            return i + sur + 1
        return i + sur + 2
    if _common_word(text[i + sur:i + sur + 2], 300, _NOT_GIVEN_TAGS) \
            or _common_word(text[i + sur:i + sur + 2], 5000, frozenset({"n"})):  # 曾多次, 向银行
        return None
    if _common_word(text[i + sur + 1:i + sur + 3], 100) and not _common_word(text[i + sur:i + sur + 2], 1):
        # 张伟昨天: the third character starts the next word (not 齐心合力, 查验原件: a word then)
        return None if _common_word(two, 20) or _verb(two) else i + sur + 1
    return i + sur + 2


def _plain_given(given: str) -> bool:
    """A given name that is no frequent ordinary word (分流, 本月, 光明 are words; 丽华, 海涛 are names)."""
    entry = _entry(given)
    if entry is None or entry[1].startswith("nr"):
        return True
    return entry[0] < 500 and not (entry[1] in _NOT_GIVEN_TAGS and entry[0] >= 50)


def _person_follows(text: str, end: int) -> bool:
    """What follows ``end`` is what follows a person's name: a pause, or the person doing something."""
    return bool(_PERSON_NEXT.match(text, end) or _ACTION_RE.match(text, end) or _HABIT_RE.match(text, end)
                or _common_word(text[end:end + 2], 100, _VERB_TAGS))


def _bare_full_name(text: str, i: int) -> int | None:
    """A full name with no cue (surname + two characters) where nothing of it is an ordinary word: the
    surname with its first character, the two given characters, the three together (王建华, not 金额高)."""
    end = _name_at(text, i)
    sur = 2 if text[i:i + 2] in _COMPOUND_SET else 1
    if end is None or end - i != sur + 2 or text[i] in _PREPOSITIONS:
        return None
    name, given = text[i:end], text[end - 2:end]
    # (the word list tags many words as names — 安全带, 林荫道 — so any entry of it refuses the name)
    if _entry(name) or _entry(text[i:i + sur + 1]) or text[end - 1] in _PLACE_CHARS:
        return None
    entry = _entry(given)
    return end if entry is None or entry[1].startswith("nr") or entry[0] < 20 else None


def _surname_preposition_name(text: str, i: int, labelled: bool = False) -> int | None:
    """A full name whose surname is also a preposition (于海涛, 应国栋), right after a role word; after a
    label with a colon (联系人：于海洋) the given name may be an ordinary word."""
    if len(text) < i + 3 or not (_given_char(text, i + 1, True) and _given_char(text, i + 2, False)):
        return None
    return i + 3 if (labelled or _plain_given(text[i + 1:i + 3])) and _entry(text[i:i + 2]) is None else None


# --- names known by where they stand: a chat's speaker, a person before their flat, a labelled field ---
# a line of a chat or a form that opens with who speaks: "老刘：", "保安-老杨：", "小赵 7-702：", "上官婉儿（…）："
# (matched at each line's start only: a pattern opening with ^ or a look-behind is tried at every character)
_SPEAKER = re.compile(r"(?:(?:保安|业主|業主|物业|物業|管家|客服|保洁|保潔|邻居|鄰居|楼长|樓長)[-－—]?)?"
                      r"([\u4e00-\u9fff]{2,4})(?:\s?[（(][^（()）\n]{1,12}[）)]|\s[0-9A-Za-z\-]{1,10})?[：:]")
# a person before their flat in brackets: 江山（6-1-602）, 黃志強（三座八樓D室）, 扎西（15栋）
# (the brackets hold a building word or a dashed number: not （三）, （2）, the items of a list)
_FLAT_CHARS = "-—0-9A-Za-z零〇两" + _NUM_ZH + "栋棟座幢号號楼樓单元單元室房层層区區期位"
# (the note is found first; the name is read back from it to a pause)
_FLAT_NOTE = re.compile(rf"[（(](?=[{_FLAT_CHARS}]*(?:[栋棟座幢号號楼樓元室房层層区區]|\d-\d))[{_FLAT_CHARS}]{{2,16}}[）)]")
_BEFORE_FLAT_PAUSE = set("\n、，,：: ")
# a labelled field or a strong cue, after which even an ordinary word is a name when it ends there: 记录人：高明。
# 姓名：夏天, 我叫江山，
_LABELLED = re.compile(r"(?:人|姓名|名字|称呼|稱呼|署名)[:：]\s?|(?:我叫|名叫|叫做|名字叫|名字是|[，,]叫)\s?")
_LABEL_END = re.compile(r"[，,。；;、（(\s]|$")
# a name written with a middle dot (买买提·艾力, 努尔兰·哈力克), or one of no known word (扎西顿珠) after 市民/我是
_DOTTED = re.compile(r"[\u4e00-\u9fff]{2,5}·[\u4e00-\u9fff]{2,6}")
_UNKNOWN_CUE = re.compile(r"(?:市民|我是|我叫)\s?")
_UNKNOWN_AFTER = re.compile(r"[，,。、\s]|来电|來電|反映|称|稱|说|說|打来|打來")
# role words a label may hold (a chat of 业主/客服, 管理處:, 房号:) — no one's name
_ROLE_WORDS = frozenset(_NAME_CUE.split("|")) | {"管理处", "管理處", "房号", "房號", "热心大妈", "管委会", "管委會"}
# English names: after Mr/Ms, after "my name is", "this is", "I'm", a closing, a relation; before a flat; a speaker
_EN_NAME = r"[A-Z][a-zà-ÿ]+(?: [A-Z][a-zà-ÿ]+)?"
_EN_TITLED = re.compile(r"(?=[MD])\b(?:Mr|Ms|Mrs|Miss|Dr)\.? [A-Z][a-z]+")
_EN_CUED = re.compile(r"(?=[MmTtIRrSsC—])(?:[Mm]y name is|[Tt]his is|I'm|I am|[Rr]egards,|[Tt]hanks,|[Ss]incerely,|[Cc]heers,|— ?|"
                      r"[Mm]y (?:wife|husband|son|daughter|mother|father|neighbou?r|landlord|landlady|friend|tenant),?) "
                      f"({_EN_NAME})")
_EN_BEFORE_FLAT = re.compile(f"(?=[A-Z])(?:^|(?<=[\\s(]))({_EN_NAME}),? ?\\(?(?:[Ff]lat|[Uu]nit|[Rr]oom|[A-Z]\\d?-\\d{{2,4}}\\))")
_EN_SPEAKER = re.compile(f"({_EN_NAME})(?: \\([^)\\n]{{1,20}}\\))?:")
_EN_NOT_NAME = frozenset(
    "Caller Agent Tenant Owner Resident Residents Property Management Manager Complaint Reply Re Subject Note Notice "
    "Update Date Time Tel Email Phone From To Dear Hi Hello Staff Security Guard Admin Office Service Customer Operator "
    "Landlord Landlady Building Block Flat Unit Room Address Name Issue Problem Request Summary Location Contact Message "
    "Chat Group Translated Original Transcript Response Action Result Status Category Sorry Not The This That Just Very "
    "Really Writing Calling Here Also Please Thanks Regards Sir Madam Team Estate Court Tower Garden Lane Road Street "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Chinese English Yes No Anyone Someone Everyone".split())


def _word_name(token: str) -> bool:
    """``token`` (2-4 characters) reads as a surname and a given name, though it may be an ordinary word
    (江山, 常青, 高明: names that are words): no role word, no verb, nothing that never stands in a name."""
    sur = 2 if token[:2] in _COMPOUND_SET else (1 if token[:1] in _SURNAME_SET else 0)
    if not sur or not 1 <= len(token) - sur <= 2 or token in _ROLE_WORDS or token in _NOT_NAME or _verb(token):
        return False
    if any(ch in _NOT_NAME_CHARS for ch in token[sur:]) or token[-1] in _PLACE_LAST:
        return False
    entry = _entry(token)
    given = _entry(token[sur:]) if len(token) - sur == 2 else None
    if given and not given[1].startswith(("nr", "ns", "nz")) and given[0] >= 50:
        return False  # 陳情人, 陳情書: the "given name" is a word (情人, 情书)
    if len(token) - sur == 2 and _common_word(token[:sur + 1], 100):
        return False  # 高中生: a word starts at the "surname"
    return len(token) - sur == 1 or entry is None or entry[1].startswith("nr") or entry[0] < 5


def _proper_word_name(token: str) -> bool:
    """A word-name (_word_name) the word list knows as a proper noun or not at all (宁波, 常青 — not 全体)."""
    entry = _entry(token)
    return _word_name(token) and (entry is None or entry[1].startswith(("nr", "ns", "nz")))


def _unknown_name(token: str) -> bool:
    """``token`` (2-4 characters) is no word and holds none (扎西顿珠, 扎西): a name from outside the surname
    list (Tibetan, Uyghur, …) where the place says a person stands — never a role, a number or a phrase."""
    if not 2 <= len(token) <= 4 or token[-1] in "员員长長师師工主官头頭委" \
            or any(token[k:k + 2] in _ROLE_WORDS for k in range(len(token) - 1)):
        return False  # (客服小刘: a role and a familiar name, found as such)
    if any(not "\u4e00" <= ch <= "\u9fff" or ch in _NOT_NAME_CHARS or ch in "一二三四五六七八九十百千万萬数數"
           for ch in token):
        return False
    entry = _entry(token)
    return (_freq(token) < 50 if len(token) == 2 else entry is None or entry[1].startswith("nr")) \
        and all(_freq(token[k:k + 2]) < 50 for k in range(len(token) - 1))


def _familiar_name(token: str) -> bool:
    """老刘, 小赵, 阿强, 孟姐: a person called familiarly."""
    return len(token) == 2 and (
        (token[0] in "老小" and token[1] in _SURNAME_SET and token not in _FAMILIAR_NEVER)
        or (token[0] == "阿" and bool(_NICKNAME.fullmatch(token)))
        or (token[0] in _SURNAME_SET and token[1] in "哥姐"))


def _standing_names(text: str) -> list[tuple[int, int]]:
    """Names known by where they stand (the second writer's forms): a chat's speakers, a person before
    their flat in brackets, a labelled field, dotted and unknown names after a cue, English names."""
    found: list[tuple[int, int]] = []
    lines = [0] + [m.end() for m in re.finditer("\n", text)]
    if "：" in text or ":" in text:
        for match in filter(None, (_SPEAKER.match(text, start) for start in lines)):
            token = match.group(1)
            if _familiar_name(token) or _proper_word_name(token):  # (白云：, not 车牌：)
                found.append(match.span(1))
        for match in _LABELLED.finditer(text):
            pos = match.end()
            if (end := _name_at(text, pos, cued=True)) and _LABEL_END.match(text, end):
                found.append((pos, end))
                continue
            for size in (4, 3, 2):
                token = text[pos:pos + size]
                if len(token) == size and _LABEL_END.match(text, pos + size) and _word_name(token):
                    found.append((pos, pos + size))
                    break
    if "（" in text or "(" in text:
        for note in _FLAT_NOTE.finditer(text):
            start = end = note.start()
            while start > 0 and end - start <= 6 and ("\u4e00" <= text[start - 1] <= "\u9fff" or text[start - 1] == "·"):
                start -= 1
            token = text[start:end]
            if 2 <= len(token) <= 6 and (start == 0 or text[start - 1] in _BEFORE_FLAT_PAUSE) \
                    and ("·" in token or _word_name(token) or _unknown_name(token)):
                found.append((start, end))
    for match in re.finditer("[@＠]", text) if "@" in text or "＠" in text else ():  # a chat's mention: @张伟 , @老刘
        pos = match.end()
        end = _name_at(text, pos, cued=True)
        if end and _LABEL_END.match(text, end):
            found.append((pos, end))
            continue
        for size in (3, 2):
            token = text[pos:pos + size]
            if len(token) == size and _LABEL_END.match(text, pos + size) \
                    and (_familiar_name(token) or _proper_word_name(token)):  # (not @全体)
                found.append((pos, pos + size))
                break
    if "·" in text:  # right after a cue or a label
        for cue in (*_NAME_CUE_RE.finditer(text), *_LABELLED.finditer(text)):
            if match := _DOTTED.match(text, cue.end()):
                end = match.end()
                while any(ch in _NOT_NAME_CHARS for ch in text[match.start():end]):
                    end -= 1  # 买买提·艾力来电: the name ends before 来
                if text[end - 1] != "·":
                    found.append((match.start(), end))
    for match in _UNKNOWN_CUE.finditer(text):
        pos = match.end()
        for size in (4, 3):
            token = text[pos:pos + size]
            if len(token) == size and _UNKNOWN_AFTER.match(text, pos + size) and _unknown_name(token):
                found.append((pos, pos + size))
                break
    if re.search("[A-Za-z][a-z]", text):  # (English words, not B栋 or a lettered zone)
        found.extend(m.span() for m in _EN_TITLED.finditer(text))
        speakers = filter(None, (_EN_SPEAKER.match(text, start) for start in lines))
        for match in (*_EN_CUED.finditer(text), *_EN_BEFORE_FLAT.finditer(text), *speakers):
            if not any(word in _EN_NOT_NAME for word in match.group(1).split()):
                found.append(match.span(1))
    return found


def _names(text: str) -> list[tuple[int, int, int, str, str]]:
    """Spans of people's names found in context (see the module docstring)."""
    found: list[tuple[int, int]] = []

    def _left_ok(start: int) -> bool:
        return not (start and (_common_word(text[start - 1:start + 1], 100)
                               or (start > 1 and _common_word(text[start - 2:start + 1], 100))))

    pos = 0
    while match := _HONORIFIC_PAT.search(text, pos):
        start, end = match.span(1)
        pos = start + 1  # refused: the honorific may still follow a surname further on (班主任范老师: not 任范)
        core = _HONORIFIC_RE.sub("", match.group(1))
        if core in _NOT_NAME or any(ch in _NOT_NAME_CHARS for ch in core[1:]) or not _left_ok(start):
            continue
        if len(core) >= 2 and _common_word(core[:2]) and core not in _COMPOUND_SET:  # 欧阳先生: a surname
            continue
        found.append((start, end))
        pos = end
    # Hong Kong 陳生 / 黃太 (先生 / 太太 cut short), where the two characters make no frequent word of any
    # tag (卫生, 师生 — which the word list calls a name)
    for match in _HK_HONORIFIC.finditer(text):
        start, end = match.start() - 1, match.end()
        if _freq(text[start:end]) < 100 and text[start:end] not in _NOT_NAME and _left_ok(start):
            found.append((start, end))
    for match in _TITLE_PAT.finditer(text):
        start, end = match.span(1)
        if text[start] in _PREPOSITIONS or _WISH_LEADER.match(text, start):
            continue  # 向市长信箱反映: a preposition, not a surname
        if _left_ok(start) and not _common_word(text[start:start + 2]) and text[start:end] not in _NOT_NAME \
                and not _common_word(text[start:start + 3], 20):
            found.append((start, end))
    # a full name before a title: 钱永刚科长, 蔡明川书记
    for match in _TITLE_WORD.finditer(text):
        if text[match.end():match.end() + 1] in ("们", "們"):
            continue
        for size in (3, 2):
            start = match.start() - size
            if start < 0 or text[start] not in _SURNAME_SET or match.start() - 1 < 0:
                continue
            if text[match.start() - 1] in _SURNAME_SET and size == 3:
                continue  # 办陈主任: the surname is right before the title
            given = text[start + 1:match.start()]
            if any(ch in _ORG_CHARS for ch in given) or _common_word(given, 500, frozenset({"n", "v", "vn", "d"})) \
                    or _common_word(text[start:start + 2], 20):
                continue  # 物管科科长, 后勤处长, 刘武正副主任: a department or a title, not a given name
            if _name_at(text, start) == match.start() and _left_ok(start):
                found.append((start, match.end()))
                break
    for match in _NAME_CUE_RE.finditer(text):
        pos = match.end()
        end = _name_at(text, pos, cued=True)
        if end is None and (nick := _NICKNAME.match(text, pos)):
            end = nick.end()  # 管理員阿芬, 職員Kelly Chan: a person called by a nickname or an English name
        if end is None and text[pos + 2:pos + 3] in ("（", "(") and _proper_word_name(text[pos:pos + 2]):
            end = pos + 2  # 业主宁波（…）: a name that is also a word, with a note on it
        if end is None and text[pos:pos + 1] in _SURNAME_PREPOSITIONS:
            end = _surname_preposition_name(text, pos, match.group().rstrip().endswith((":", "：")))
            end = end if end and _person_follows(text, end) else None  # 物业经理于海涛 (not 负责人于本月底)
        joint = match.group().rstrip(":： ")[-1:]
        if end and (joint != "是" or _NAME_END_RE.match(text, end)) \
                and (joint not in "为為" or re.match(r"[，,。；;、（(\s]|$", text[end:end + 1])):
            found.append((pos, end))  # (…是/为 + name only where the name ends: not 本人是梧桐南路, 本人为华翠阁业主)
    # any role word ending in 员/长/师/工/主/人… right before a full name: 群主严丽华, 快递员韩冬梅
    for match in _ROLE_END.finditer(text):
        pos = match.end()
        if _common_word(text[match.start():pos + 1], 100):
            continue  # 司机师傅很好: the role character and the "surname" make a word (师傅)
        end = _name_at(text, pos, cued=True)
        if end and end - pos == (3 if text[pos:pos + 2] not in _COMPOUND_SET else 4) \
                and _bare_full_name(text, pos) == end and _person_follows(text, end):
            found.append((pos, end))
    # 我叫…, 姓名：…, and anyone "called" so: 包工头姓韩，叫韩德胜。 (not 喊叫, 大叫)
    # 尊敬的…： / 致…： (a letter to a person)
    for match in re.finditer(r"(?:我叫|我是|姓名|名字|尊敬的|(?<![一以此])致|(?<![喊大尖吵呼鸣鳴])叫(?:做)?)[:：]?\s?", text):
        end = _name_at(text, match.end(), cued=True)
        if end and _NAME_END_RE.match(text, end):
            found.append((match.end(), end))
    # a surname the list lacks, said so (我姓植，植伟强): the character, and a full name of it after a pause
    for match in re.finditer(r"我姓([\u4e00-\u9fff])[，,。]", text):
        sur = match.group(1)
        if sur in _SURNAME_SET or sur in _NOT_NAME_CHARS or sur in "名氏什啥":
            continue
        found.append(match.span(1))
        for full in re.finditer(f"(?<=[，,：:\\s叫]){sur}[\u4e00-\u9fff]{{2}}(?=[，,。\\s]|$)", text):
            if all(_given_char(text, k, k == full.start() + 1) for k in range(full.start() + 1, full.end())):
                found.append(full.span())
    for match in re.finditer("姓(" + _SUR + r")(?=[,，。的\s]|$|先生|女士|小姐)", text):
        found.append(match.span(1))
        # 姓白，白雪: the full name right after
        after = re.match(r"[,，]\s?", text[match.end():])
        if after and text.startswith(match.group(1), match.end() + after.end()):
            pos = match.end() + after.end()
            end = _name_at(text, pos, list_mode=True)
            if end and end - pos > len(match.group(1)) and _person_follows(text, end):
                found.append((pos, end))
    # the writer who says where they live, then their name: 我是8栋1903的褚丽萍, 我是702的 邰丽
    for match in _I_AM_OF.finditer(text):
        end = _name_at(text, match.end(), list_mode=True)
        if end is None and _word_name(text[match.end():match.end() + 2]) and _LABEL_END.match(text, match.end() + 2):
            end = match.end() + 2  # 我是二号楼五零三的常青，: a name that is also a word, ending there
        if end and end - match.end() >= 2 and _person_follows(text, end) \
                and (_freq(text[match.end():end]) < 20 or (_word_name(text[match.end():end]) and _LABEL_END.match(text, end))):  # 我是5栋的高中生: a word
            found.append((match.end(), end))
    for match in _ORG_NAME.finditer(text):
        end = _name_at(text, match.end())
        if end and text[end:end + 1] in ("：", ":"):
            found.append((match.end(), end))
    for match in _SURNAME_ROLE.finditer(text):
        found.append(match.span(1))
    for match in _BRACKET_CUE.finditer(text) if "（" in text or "(" in text else ():
        end = _name_at(text, match.end(), list_mode=True)
        if end and text[end:end + 1] in ("）", ")"):
            found.append((match.end(), end))
    if "*" in text or "＊" in text or re.search(r"1[3-9]\d{9}", text):
        for match in _PHONE_THEN.finditer(text):
            end = _name_at(text, match.end())
            if end and _AFTER_SIGNATURE.match(text, end):
                found.append((match.end(), end))
        for match in _THEN_PHONE.finditer(text):
            for size in (3, 2):
                start = match.start() - size
                if start >= 0 and (start == 0 or text[start - 1] in _SENTENCE_START) \
                        and _name_at(text, start) == match.start():
                    found.append((start, match.start()))
                    break
    # a signature after the writer's room: …5栋2单元1806李志强2020年3月5日
    for match in _ROOM_BEFORE_NAME.finditer(text):
        end = _name_at(text, match.end(), cued=True)
        if end and _AFTER_SIGNATURE.match(text, end):
            found.append((match.end(), end))
    # the first word of a post, or the subject of a sentence doing something: "张伟：…" "张伟昨天找过你们"
    starts = [0] + [m.end() for m in _SENTENCE_START_RE.finditer(text)]
    for start in starts:
        end = _name_at(text, start)
        if not end:
            continue
        rest = text[end:end + 4]
        if (start == 0 and rest[:1] in ("：", ":", "，", ",", " ")) or _ACTION_RE.match(rest) \
                or (end - start >= 3 and _HABIT_RE.match(rest)) \
                or (rest[:1] == "家" and start and text[start - 1] == "、") \
                or (end - start >= 3 and re.match(r"家(?:的|里|裡|门口|門口)", rest)):  # 刘建国家的狗
            found.append((start, end))
    # a full name before what only a person is: 王建国夫妇, 李秀英（女，62岁）, 张伟等人
    for match in _PERSON_AFTER.finditer(text):
        for size in (3, 2):
            start = match.start() - size
            if start >= 0 and _name_at(text, start) == match.start() and _left_ok(start) \
                    and (start == 0 or not "\u4e00" <= text[start - 1] <= "\u9fff" or size == 3):
                found.append((start, match.start()))
                break
    # a bare full name where a person fits: 王建华的车…, 找了贝志成好几次, 推选了龙海燕和蒙建新做代表
    for start in [0] + [m.end() for m in _BARE_START.finditer(text)] + [m.end() for m in _ORG_OF.finditer(text)]:
        if start < len(text) and (text[start] in _SURNAME_SET or text[start:start + 2] in _COMPOUND_SET):
            end = _bare_full_name(text, start)
            if end and _person_follows(text, end) and _left_ok(start):
                found.append((start, end))
    # 小周, 老张: a surname made familiar, after a role or doing something
    for match in _FAMILIAR.finditer(text):
        start, end = match.span()
        role = _FAMILIAR_BEFORE.search(text, max(0, start - 4), start)
        word = match.group() in _FAMILIAR_WORDS
        if match.group() in _FAMILIAR_NEVER or (word and not (role and _freq(text[end - 1:end + 1]) < 50)) or not role and (
                ("\u4e00" <= text[start - 1:start] <= "\u9fff"  # 一小时, 不老实: inside a phrase
                 and not (text[start - 1] == "的" and text[end:end + 1] in "，,。：:"))  # 燃气公司的小马，
                # (邻居小江在群里说: a familiar word is a person after a role, unless it starts a word: 物业小高层)
                or (_freq(text[start + 1:end + 1]) >= 50 and text[end:end + 1] not in "家说說説")):
            continue  # 小孙子, 老高层: the surname-like character starts a word
        if role or _FAMILIAR_AFTER.match(text, end) or _ACTION_RE.match(text, end):
            found.append((start, end))
    # signatures and lists: 联名签字：郑凯孙丽贺一鸣… / 委员张三、李四、王五
    for match in _LIST_CUE_RE.finditer(text):
        pos = match.end()
        while (end := _name_at(text, pos, list_mode=True)) is not None:
            found.append((pos, end))
            pos = end + (1 if text[end:end + 1] in "、,，/ " else 0)
    found.extend(_standing_names(text))
    extended = True
    while extended:  # a name followed by 、 and another name: the list goes on
        extended = False
        for _start, end in list(found):
            note = _BRACKET_NOTE.match(text, end)
            end = note.end() if note else end
            nxt = None
            if text[end:end + 1] in ("、", "，", ","):
                nxt = _name_at(text, end + 1, list_mode=True)
                if nxt is None and text[end] == "、" and _proper_word_name(text[end + 1:end + 3]):
                    nxt = end + 3  # 高峰、江河、石磊: in a list, a name that is also a word
            if nxt:
                if (end + 1, nxt) not in found and re.match(r"[、，,和及与與等\s。；;（(]|$", text[nxt:nxt + 1] or ""):
                    found.append((end + 1, nxt))
                    extended = True
    # a "name" that heads a business anywhere in the text is the business's name, at every mention:
    # 举报金茂物业 … 金茂多次失信, 李记面馆, 王氏牙科
    businesses = {value for value in {text[s:e] for s, e in found} if _heads_business(text, value)}
    return [(s, e, 4, "name", text[s:e]) for s, e in set(found) if e - s >= 1 and text[s:e] not in businesses]


def _heads_business(text: str, value: str) -> bool:
    """``value`` stands right before a business word somewhere in ``text`` (the compiled pattern, read
    after each occurrence: no pattern built per name)."""
    at = text.find(value)
    while at >= 0:
        if _ORG_AFTER.match(text, at + len(value)):
            return True
        at = text.find(value, at + 1)
    return False


def _accept(kind: str, value: str, text: str, start: int, cued: bool) -> bool:
    digits = _digits(value)
    if kind == "phone" and _COMPANY_PHONE_CTX.search(text[max(0, start - 16):start]):
        return False  # the property company's or a department's own number identifies no one
    if kind in ("phone", "id_card", "room", "bank_card", "plate", "passport") \
            and _WORK_ORDER_CTX.search(text[max(0, start - 12):start]):
        return False
    if kind == "email" and _ROLE_MAILBOX.match(value):
        return False
    if digits and (kind == "phone" or (kind == "room" and (len(digits) >= 7 or value.isdigit()))) \
            and _HOTLINE_RE.match(digits):
        return False  # a hotline (在110报警) or a public number, not a phone or a door
    if kind == "id_card" and len(digits) == 18 and not _valid_id(value.replace(" ", "").replace("-", "")) \
            and _luhn(digits):
        return False  # a bank card, not an ID number
    if kind == "name" and value[:1] in "于於" and not re.match(r"[说說説称稱，,。、；;：:）)]|$", text[start + len(value):]):
        return False  # 于某商场, 於某日: "at some …", unless 于某 is the one who speaks
    if kind == "room" and _SHOP_AFTER.match(text, start + len(value)):
        return False
    if kind == "room" and re.fullmatch(r"\d{3,4}", value) and value.endswith("00"):
        return False  # 小区300业主, 是1200: a count — no door is numbered …00
    if kind == "bank_card" and not cued:
        return 16 <= len(digits) <= 19 and _luhn(digits) and not (len(digits) == 18 and _valid_id(digits))
    return True


def _free(spans: list[tuple[int, int, str, str]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e, _, _ in spans)


def _find_spans(text: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, int, str, str]] = []
    offsets: dict[re.Pattern[str], list[int]] = {}
    # numbers and plates are read in half-width (１３８…, 湘Ａ１２３４５); one character for one, so the
    # offsets hold and the value masked is the text's own
    plain = text.translate(_HALF_WIDTH) if _FULL_WIDTH_RE.search(text) else text
    for kind, priority, pattern, group, first, needs in _SCANS:
        if needs and needs not in plain:
            continue
        if first is not None and first not in offsets:
            offsets[first] = scan.starts(first, plain)
        for match in pattern.finditer(plain) if first is None else scan.finditer_at(pattern, plain, offsets[first]):
            start, end = match.span(group)
            value = match.group(group)
            if value and _accept(kind, value, plain, start, cued=group == 1):
                found.append((start, end, priority, kind, text[start:end]))
    found.extend(_names(text))
    # longest first (ties: higher priority), then drop anything overlapping an accepted span
    found.sort(key=lambda s: (-(s[1] - s[0]), -s[2], s[0]))
    taken: list[tuple[int, int, str, str]] = []
    for start, end, _priority, kind, value in found:
        if _free(taken, start, end):
            taken.append((start, end, kind, value))
    return sorted(taken)


def _every_mention(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Mask every later mention: names and rooms again without their cue, rooms listed after or before
    a room (1702、1802及27栋502; 1902、1903的邻居), and the bare number of a masked room (五栋1603 … 1702)."""
    spans = list(spans)
    for _s, end, kind, _v in list(spans):
        pos = end
        while kind == "room" and (item := _ROOM_LIST_ITEM.match(text, pos)):
            value_start = item.start() + 1 + (1 if text[item.start() + 1:item.start() + 2] == " " else 0)
            if _free(spans, value_start, item.end()):
                spans.append((value_start, item.end(), "room", text[value_start:item.end()]))
            pos = item.end()
    values = {(kind, value) for _, _, kind, value in spans if kind in ("name", "room") and len(value) >= 2}
    for _s, _e, kind, value in list(spans):
        person = _person_of(value) if kind == "name" else ""
        if len(person) >= 3 and person != value:
            values.add(("name", person))  # 钱永刚科长 … 钱永刚: the same person without the title
        bare = re.search(r"(\d{3,4})(?:室|房|号房?|號房?|單位|单位)?$", value) if kind == "room" else None
        if bare and bare.group(1) != value:
            values.add(("room", bare.group(1)))
    for kind, value in sorted(values, key=lambda kv: -len(kv[1])):
        if kind == "room" and value.isdigit():
            pattern = re.compile(r"(?<![0-9A-Za-z.\-:：年月])" + value + r"(?![0-9A-Za-z" + _ROOM_TAIL_STOP + r"点點时時.:：\-])")
        else:
            pattern = re.compile(re.escape(value))
        for match in pattern.finditer(text):
            if _free(spans, match.start(), match.end()):
                spans.append((match.start(), match.end(), kind, value))
    for start, _e, kind, _v in list(spans):  # … and rooms listed before a room: 1902、1903的邻居
        while kind == "room" and (item := _ROOM_LIST_BEFORE.search(text, max(0, start - 8), start)):
            if not _free(spans, item.start(1), item.end(1)) or not _accept("room", item.group(1), text, item.start(1), False):
                break
            spans.append((item.start(1), item.end(1), "room", item.group(1)))
            start = item.start(1)
    for surname in _surnames_alone(values):
        for match in re.finditer(f"(?:^|(?<=[{re.escape(_SENTENCE_START)}]))" + surname + "(?=[\u4e00-\u9fff])", text):
            if _free(spans, match.start(), match.end()) and _entry(text[match.start():match.end() + 1]) is None:
                spans.append((match.start(), match.end(), "name", surname))
        # the same person made familiar or anonymised later: 陈志明 … 老陈 / 小陈 / 陈某
        for match in re.finditer(f"[老小]{surname}(?![\u4e00-\u9fff])|[老小]{surname}(?=[说說家的也又还還都就却卻])"
                                 f"|{surname}某(?![些种種个個天处處位地时時项項事样樣件次方])", text):
            if _free(spans, match.start(), match.end()) and match.group() not in _FAMILIAR_WORDS:
                spans.append((match.start(), match.end(), "name", match.group()))
    return sorted(spans)


def _person_of(name: str) -> str:
    """A masked name without its title or honorific: 钱永刚科长 → 钱永刚, 王先生 → 王."""
    return _TITLE_RE.sub("", _HONORIFIC_RE.sub("", name))


def _surnames_alone(values: set[tuple[str, str]]) -> set[str]:
    """Surnames of the full names masked (邵文清): the same person later called by the surname alone at
    the start of a sentence ("邵回复说…"), where the surname and the next character make no word."""
    surnames = set()
    for kind, value in values:
        person = _person_of(value) if kind == "name" else ""
        sur = person[:2] if person[:2] in _COMPOUND_SET else person[:1]
        if len(person) - len(sur) == 2 and (sur in _SURNAME_SET or sur in _COMPOUND_SET) and "某" not in person:
            surnames.add(sur)
    return surnames


def find_pii(text: str) -> list[tuple[int, int, str, str]]:
    """Every personal-data span of ``text``: (start, end, kind, value), in order, never overlapping."""
    return _every_mention(text, _find_spans(text)) if text else []


def mask_pii(text: str) -> Masked:
    """Replace PII in ``text`` by placeholders; the same value always maps to the same placeholder."""
    if not text:
        return Masked(text=text or "")
    spans = find_pii(text)
    counters: dict[str, int] = {}
    by_value: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    kinds: dict[str, str] = {}
    out: list[str] = []
    last = 0
    for start, end, kind, value in spans:
        person = _person_of(value) if kind == "name" else ""
        digits = _digits(value) if kind in ("phone", "id_card", "bank_card") else ""
        key = (kind, digits or (person if len(person) >= 3 else value))
        placeholder = by_value.get(key)
        if placeholder is None:
            counters[kind] = counters.get(kind, 0) + 1
            placeholder = f"〔{LABELS[kind]}{counters[kind]}〕"
            by_value[key] = placeholder
            mapping[placeholder] = value
            kinds[placeholder] = kind
        out.append(text[last:start])
        out.append(placeholder)
        last = end
    out.append(text[last:])
    return Masked(text="".join(out), mapping=mapping, kinds=kinds)


def unmask(text: str, mapping: dict[str, str]) -> str:
    """Put the original values back; tolerates placeholders converted to Traditional (〔電話1〕)."""
    if not mapping or not text:
        return text

    def _restore(match: re.Match[str]) -> str:
        kind = _LABEL_KIND.get(match.group(1))
        if kind is None:
            return match.group(0)
        return mapping.get(f"〔{LABELS[kind]}{match.group(2)}〕", match.group(0))

    return PLACEHOLDER_RE.sub(_restore, text)


def has_placeholder(text: str) -> bool:
    """True when ``text`` still contains a placeholder (drafts must never)."""
    return bool(PLACEHOLDER_RE.search(text)) or "〔" in text or "〕" in text
