"""Our own sentence banks for the offline drafter (Simplified Chinese, full-width punctuation).

Slots: {issue} (e.g. 3号楼电梯故障), {issue_q} (…问题), {span} (e.g. ，已经三天了), {span_mid},
{where} (a place or 这个位置), {time} (a concrete reply time). Each list holds interchangeable
variants; the drafter picks one with a seed derived from the complaint, another one on a re-ask.

Division of labour between the stages (so no idea is said twice): listen restates and takes
ownership; empathize acknowledges the feeling; ask asks at most two questions the case needs;
act says who does what and promises the one callback time; negotiate offers options; thank
thanks, apologises, names the improvement and the 回访.
"""

from __future__ import annotations

from itertools import product

from agent.vocab import Category


def _combos(heads: list[str], tails: list[str]) -> list[str]:
    return [h + t for h, t in product(heads, tails)]


REPLY_TIMES = ["今天下午五点前", "今天下班前", "明天上午十点前", "明天中午十二点前"]
URGENT_TIMES = ["半小时内", "一小时内"]
AFTER_WORK_TIMES = ["今天晚上七点以后", "明天晚上七点以后"]  # the owner asked to be called after work

# -- listen: restate what we heard, then take ownership ------------------------------------------
LISTEN_RESTATE = [
    "您反映的{issue_q}{span}，情况我都记下了。",
    "您说的{issue_q}{span}，我都一条条记下来了。",
]
LISTEN_RESTATE_FEES = [
    "关于{issue}，您的疑问和意见我都记下了。",
    "您对{issue}提出的疑问，我都一条条记下来了。",
]
LISTEN_RESTATE_UNKNOWN = [  # no concrete problem recognised: do not pretend to know it
    "您反映的情况我都仔细看了，也都记下来了。",
    "您说的经过我都一条条记下来了。",
]
LISTEN_RESTATE_RESPECT = [
    "您说工作人员的态度让您很不舒服，这个情况我都记下了。",
    "工作人员当时是怎么对您的，您说的经过我都一条条记下来了。",
]
LISTEN_RESTATE_MAJOR = [
    "您说的{issue}我已经记下了，我这边马上安排人处理。",
    "{issue}这件事我都记下了，现在就安排人过去。",
]
LISTEN_OWN = _combos(  # acknowledgement, when no playbook phrasing fits a written reply (ownership is act's)
    ["您的投诉已经受理", "您说的情况我已经登记", "这件事已经记录在案", "您反映的我都看明白了", "情况我已经了解清楚"],
    ["，每一点我们都会认真核实。", "，我们会当回事来办。", "，不会让它石沉大海。", "，后面的进展我会跟着。"])

# -- empathize: one sentence that fits the situation ------------------------------------------
EMPATHIZE = {
    "danger": [
        "这关系到大家的人身安全，您着急是完全应该的，我们一刻都不会耽误。",
        "遇到这种情况谁都会害怕，您的安全是第一位的，我们马上处理。",
    ],
    "incident": [
        "这关系到大家的人身安全，您着急是完全应该的，这件事我们会当成头等大事来办。",
        "出了这样的事，换了谁都会后怕，您的担心我完全理解。",
    ],
    "group": [
        "这么多邻居都在关心这件事，说明我们的工作确实有没做到位的地方，大家的意见我们都认真对待。",
        "大家一起来反映，是因为这件事确实影响到了很多家庭，这份着急我们完全理解。",
    ],
    "media": [
        "您想到要往外反映，是因为这件事确实让您失望了，我们先把问题本身解决好。",
        "您这么着急，说明这件事已经拖得让人很难接受了，这个批评我们接受。",
    ],
    "respect": [
        "被这样对待，换了谁心里都不好受，这是我们的不对，我代表服务中心向您真诚道歉。",
        "您来反映问题，本该得到耐心的对待，这次让您受委屈了，真的对不起。",
    ],
    "compensation": [
        "东西受了损失，换了谁心里都不好受，您的心情我完全理解。",
        "遇到这样的损失，您着急、想要个说法，都是完全应该的。",
    ],
    "repeated": [
        "同样的问题反复出现，是我们没有处理彻底，让您一次次跟着操心。",
        "一次两次还好，反复出现谁都会有意见，这是我们的工作没做到位。",
    ],
    "service": [
        "您的事没有被及时接住，这是我们的工作没做好，给您添麻烦了。",
        "让您找我们找得这么辛苦，是我们的问题。",
    ],
}
EMPATHIZE_DEFAULT = {  # no special situation: by category
    Category.facilities: [
        "{issue}{span_mid}影响到您的日常生活，换了谁都会着急，给您添麻烦了。",
        "天天要用的东西出了问题，确实让人闹心，您有意见完全可以理解。",
    ],
    Category.environment: [
        "每天进出都要面对这些，换了谁都会不舒服，您的感受我完全理解。",
        "{issue}直接影响到大家的居住环境，您有意见完全可以理解。",
    ],
    Category.security: [
        "遇到这种事，心里难免不踏实，您的担心我完全理解。",
        "住得安不安心是最要紧的，这件事让您不放心，我们一定重视。",
    ],
    Category.fees: [
        "收费上有疑问，换了谁都想弄个明白，您的心情我理解。",
        "每一笔钱都该收得清清楚楚，您提出疑问是完全应该的。",
    ],
    Category.neighbor: [
        "生活和休息总被打扰，时间长了谁都受不了，您的心情我理解。",
        "邻里之间的事最让人为难，您来找我们是对的，我们一定出面。",
    ],
    Category.service_attitude: [
        "您的事没有被及时接住，这是我们的工作没做好，给您添麻烦了。",
        "让您找我们找得这么辛苦，是我们的问题。",
    ],
    Category.other: [
        "您专门来反映，说明这件事确实给您添了不便，我们认真对待。",
        "这件事关系到大家的日常生活，您的意见我们非常重视。",
    ],
}

