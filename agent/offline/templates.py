"""Our own sentence banks for the offline drafter (Simplified Chinese, full-width punctuation).

Slots: {issue} (e.g. 3号楼电梯故障), {span} (e.g. ，已经三天了), {time} (a concrete reply time),
{where} (a place or 这个位置). Each list holds interchangeable variants; the drafter picks one with
a seed derived from the complaint, and a different one on a re-ask.
"""

from __future__ import annotations

from agent.vocab import Category

REPLY_TIMES = ["今天下午五点前", "今天下班前", "明天上午十点前", "明天中午十二点前"]
URGENT_TIMES = ["半小时内", "一小时内"]

# -- listen: restate what we heard ---------------------------------------------------------------
LISTEN_RESTATE = [
    "您反映的{issue_q}{span}，情况我都记下了。",
    "我先跟您确认一下，您说的是{issue_q}{span}，对吧？",
    "{issue}这件事{span_mid}我都一条条记下来了。",
]
LISTEN_RESTATE_UNKNOWN = [  # no concrete problem recognised: do not pretend to know it
    "您反映的情况{span_mid}我都一条条记下来了。",
    "您说的经过我都记下了{span}，我们一件一件来理清楚。",
]
LISTEN_RESTATE_RESPECT = [
    "您说工作人员的态度让您很不舒服，这个情况我都记下了。",
    "工作人员是怎么跟您说的、当时是什么情况，我都一条条记下来了。",
]
LISTEN_RESTATE_MAJOR = [
    "您说的{issue}我已经记下了，我这边马上安排人处理。",
    "{issue}这件事我都记下了，现在就安排人过去。",
]

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
        "工作人员那样对您，是我们的不对，我代表服务中心向您真诚道歉。",
        "您来反映问题，本该得到耐心的对待，这次让您受委屈了，真的对不起。",
    ],
    "compensation": [
        "东西受了损失，换了谁心里都不好受，您的心情我完全理解。",
        "遇到这样的损失，您着急、想要个说法，都是完全应该的。",
    ],
    "repeated": [
        "同样的问题反复出现，是我们没有处理彻底，让您一次次跟着操心，真的很抱歉。",
        "一次两次还好，反复出现谁都会有意见，这是我们的工作没做到位。",
    ],
    "service": [
        "您的事没有被及时接住，这是我们的工作没做好，给您添麻烦了，真的很抱歉。",
        "让您找我们找得这么辛苦，是我们的问题，真的很抱歉。",
    ],
    "default": [
        "{issue}这件事{span_mid}给您添了这么多麻烦，真的很抱歉。",
        "{issue}影响到您的日常生活了，您有意见是完全应该的，给您添麻烦了。",
    ],
}

# -- ask: the question that moves the case forward, per category --------------------------------
ASK = {
    Category.facilities: [
        "除了{where}，家里或楼里其他地方有没有类似的情况？",
        "师傅上门查看的话，您今天下午还是明天上午方便？",
    ],
    Category.environment: [
        "主要是哪个位置最明显？一天里大概什么时候最严重？",
        "您看主要是哪一片需要我们重点处理？",
    ],
    Category.security: [
        "事情大概发生在什么时间、什么位置？我们好对照监控去查。",
        "您还记得大概是几点钟的事吗？我们好调取那个时段的监控。",
    ],
    Category.fees: [
        "您说的是哪一期的账单？是哪一项费用和您预想的对不上？",
        "您方便说一下是哪个月的费用吗？我们好对照明细一项项核对。",
    ],
    Category.neighbor: [
        "这种情况一般在什么时间段最明显？大概持续多长时间？",
        "您看是什么时间段影响最大？我们上门沟通时好说得具体一些。",
    ],
    Category.service_attitude: [
        "您还记得是哪天、在哪个岗位遇到的这位同事吗？当时他具体是怎么说的？",
        "方便说一下大概是什么时间、在哪里遇到的吗？我们好核实清楚。",
    ],
    Category.other: [
        "您最希望我们先解决哪一点？我按您最着急的先安排。",
        "这件事具体是在什么时间、什么地方发生的？",
    ],
}
ASK_SPECIAL = {
    "danger": ["您现在是否已经在安全的地方？现场还有没有其他人需要帮忙？"],
    "incident": ["家人现在都还好吗？事情大概发生在什么时间、什么位置？我们好把情况核实清楚。"],
    "urgent_repair": ["现在家里有人吗？师傅到了以后方便直接进门查看吗？"],
    "no_staff": ["您是哪天、通过哪个渠道联系我们的？我好把记录调出来查清楚。"],
    "group": ["大家最关心的是哪几点？方便的话请推选两三位邻居做代表，我们安排专人对接。"],
    "compensation": ["受损的东西方便拍几张照片发给我们吗？我们好一起核实情况。"],
}