# -- act: who does what (the one callback time comes from the phrasing or ACT_TIME) ----------------
ACT_ACTION = {
    Category.facilities: "关于{issue}，我已经登记为报修工单，安排工程部师傅去现场查看。",
    Category.environment: "关于{issue}，我已经通知保洁主管安排人员处理，处理完会拍照片给您确认。",
    Category.security: "关于{issue}，我已经通知秩序维护部主管调看相关监控，并加强这一片的巡查。",
    Category.fees: "关于{issue}，我已经请财务同事把您的收费明细逐项核对一遍。",
    Category.neighbor: "关于{issue}，我们会安排管家上门和相关住户沟通，把您的困扰如实转达。",
    Category.service_attitude: "涉及的这位同事，我已经报给客服主管核实情况、严肃处理。",
    "no_staff": "您联系我们却没有得到及时回应，这个情况我已经报给客服主管查明原因。",
    "service_fix": "关于{issue}，我已经登记为报修工单，安排工程部师傅去现场查看，之前没能及时回应您的原因也会一并查清。",
    Category.other: "关于{issue}，我已经详细登记，由我负责跟进。",
}
ACT_FEES = {  # fee sub-topics: what finance actually checks
    "paid": "我已经请财务同事核对您的缴费入账记录，核实清楚之前不会再就这笔费用打扰您。",
    "deposit": "我已经请财务同事查清您这笔押金的退还流程卡在哪一步。",
    "late_fee": "我已经请财务同事把这笔滞纳金的计算过程逐项核对一遍。",
    "increase": "我已经请财务同事把这次调价的依据和测算明细整理出来。",
}
ACT_TIME = [
    "处理进展我会在{time}给您回电话。",
    "{time}我会把处理进展告诉您。",
]
ACT_DANGER = {
    "gas": "请您先不要开关电器、不要点火，打开门窗后到楼外空旷的地方等候。",
    "fire": "请您先带家人从安全通道离开，不要乘坐电梯。",
    "trapped": "请被困的家人保持冷静，不要扒门，按下电梯里的警铃就能和我们保持联系。",
    "electric": "请您和家人先远离漏电的位置，不要用手触碰。",
    "falling": "请您和家人先绕开那一片区域，我们会拉起警戒线。",
    "intruder": "请您先锁好门待在屋里，不要开门，保持电话畅通。",
    "health": "请您和家人先暂停饮用自来水，已经不舒服的家人请及时就医。",
    "injury": "有人受伤的话请先处理伤口、及时就医，需要帮忙的地方您直接告诉我。",
    "default": "请您和家人先注意安全，远离有危险的位置。",
}
DANGER_TEAM = {  # who goes to the scene, by hazard
    "intruder": "值班保安", "injury": "值班保安", "falling": "秩序维护员", "health": "工程部值班人员",
}
ACT_DANGER_DISPATCH = "我已经通知{team}立即赶到现场处置，也同步报给了项目经理，{time}给您回电话说明情况。"
# a danger that already happened (no one at risk this minute): investigate and report, no alarm
ACT_INCIDENT = "这件事我已经报给项目经理，由他牵头核查，今天就安排人到现场排查隐患，{time}给您回电话说明结果。"
ACT_ESCALATE = "这件事我也同步报给了项目主管，由他督办到底。"
ACT_COMPENSATION = "您提到的损失，我们核实清楚后按规定处理，具体结果由主管和您当面沟通。"
ACT_REFUND = "您提出的{claim}，我们核实清楚后按规定处理，具体结果由主管和您沟通。"
ACT_SIDE_ISSUE = "您提到的{side}，我也安排了工程部师傅排查，进展由我一并跟进。"
ACT_GROUP = "我们会安排专人对接大家的意见，本周内组织一次业主沟通会，时间地点明天中午前在业主群里公布。"

# -- negotiate: options within our authority (no callback time here: act already gave it) ----------
NEGOTIATE = {
    Category.facilities: [
        "我们可以先做临时处理，避免影响扩大，再约您方便的时间彻底修好，您看这样行吗？",
        "维修方案定下来之前，我会先跟您说清楚要做哪些工序、大概需要几天，您觉得合适我们再动工。",
    ],
    Category.environment: [
        "我们可以把这一片的清扫和清运次数调整一下，接下来一周每天安排专人检查，您看这样可以吗？",
        "除了这一处，您觉得附近还有哪些地方需要一起处理？我们一次安排到位。",
    ],
    Category.security: [
        "我们可以在这一片加派巡逻班次，同时把外来人员登记再严格一些，您看还有哪些地方需要加强？",
        "您看是先加强这一片的巡查，还是同时在入口处增加登记核验？我们按您的意见来安排。",
    ],
    Category.fees: [
        "我们可以把收费明细和依据跟您逐项过一遍，确有出入的按规定更正。您看是来服务中心当面核对，还是我把明细发给您？",
        "您对哪一项有疑问，我们就对着收费依据一项项说明，您看是电话里说，还是约个时间当面聊更方便？",
    ],
    Category.neighbor: [
        "我们可以先由管家上门沟通，如果还是没有改善，再约双方一起当面协商，您看先从哪一步开始比较好？",
        "您看是先由我们出面提醒对方，还是约双方一起坐下来谈？我们按您觉得合适的方式来。",
    ],
    Category.service_attitude: [
        "您看是由客服主管当面向您说明处理结果，还是先在电话里跟您沟通？您有什么要求也可以直接提。",
        "处理结果出来后，您希望我们当面向您说明，还是电话里跟您沟通？您的要求我们一并考虑。",
    ],
    Category.other: [
        "您希望这件事怎么处理比较合适？您先说说想法，我们一起找一个能落实的办法。",
        "我这边先按上面的安排推进，您要是有更好的建议，随时告诉我，我们再调整。",
    ],
}
NEGOTIATE_FEES = {  # fee sub-topics
    "paid": ["核实清楚后，以后涉及缴费的事，您希望我们用什么方式、在什么时间联系您？我们照您的意思来。"],
    "paid_after_work": ["以后涉及缴费的事，我们按您说的只在下班后联系您；您看是电话还是短信更方便？"],
    "deposit": ["退还需要哪些手续、现在差哪一步，我们一次跟您说清楚，您看是电话里说，还是来服务中心当面办更方便？"],
    "late_fee": ["滞纳金是怎么算出来的，我们可以对着收费依据跟您逐项说明，确有出入的按规定更正，您看这样可以吗？"],
    "increase": ["这次调价的依据和测算明细，我们可以跟您当面逐项说明，您看是来服务中心，还是我们约时间上门？"],
    "relief": ["减免需要公司按规定审批，我不能当场答应您，但会把您反映的问题和您的意见如实报上去。"],
}
NEGOTIATE_SPECIAL = {
    "danger": ["现场处理好之后，我们再和您商量后续怎么处理，您看到时候是电话沟通还是当面说更方便？",
               "先把现场处理安全，后续怎么办我们再和您一起商量，您有什么要求也可以先提。",
               "等情况稳定下来，我们再和您商量后面的安排，您看这样可以吗？"],
    "incident": ["情况核实清楚以后，我们再和您一起商量后续怎么处理，您有什么想法也可以先跟我说。"],
    "group": ["我们准备组织一次业主沟通会，请大家推选几位代表参加，把情况和方案当面讲清楚，您看时间定在周末方便吗？"],
    "compensation": ["关于您提到的损失，我们先一起到现场确认、拍照登记，您有什么想法也可以先跟我说，我一并报给主管。"],
    "repeated": ["这次我们请工程主管一起到场，先把反复出现的原因查清楚，再和您商量维修方案，您看可以吗？"],
}
NEGOTIATE_CLOSE = [  # when no playbook phrasing fits
    "方案定下来之后，我们马上安排落实，不让您再多等。",
    "您要是有更合适的办法，也可以直接告诉我，我们再调整。",
    "哪里不合您的意，您直接说，我们再改。",
    "您的意见我们都听，商量好了就照办。",
    "怎样对您最方便，我们尽量照您说的来安排。",
    "有别的想法也欢迎您提，我们一起商量。",
    "您同意的话，我们就按这个办法推进。",
    "如果您有顾虑，随时跟我说，我们再一起想办法。",
    "这个安排您要是觉得不妥，告诉我，我们换个办法。",
    "您还有什么要求，也可以一并提出来。",
    "具体怎么做，我们听您的意见再定。",
    "您看还有哪里需要补充的，我们一起完善。",
    "办法不止一个，您倾向哪种，我们就按哪种来。",
    "您点头了我们再动手，不让您被动接受。",
]