# -- act: what we are doing (no time here; the time comes from the phrasing or ACT_TIME) -------
ACT_ACTION = {
    Category.facilities: "关于{issue}，我已经登记为报修工单，安排工程部师傅去现场查看。",
    Category.environment: "关于{issue}，我已经通知保洁主管安排人员处理，处理完会拍照片给您确认。",
    Category.security: "关于{issue}，我已经通知秩序维护部主管调看相关监控，并加强这一片的巡查。",
    Category.fees: "关于{issue}，我会先请财务同事把您的收费明细逐项核对一遍。",
    Category.neighbor: "关于{issue}，我们会安排管家上门和相关住户沟通，把您的困扰如实转达。",
    Category.service_attitude: "涉及的这位同事，我已经报给客服主管核实情况、严肃处理。",
    "no_staff": "您联系我们却没有得到及时回应，这个情况我已经报给客服主管查明原因。",
    Category.other: "关于{issue}，我已经详细登记，由我负责跟进。",
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
ACT_REFUND = "您提出的退费要求，我们核实清楚后按规定处理，具体结果由主管和您沟通。"
ACT_GROUP = "我们会安排专人对接大家的意见，本周内组织一次业主沟通会，时间地点明天中午前在业主群里公布。"

# -- negotiate: options within our authority + the owner's view ---------------------------------
NEGOTIATE = {
    Category.facilities: [
        "我们可以先做临时处理，避免影响扩大，再约您方便的时间彻底修好，您看这样行吗？",
        "维修方案定下来之前，我会先跟您说清楚要做哪些工序、大概需要几天，您觉得合适我们再动工。",
    ],
    Category.environment: [
        "我们可以把这一片的清扫和清运次数调整一下，接下来一周每天安排专人检查，您看这样可以吗？",
        "除了这次处理，您觉得还有哪些地方需要我们重点关注？我们一起把清洁标准定下来。",
    ],
    Category.security: [
        "我们可以在这一片加派巡逻班次，同时把外来人员登记再严格一些，您看还有哪些地方需要加强？",
        "您看是先加强这一片的巡查，还是同时在入口处增加登记核验？我们按您的意见来安排。",
    ],
    Category.fees: [
        "我们可以把收费明细和依据跟您逐项过一遍，核对下来确有出入的，按规定给您更正。您看是来服务中心当面核对，还是我把明细发给您？",
        "您对哪一项有疑问，我们就对着收费依据一项项说明；您看是电话里说，还是约个时间当面聊更方便？",
    ],
    Category.neighbor: [
        "我们可以先由管家上门沟通，如果还是没有改善，再约双方一起当面协商，您看先从哪一步开始比较好？",
        "您看是先由我们出面提醒对方，还是约双方一起坐下来谈？我们按您觉得合适的方式来。",
    ],
    Category.service_attitude: [
        "您看是由客服主管当面向您说明处理结果，还是先在电话里跟您沟通？您有什么要求也可以直接提。",
        "处理结果出来后，您希望我们用什么方式向您说明？明天中午前我先给您回个电话，听听您的意见。",
    ],
    Category.other: [
        "您看您希望怎么处理比较合适？您先说说想法，我们一起商量一个能落实的办法。",
        "我这边先按刚才说的安排，您要是有更好的建议，随时告诉我，我们再调整。",
    ],
}
NEGOTIATE_SPECIAL = {
    "danger": ["现场处理好之后，我们再和您商量后续怎么处理，您看到时候是电话沟通还是当面说更方便？"],
    "incident": ["情况核实清楚以后，我们再和您一起商量后续怎么处理，您有什么想法也可以先跟我说。"],
    "group": ["我们准备组织一次业主沟通会，请大家推选几位代表参加，把情况和方案当面讲清楚，您看时间定在周末方便吗？"],
    "compensation": ["关于您提到的损失，我们先一起到现场确认、拍照登记，您有什么想法也可以先跟我说，我一并报给主管。"],
    "repeated": ["这次我们请工程主管一起到场，先把反复出现的原因查清楚，再和您商量维修方案，您看可以吗？"],
}

# -- thank: thanks + the concrete next step + closing -------------------------------------------
THANK_NEXT_FIX = [  # facilities / environment / security: something physical gets fixed
    "等{issue}处理好，我会在三天内回访您，确认没有问题才算办完。",
    "{issue}处理完成后的第二天，我会再跟您联系，看看效果怎么样。",
]
THANK_NEXT_DANGER = [
    "现场处置完以后，我会再跟您联系，确认大家都安全、设施也恢复正常。",
    "等现场处理妥当，我今天之内再给您回个电话，把后续检修安排跟您说清楚。",
]
THANK_NEXT = [
    "处理结果出来后，我会在三天内回访您，确认您这边没有其他问题。",
    "这件事处理完以后，我会在一周内回访您，听听您的意见。",
]
THANK_CLOSE = ["有任何情况您随时找我。", "后面有什么需要，您随时联系服务中心。"]