# -- thank: thanks + apology, the improvement, the 回访 -------------------------------------------
THANK_OPEN = {
    "danger": ["谢谢您第一时间告诉我们，让您和家人受惊了，真的很抱歉。",
               "谢谢您及时反映，这件事让您受惊了，我们非常抱歉。"],
    "group": ["谢谢大家把意见集中反映给我们，让大家这么操心，是我们的不对。",
              "谢谢各位邻居的信任和监督，这件事拖到现在，我们很抱歉。"],
    "respect": ["谢谢您把这件事告诉我们，让您受委屈了，再次向您说声对不起。",
                "谢谢您的批评，这次是我们没做好，再次向您道歉。"],
    "compensation": ["谢谢您及时告诉我们，让您遭受损失，我们很抱歉。",
                     "谢谢您把情况说得这么清楚，给您带来损失，我们很抱歉。"],
    "repeated": ["谢谢您一次次耐心反映，问题反复出现，是我们的不对，真的很抱歉。",
                 "谢谢您的监督，同样的事让您反映了不止一次，我们很抱歉。"],
    "default": _combos(["谢谢您告诉我们这件事", "谢谢您的反馈", "谢谢您及时提醒我们", "感谢您的耐心",
                        "谢谢您来反映"], ["，让您费心了，我们很抱歉。", "，给您添了麻烦，真的很抱歉。",
                                         "，这件事让您受累了，对不起。"]),
}
THANK_IMPROVE = {
    "danger": ["这次的隐患我们会举一反三，把小区里同类位置都排查一遍。",
               "类似的隐患我们会在全小区排查一遍，不留死角。",
               "我们会把这次的情况做成案例，检查同类位置有没有一样的问题。"],
    "group": ["后续进展我们会在业主群里定期公布，让大家都看得到。",
              "每一步进展我们都会公开，让大家心里有数。"],
    Category.facilities: ["这次的情况我们会记录在案，同类设施也会列进日常巡检的重点。",
                          "同类设施我们会安排一次集中检查，尽量把问题消灭在前头。",
                          "我们会把这类设施的巡检频次提上来。"],
    Category.environment: ["这一处我们会纳入保洁主管每周的质量抽查。",
                           "这一片的保洁标准我们会重新落实，并安排专人抽查。",
                           "以后这一处的清洁情况我们会定期检查。"],
    Category.security: ["这次的情况会在秩序维护部的班前会上通报，巡查和门岗管理再落实一遍。",
                        "巡查路线和门岗登记我们会重新梳理，把漏洞补上。"],
    Category.fees: ["收费的说明我们也会改进，以后账单会列得更清楚。",
                    "以后的收费明细我们会写得更清楚，让每一笔都有据可查。"],
    "paid": ["以后发缴费提醒前，我们会先核对入账记录，不让同样的事再发生。"],
    "increase": ["以后涉及收费调整，我们会提前公示、把依据讲清楚。"],
    Category.neighbor: ["类似的情况，我们也会在小区公告里做一次文明居住的提醒。",
                        "邻里之间的这类问题，我们会多上门沟通，不等矛盾变大。"],
    Category.service_attitude: ["这次的事我们会在员工例会上通报，服务规范再落实一遍。",
                                "这件事我们会在员工例会上拿出来讲，服务规范重新培训一遍。"],
    "no_staff": ["线上留言和来电的回复时限我们会重新落实，做到有人接、有人回。",
                 "来电和留言有人接、有人回，这一条我们会重新落实到每个班次。"],
    Category.other: ["您的意见我们会整理好报给项目经理，作为后面改进的依据。",
                     "您提的意见我们会记下来，作为改进工作的依据。"],
}
THANK_FOLLOW_FIX = [  # something physical gets fixed
    "等{issue}处理好，我三天内回访您，确认没有问题才算办完。",
    "{issue}处理完的第二天，我会回访您，看看效果怎么样。",
    "{issue}修好以后，我会回访您，听听您的意见。",
    "处理完我会回访您，确认{issue}真的解决了。",
]
THANK_FOLLOW_DANGER = ["现场处置完后，我会再回访您，确认大家都安全、设施也恢复正常。",
                       "处置结束后我会再回访您，确认一切恢复正常。",
                       "等现场处理好，我会回访您，看看还有没有需要我们做的。"]
THANK_FOLLOW = _combos(["处理结果出来后，", "这件事办完后，", "等处理有了眉目，", "事情有了结果，"],
                       ["我三天内回访您，听听您的意见。", "我会在一周内回访您，确认您这边没有其他问题。",
                        "我会主动回访您，看看还有没有需要我们做的。"])
