"""Drafts for long written complaints (letters, hotline posts): every issue acknowledged primary
first, out-of-scope matters answered honestly, demands answered, nothing the complaint does not say.

Input is the grounded ``Situation`` (agent/understand/facts.situation_of): issue summaries, what the
owner already did, how long, who is affected, demands. Sentences come from banks of variants chosen
by the complaint's seed and by fit, so no stage sentence dominates across complaints; a re-ask
(``shift``) picks other variants and never reuses the rejected text.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from itertools import product

from agent.understand.facts import IssueType, Situation
from agent.understand.gist import HAZARDS, HEAD_CHARS, Gist
from agent.vocab import Stage

MAX_LETTER_CHARS = 200


def _mix(seed: int, salt: str) -> int:
    """Independent choices per sentence slot (one complaint seed, many slots)."""
    return int(hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=4).hexdigest(), 16)


def _pick(options: list[str], seed: int, avoid: str = "", salt: str = "") -> str:
    start = _mix(seed, salt or options[0][:6])
    ordered = [options[(start + i) % len(options)] for i in range(len(options))]
    return next((o for o in ordered if o[:10] not in avoid), ordered[0])


def _combos(heads: list[str], tails: list[str]) -> list[str]:
    return [h + t for h, t in product(heads, tails)]


_DONE_WORDS = {"多次反映": "已经反映过多次", "找过物业": "找过物业", "打过热线": "打过热线",
               "找过有关部门": "也找过有关部门", "报过警": "报过警", "报修过": "报修过"}


def _done_clause(sit: Situation) -> str:
    words = [_DONE_WORDS[d] for d in sit.done if d in _DONE_WORDS][:2]
    if not words:
        return ""
    return "您" + "、".join(words) + "，问题还是没有解决"


# -- listen -----------------------------------------------------------------------------------
LISTEN_ONE = [
    "您来信反映的{issues}，我从头到尾认真看了。",
    "您信里说的{issues}，每一处我都仔细看过了。",
    "关于{issues}，您写得很详细，我都认真读了。",
    "您反映的{issues}，来龙去脉我都看明白了。",
    "您这封信讲的{issues}，我逐字看过了。",
    "您说的{issues}，我都仔细看了，也都记下来了。",
]
LISTEN_MANY = [
    "您这次反映了几件事：{issues}，每一件我都认真看了。",
    "您信里提到了{issues}，几件事我都逐条记下了。",
    "您反映的几件事——{issues}——我都逐条看过了。",
    "您这封信里说到{issues}，我一件一件都记下来了。",
]
LISTEN_UNKNOWN = [
    "您来信反映的情况，我从头到尾认真看了。",
    "您信里写的经过，我都仔细看过了，也都记了下来。",
    "您反映的事情来龙去脉，我都认真读了。",
]
LISTEN_TAIL = [
    "{done}，前后{duration}，这件事我们不会再拖着。",
    "{done}，这个情况我会如实记录在案。",
    "{done}，这一点我们会正视。",
    "前后已经{duration}，您的每一条意见我们都会当真对待。",
    *_combos(["这件事由我来跟进", "后面由我负责跟进", "这件事我会一直跟下去", "从现在起由我负责对接",
              "您的意见已经正式登记", "这些情况我都登记在案了"],
             ["，您不用再一处处去找。", "，有进展我会主动告诉您。", "，每一点都会核实清楚。"]),
]

# -- empathize --------------------------------------------------------------------------------
EMPATHY_AGAINST_US = [
    "您找了我们却没有得到解决，这是我们的失职，我向您郑重道歉。",
    "事情拖到现在还没有着落，首先是我们物业做得不到位，对不起。",
    "您对物业的批评我们接受，没能及时回应您，是我们的不对。",
    "让您为这件事一次次奔走，是我们工作没做好，真的很抱歉。",
]
EMPATHY_VULNERABLE = [
    "{who}也受到影响，这件事带来的不便和担心就更多了，您的心情我完全理解。",
    "涉及{who}的生活和安全，再小的事也不能马虎，您着急是应该的。",
    "事情牵涉到{who}，换了谁都放心不下。",
]
EMPATHY_LONG = [
    "一件事拖了{duration}还没有结果，换了谁都会失望，您着急是应该的。",
    "前后{duration}都没解决，您的耐心已经给得够多了。",
    "拖了{duration}，这期间给您的生活添了太多麻烦。",
]
EMPATHY_MANY = [
    "这件事牵动着小区里很多住户的日常生活，大家的着急我们都看在眼里。",
    "这不是一家一户的事，关系到很多邻居的生活，我们不会轻视。",
    "这么多住户都受到影响，您站出来反映，也是在替大家说话。",
    "受影响的不止一家，大家心里着急，我们完全理解。",
    "您反映的是很多住户共同的困扰，我们会当成大事来办。",
    "邻居们都跟着受影响，这件事确实拖不得。",
]
EMPATHY_OUTSIDE = [
    "这件事牵涉好几个方面，您一次次反映还没有结果，心里着急我们理解。",
    "这类事情往往要好几个部门一起才能解决，拖得久了，谁都会觉得无助。",
    "事情卡在几个单位之间没人拍板，您的失望我们能体会。",
]
EMPATHY_DEFAULT = [
    "住在这里本该安心舒心，这件事给您添了不少烦恼，我们理解。",
    "家门口的事最磨人，您心里不痛快，我们能体会。",
    "这件事一直悬着，换了谁都会心烦，您的心情我们理解。",
    "您反映的每一处都是实实在在的困扰，我们不会敷衍。",
    "每天都要面对这种情况，确实让人心烦，您的感受我们理解。",
    "您愿意把情况写得这么详细，是希望事情真正解决，我们会认真对待。",
    "这件事影响到您的日常生活，您有意见完全可以理解。",
    "遇到这样的情况，换了谁都会不满，您的心情我们理解。",
]
# what the matter itself does to the owner's days (each line checked for grounding before use)
EMPATHY_ISSUE = {
    "leak": ["家里渗水漏水，住着提心吊胆，换了谁都受不了。",
             "漏水的事不解决，家里就不得安生，您着急是应该的。"],
    "lift": ["电梯是每天上下楼都离不开的，总出问题，老老少少都跟着受罪，您着急是应该的。",
             "天天要用的电梯靠不住，出门回家都成了难事，您的心情我们理解。"],
    "neighbor_noise": ["家里本该是休息的地方，被噪音吵得不得安宁，这种滋味我们能体会。",
                       "噪音一直不停，休息不好，人也跟着烦躁，您的感受我们理解。"],
    "business_noise": ["家门口吵吵闹闹，想好好休息都难，换了谁都受不了。",
                       "噪音一直不停，休息不好，人也跟着烦躁，您的感受我们理解。"],
    "construction_noise": ["施工的噪音一直不停，想好好休息都难，您的烦躁我们完全理解。"],
    "fumes": ["油烟影响的是每天的生活和健康，您的心情我们完全理解。",
              "油烟的问题让人住得不舒心，换了谁都会有意见。"],
    "garbage": ["垃圾堆着没人清，又脏又臭，住着心里肯定不舒服。",
                "家门口的垃圾问题天天看得见、闻得着，您有意见是应该的。"],
    "hygiene": ["环境脏乱，天天看在眼里，住着不舒心，您的意见我们完全理解。"],
    "fees": ["钱交得明明白白是您应有的权利，账说不清楚，换了谁都有疑问。",
             "每一笔费用都该让业主心里有数，您提出疑问是完全正常的。"],
    "parking": ["停车的事天天都要面对，不顺心的感受我们能体会。"],
    "security": ["住在小区里最要紧的是安心，安全上让人不放心，您担心是应该的。"],
    "pets": ["邻里之间养宠物的事处理不好，天天都闹心，您的感受我们理解。"],
    "defect": ["花了那么多心血买的房子出了质量问题，换了谁都着急上火。",
               "住的房子出问题，心里不踏实，您着急是应该的。"],
    "water_power": ["水电是过日子离不开的，一出问题全家都跟着受影响，您着急是应该的。"],
    "illegal_build": ["私搭乱建影响的是大家共同的环境和安全，您看不下去是应该的。"],
    "group_rental": ["楼里人员杂、进出乱，住着不安心，您担心是应该的。"],
    "commercial": ["住宅楼里做起了生意，人来人往，住着不得安宁，您的心情我们理解。"],
    "lighting": ["晚上黑灯瞎火的，出门回家都不方便，也不安全，您着急是应该的。"],
    "green": ["小区的绿化是大家共同的环境，看着变差，谁心里都不好受。"],
}
APOLOGY = [
    "您要求的道歉，我在这里正式向您说一声：对不起。",
    "对这件事给您带来的困扰，我代表物业服务中心向您郑重道歉。",
]

# -- ask --------------------------------------------------------------------------------------
ASK_VISIT = [
    "我们想先到现场看一看，您哪天方便一起去？",
    "为了不让您再多跑，我们上门来了解，您看哪个时段合适？",
    "我们想约个时间到现场看一看，您哪天、什么时段方便？",
    "我们打算先去现场核实，您看哪个时间方便陪我们一起看？",
    "为了把情况核实准确，我们想当面听您说说，您哪天有空？",
    "方便的话，约个时间我们上门当面了解一下，您看什么时候合适？",
]
ASK_WHERE = [
    "方便告诉我具体是哪一栋、哪个位置吗？我们好直接安排人去看。",
    "具体是在小区哪一处？您告诉我位置，我们直接去现场。",
]
ASK_EVIDENCE = [
    "关于{summary}，如果有现场照片或者之前的书面回复，方便一并发给我们吗？",
    "{summary}相关的照片、通知或者往来记录，方便的话发我们一份吗？我们逐项核实。",
    "为了把{summary}核实清楚，您手上的照片或书面材料方便发给我们吗？",
    "相关的照片、通知或者回复记录，方便的话发我们一份，我们逐项核实。",
    "您之前反映时如果留了照片或书面材料，方便发一份给我们吗？",
    "有照片、视频或者往来的记录的话，麻烦发给我们，我们对照着核实。",
    "手上有相关的单据或照片吗？方便的话发给我们，能省掉不少核实的时间。",
    "您手上如果有照片、视频或相关单据，方便发给我们吗？核实会更快。",
    "之前反映时留下的记录或照片，方便的话发给我们一份，我们对照着查。",
    "您说的情况如果拍过照片或者留有通知、回复，方便转给我们一份吗？",
    "之前和有关方面往来的书面材料，方便的话给我们看一下，我们心里更有数。",
]
ASK_FEES = [
    "您手上的缴费通知或收据，方便拍照发给我们吗？我们逐项核对。",
    "哪几项收费您觉得不合理？告诉我们，我们对照收费依据一项项说明。",
    "方便的话把相关单据发给我们，我们和财务的记录对一对。",
    "方便把相关的缴费单据或通知发给我们吗？我们对照明细逐项核对。",
    "您对哪几笔费用有疑问？把单据发给我们，我们逐笔核对。",
]
ASK_PRIORITY = [
    "这几件事里哪一件对您影响最大？我们先从那一件办起。",
    "您看这几件事里，先解决哪一件对您最要紧？我们就按这个顺序安排。",
    "这几件事里，您最希望我们先办哪一件？我们按您最着急的先安排。",
    "几件事我们都会跟，您看哪一件最急，我们先从那一件办起。",
]
ASK_CONTACT = [
    "有了答复，我们怎么联系您最方便？",
    "后面的进展，您希望我们什么时间、用什么方式告诉您？",
    "后面有进展，您希望我们电话联系还是当面说明？什么时段联系您方便？",
    "进展出来后，什么时间联系您比较方便？",
]

# -- act --------------------------------------------------------------------------------------
ACT_OURS = [
    "关于{summary}，我们{action}。",
    "{summary}这一项，我们{action}。",
]
ACT_SHARED = [
    "关于{summary}，物业能做的我们马上做：{action}；需要{who}处理的部分，我们会跟进到有答复为止。",
    "{summary}最终要由{who}来处理，但物业不会袖手旁观：我们{action}。",
]
ACT_OUTSIDE = [
    "{summary}需要{who}来决定，物业不能替他们拍板，这一点跟您说实话；我们能做的是：{action}。",
    "坦白跟您说，{summary}最终由{who}决定；我们{action}，有了答复第一时间转告您。",
    "{summary}要由{who}来处理，物业不能替他们拍板；我们{action}，并随时告诉您进展。",
]
ACT_SECONDARY = ["另外，您说的{summary}，我们{action}{follow}。", "至于{summary}，我们{action}{follow}。",
                 "您提到的{summary}，我们{action}{follow}。", "还有{summary}，我们{action}{follow}。"]
ACT_ESCALATE = [
    f"{head}{who}，{verb}。" for head, who, verb in product(
        ["这件事我已经报给", "我已经把情况报给", "这件事已经上报"], ["项目经理", "项目负责人", "服务中心经理"],
        ["由他亲自督办", "由他牵头推进", "请他盯着落实", "由他负责协调"])
]
_CALLBACK_TAILS = ["我给您回电话，说明进展。", "我会把处理进展告诉您。", "我会给您一个明确的答复。",
                   "我会先给您回个电话。", "我会把核实的结果告诉您。"]
# Within an agent's authority whenever the reply is approved (guardrails/authority.yaml: a call-back
# within 24 hours); "两个工作日内" / "明天下班前" would need a supervisor for most of the day.
ACT_CALLBACK = _combos(["二十四小时内", "一天之内", "不管进展快慢，二十四小时内", "不管进展快慢，一天之内"],
                       _CALLBACK_TAILS)
# an escalated matter gets an earlier first answer
ACT_CALLBACK_SOON = _combos(["两个小时内", "三个小时内", "四个小时内", "半天之内"], _CALLBACK_TAILS)

# -- negotiate --------------------------------------------------------------------------------
NEG_COMPENSATION = [
    "您提出的赔偿，我们先把损失情况一起核实清楚，再报公司按规定处理，我不能当场承诺金额，但会给您一个明确答复。",
    "关于赔偿，需要先把损失核实清楚；我会把您的要求如实报给公司，在规定范围内尽快给您答复。",
]
NEG_REFUND = [
    "退费或减免需要公司按规定审批，我不能当场答应您，但会把您的意见和依据如实报上去，并把结果告诉您。",
    "关于费用的要求，我们先把账目核对清楚，涉及退还或减免的，按规定报公司审批，结果如实告诉您。",
]
NEG_REPLACE = [
    "选聘或更换物业是业主的权利，要按业主大会的程序来，我们会配合，不设任何障碍；在那之前，日常服务我们照样做好。",
    "另选物业公司是业主依法享有的权利，我们尊重，也会配合相关程序；这段时间该做的服务，我们一样不会少。",
]
NEG_INFORMATION = _combos(
    ["您想了解的依据和情况", "您问到的几个问题", "您信里提出的疑问", "您关心的这些情况", "您要的说法"],
    ["，物业这边掌握的资料我们会整理出来给您看；不在我们手上的，我们帮您去问清楚。",
     "，我们会把能公开的资料和依据整理好，当面或书面向您说明。",
     "，我们会逐条整理成书面说明，能提供的资料一并附上。",
     "，能由物业回答的我们逐条回答，需要其他单位答复的，我们帮您去要答复。"])
NEG_PUNISH = [
    "对违规行为的查处要由执法部门来做，我们能做的是把现场情况和证据整理完整，配合他们依法处理。",
    "处罚和查处是执法部门的权力，物业会把掌握的情况如实提供，配合他们处理到位。",
]
NEG_DEFAULT = [
    "{summary}怎么处理，您有什么想法可以先告诉我们，我们一起商量一个能落实的办法。",
    "关于{summary}，处理方案定下来之前，我们会先听听您的意见。",
    "您希望事情怎么处理，可以先告诉我们，我们一起商量一个能落实的办法。",
    "方案定之前，我们会先听听您的想法，您觉得哪里不合适，我们再改。",
    "如果您方便，我们约个时间当面把处理办法商量定，您看可以吗？",
    "您看是我们先上门当面沟通，还是先把处理方案写成书面材料给您？",
    "处理方案出来后，我们先征求您的意见再落实，您有更好的办法也可以直接告诉我。",
    "如果您愿意，我们可以约上相关的邻居一起坐下来谈，把方案定得更周全。",
    "您对处理方式有什么要求，可以先跟我说，我们在能做到的范围里尽量照您的意思办。",
    "我们先按上面的安排推进，中途需要调整的，随时和您商量。",
    "{summary}的处理办法，我们会先拿出初步方案给您看，您同意了再落实。",
]
NEG_GROUP = [
    "如果大家愿意，我们可以组织业主沟通会，请业主代表参加，把情况和方案当面讲清楚。",
    "大家的意见比较集中，我们可以请业主代表和我们一起商量办法，您看是否可以？",
    "我们想请大家推选代表，和我们坐下来一起商量方案，您看这样好不好？",
]

# -- thank ------------------------------------------------------------------------------------
_THANK_HEADS = ["谢谢您把情况写得这么清楚", "感谢您的监督", "谢谢您愿意把这些问题告诉我们", "谢谢您的耐心",
                "谢谢您的来信", "感谢您花这么多时间反映情况", "谢谢您一直没有放弃反映"]
THANK_OPEN_MANY = _combos(["谢谢您替大家把问题提出来", "谢谢您代表邻居们把情况反映上来"],
                          ["，让您费心了，我们很抱歉。", "，事情拖到现在，真的对不起。"])
THANK_OPEN = _combos(
    _THANK_HEADS,
    ["，让您费心了，我们很抱歉。", "，给您添了麻烦，真的很抱歉。", "，事情拖到现在，真的对不起。",
     "，这件事让您受累了，对不起。", "，让您久等了，我们很抱歉。"])
THANK_IMPROVE = {
    "ours": ["这次的事我们会在内部通报，把处理流程再落实一遍。",
             "类似的情况我们会定期排查，不等业主反映才去处理。",
             "{summary}处理好之后，我们还会定期复查。",
             "我们会把这次的经过做成案例，在员工例会上讲一讲。",
             "同样的问题我们会在全小区排查一遍。",
             "处理的进展和结果，我们会在公告栏公布，大家都能看到。",
             "以后类似的反映，我们会当天登记、当天派人，不再拖。",
             "这次哪个环节没做到位，我们内部会查清楚，该整改的整改。",
             "这件事的处理经过，我们会如实记录，方便您随时查问。"],
    "shared": ["和有关部门的沟通情况，我们会定期告诉您，不让事情没了下文。",
               "{summary}每推进一步，我们都会告诉您，不让事情没了下文。",
               "{summary}，物业该做的部分我们会列出清单，做完一项告诉您一项。",
               "后续我们每一次和有关部门沟通的结果，都会及时告诉您。",
               "物业这边该做的，我们会一件件做到，并把结果告诉您。",
               "有关部门的答复一到，我们就转告您。",
               "和相关单位对接到哪一步，我们都会记下来，您随时问，我们随时说得清。",
               "有关单位那边有了结论，我们第一时间打电话告诉您。",
               "您关心的进展，我们每周整理一次告诉您，直到有结果为止。"],
    "outside": ["这件事虽然不归物业决定，但每一步进展我们都会替您盯着。",
                "{summary}虽然不由物业拍板，我们也会定期去问，有了消息就告诉您。",
                "{summary}的答复一到，我们马上转告您，不让您再去打听。",
                "有关方面给出答复后，我们会第一时间转告您。",
                "我们会定期去问进展，有消息马上告诉您。",
                "这件事的每一步，我们都会替您跟着。"],
}
THANK_FOLLOW = _combos(["事情有了结果，", "处理完以后，", "一周后，", "下周，", "这件事办完后，", "等{summary}有了结果，"],
                       ["我会回访您，听听您的意见。", "我会再回访您，看看情况有没有改善。",
                        "我会主动回访，不用您再来催。", "我会打电话回访，确认问题真的解决了。",
                        "我会再回访一次，问问还有哪里不满意。", "我会上门回访，看看是不是都落实了。"])


# -- the letter's own main point, safety first, our own conduct owned (agent/understand/gist.py) --
LEAD_QUOTE = [
    "您信里说“{q}”，这是您最着急的事，我先回应这一点。",
    "“{q}”——您信里的这句话我看到了，这件事我们先办。",
    "您写到“{q}”，这是整封信最要紧的地方，我先说这件事。",
    "您反映“{q}”，这件事我们不回避，先从它说起。",
    "您信里最急的一句是“{q}”，我先就这件事回复您。",
]
LEAD_SAFETY_TAIL = [
    "这关系到人身安全，我们今天就处理，不等走流程。",
    "涉及安全的事，我们先把眼前的危险排除，再谈其他。",
    "安全的事拖不得，我们先采取临时措施，再查原因。",
    "这是安全上的事，今天先把临时措施做到位。",
    "人的安全排在第一位，我们先处理眼前这一步。",
    "这件事我们当天处理，先保证大家的安全。",
    "先把安全问题解决，其他的我们随后逐一答复。",
    "危险不能等，我们先动手处理，原因随后查清。",
]
LEAD_SUPPLY_TAIL = [
    "这件事影响到每家每户的日常生活，我们先想办法解决眼前的难处。",
    "生活离不开的事，我们先把临时的办法落实下去。",
    "大家的日常生活等不起，我们先把临时保障做起来。",
]
LEAD_CUT_TAIL = [  # the supply was cut by us: no "临时保障", we undo it
    "这是我们做得不对，今天就改过来。",
    "这样做是我们的错，我们今天就纠正。",
]
LEAD_MORE_NAMED = [
    "您还提到{rest}，我也都记下了，下面一并答复。",
    "另外说到的{rest}，我们也会逐一核实答复。",
    "{rest}我也都看到了，后面一并说明。",
    "信里说到的{rest}，我们同样会核实，结果一并告诉您。",
]
# the owner's own disability is never used as a label for them
EMPATHY_NO_LABEL = [
    "您本来就有不少难处，这件事又一直没有着落，换了谁都着急，我们理解。",
    "这件事给您的生活添了很大的难处，您着急是应该的，我们不会敷衍。",
]
EMPATHY_ACCUSED = {
    "assault": ["我们的人对业主动手，这是绝不应该发生的事，我代表物业向被打的业主和您郑重道歉。",
                "动手打人的是我们的人，这是我们管理上的严重失职，我们不推卸，先向被打的业主道歉。"],
    "locked": ["锁是我们上的，这个做法没有先替大家着想，责任在我们，对不起。",
               "上锁是我们的做法，没有先想到大家的需要和安全，这是我们的错。"],
    "cut": ["停水停电是我们的做法，这样做不对，责任在我们。",
            "用这种办法对待业主，是我们做错了，我们向您道歉。"],
    "charges": ["您质疑的是我们自己的收费，该由我们把账说清楚，而不是让您来回追问。",
                "收费的事是我们自己的事，依据说不清楚，首先是我们的问题。"],
    "rules": ["您批评的是我们物业自己的做法，责任在我们，我们不推给别人。",
              "您指出的是我们自己做得不对的地方，我们认，也会改。"],
}
EMPATHY_HAZARD = {
    "no_water": ["没有水，做饭、洗漱都成了难题，这样的日子确实难熬，大家的着急我们完全理解。",
                 "停水影响的是最基本的生活，您和邻居们着急是应该的。"],
    "no_power": ["停电影响到生活的方方面面，大家的着急我们理解。"],
    "sewage": ["污水倒灌进来，又脏又臭，谁也没法正常过日子，您的心情我们理解。",
               "污水漫进来，既影响生活又影响健康，换了谁都受不了。"],
    "fire_exit": ["消防通道关系到整栋楼人的性命，您担心是完全应该的。"],
    "lift": ["电梯总出问题，上下楼提心吊胆，换了谁都不放心。", "天天要坐的电梯不让人放心，您担心是应该的。"],
    "structure": ["房子出现这样的问题，住在里面难免提心吊胆，您着急是应该的。"],
    "child": ["涉及孩子的安全，再小的隐患也不能放过，您担心是应该的。"],
    "gas": ["燃气的事关系到一家人的安全，您担心是应该的。"],
}
# stop-gap lines: what is done today, before any inspection or report (each checked for grounding)
STOPGAP = {
    "assault": ["涉事的保安从今天起停岗，我们全力配合公安调查；项目经理今天去看望被打的业主。",
                "动手的人员今天起停止上岗，接受调查，我们配合公安依法处理，并去看望被打的业主。"],
    "fire_exit": ["锁住的消防通道门今天全部打开，以后不再上锁，这件事不等检查，马上办。",
                  "消防通道今天就全部打开、保持畅通，我们每天巡查，不再锁门。",
                  "堵在消防通道里的东西今天清走，通道保持畅通，以后每天巡查，发现就清。",
                  "消防通道今天先清理出来，谁放的东西我们通知谁搬走，不搬的由我们清走。"],
    "gas": ["请先关闭燃气阀门、开窗通风，不要开关电器；我们的人马上和燃气公司一起到场。"],
    "sewage": ["外溢的污水今天先派人疏通、清理、消毒，堵住的地方当天打通，不让污水再倒灌进来。",
               "我们今天就派人疏通、清掏，把漫出来的污水清理干净并消毒。"],
    "no_water": ["恢复供水之前，我们先联系送水车和桶装水送到楼下，恢复时间一有准信就提前通知到每家每户。",
                 "没水的这段时间，我们先安排临时送水，停水、来水的时间提前通知大家。"],
    "no_power": ["恢复供电之前，我们先保障楼道的应急照明，来电时间一有准信就提前通知大家。"],
    "lift": ["有问题的电梯先停用、挂牌提示，维保单位今天到场检查，查清之前不让人冒险乘坐。",
             "出问题的电梯今天先请维保单位到场，有隐患就先停用，修好验过再开。"],
    "structure": ["开裂的部位我们今天先派人查看，判断有没有安全风险，有风险的先做临时防护。",
                  "有问题的部位今天先围挡、设警示，防止伤人，再请专业单位查看鉴定。"],
    "child": ["涉及孩子安全的地方，在彻底解决之前我们先派人上门做临时防护，今天就安排。"],
}
# supplies the company cut itself are restored, most complete first (the grounding check drops a
# line that names a supply the owner did not mention)
RESTORE = ["停掉的水电今天就恢复正常，以后不再用停水停电的办法对待业主。",
           "停掉的水今天就恢复正常，以后不再用停水的办法对待业主。",
           "停掉的电今天就恢复正常，以后不再用停电的办法对待业主。"]
OWN_ACT = {
    "locked": ["锁上的地方今天先打开，恢复正常使用；为什么锁、谁决定的，我们自己查清楚给您答复。"],
    "charges": ["收费的依据和明细由我们自己拿出来，一笔一笔给您说清楚，说不清的由我们负责纠正。",
                "这项收费是我们的做法，依据、标准和去向我们书面公开，有不合规的地方我们自己改。"],
    "rules": ["这是我们自己的做法，我们先停下来自查，查实有错就改，结果书面告诉您。",
              "您指出的做法，我们内部先查清楚是谁决定、依据什么，错了就纠正，不推给别人。"],
}
ASK_SAFETY = [
    "现在还有没有急需我们上门处理的地方？您告诉我，我们先去那里。",
    "眼下最让您担心的是哪一处？我们的人先去处理那里。",
    "现在情况有没有变得更严重？有的话请马上告诉我们，我们先派人去。",
    "家里或楼里现在有没有需要我们先照顾的老人、孩子？我们优先上门。",
    "今天我们派人过去，您看找谁对接现场情况最方便？",
    "我们今天就安排人到场，您方便的话在现场给我们指一指最急的地方好吗？",
    "您那边现在情况怎么样？我们的人到之前，有什么需要先帮您做的吗？",
    "临时措施做完后，我们想请您看看是否到位，您什么时间方便？",
]
ASK_ASSAULT = [
    "被打的业主现在情况怎么样？我们想先去看望，您方便告诉我们怎么联系他的家人吗？",
]
ASK_ESTATE = [
    "这件事各家的情况您最清楚，有没有家里有老人、孩子或病人、需要我们先照顾的？",
    "受影响的住户里，有没有特别困难、需要我们先上门的？告诉我，我们先去。",
]
ASK_LISTED = [
    "您列的几条我们逐条核对，书面答复您，您看是送到家里还是发到您方便的地方？",
    "您信里列的几点，我们一条一条书面答复，什么时间、用什么方式给您比较方便？",
]
NEG_OWN = [
    "您要的说法由我们自己给：查清经过、谁做的决定、怎么纠正，书面答复您，涉事人员按公司制度处理。",
    "这件事的责任在我们，处理结果——经过、整改和对相关人员的处理——我们会书面告诉您。",
    "怎么纠正、怎么弥补，我们先拿出方案给您看，您觉得不够的地方直接提，我们再改。",
    "我们想约您当面谈一次，把我们查到的经过和纠正办法讲清楚，您看什么时间合适？",
]


# -- the owner's own words for an issue (a label such as 「收费的问题」 reads stock) ---------------
_CLAUSE_END = re.compile(r"[，,。！!？?；;\n\s（）()“”\"：:]")
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]{1,2}[、．.]|\d{1,2}[、．.](?!\d)|[（(]\d{1,2}[)）]|"
                         r"[①②③④⑤⑥⑦⑧⑨⑩]|第[一二三四五六七八九十]{1,2}(?:[，、,]|点|条|是|(?=这))|其[一二三四五](?![他它中])|"
                         r"[一二三四五]是|请问|另外|还有|同时|并且|而且|但是|但|可是|然而|而一旦|一旦|而|由于|鉴于|针对|因为|因此|"
                         r"所以|致使|以致|从而)+")
# a greeting, a masked value, or words about the letter itself (…的投诉, 恳请领导…) say nothing of the matter
_NOT_WORDS = re.compile(r"尊敬|您好|你好|此致|敬礼|谢谢|感谢|投诉|反映|领导|〔|\[|"
                        r"为什么|为何|怎么|凭什么|难道|吗|呢|谁|户口|收入|工作单位|年龄|婚|"
                        r"减免|少收|退|免|赔|补偿|优惠|折|有没有|是否|能否|是不是|"
                        r"称|辩解|表示|声称|据说|告知|回复说|答复说")
# (questions, private matters, money we may not promise, and what someone else said — not the owner's matter)
WORDS_MIN, WORDS_MAX = 5, 22
# the owner's words name a matter when they say what is wrong
_GRIEVANCE = re.compile(r"不|没|无|未|差|乱|难|坏|堵|漏|渗|臭|吵|噪|脏|停|断|违|私自|擅自|强行|多收|超标|隐患|危险|"
                        r"裂|塌|沉|扰|占|锁|拖|欠|贵|高价|纵容|破坏|污|堆满|积水|泡|问题")
# issues that only say the company served badly: the owner's concrete matters are answered first
_META = {"service"}


def tidy_quote(text: str) -> str:
    """A clause of the owner's as a draft quotes it: no list numbering (二、 / （1） / 第一) or
    connective in front."""
    return _ENUMERATOR.sub("", text.lstrip(" 　.．、，,")).strip(" 　：:、，,.．")


def _span(issue: IssueType, sit: Situation):  # noqa: ANN202 - the issue's Fact or None
    return next((f for f in sit.facts if f.kind == "issue" and f.detail.removesuffix("+title") == issue.key), None)


def owner_words(issue: IssueType, sit: Situation, plain: str) -> str:
    """The owner's own clause in which ``issue`` was found (grounded by construction), tidied, or ""
    when it is too short, too long, a greeting or holds a masked value."""
    span = _span(issue, sit)
    if span is None or not plain or span.start >= min(len(plain), HEAD_CHARS):
        return ""  # deep in a long letter a clause is often what someone else said, not the owner's matter
    return _grievance_at(span.start, span.end, plain)


@lru_cache(maxsize=1024)
def _grievance_at(start: int, end: int, plain: str) -> str:
    from agent.understand.gist import _clean

    words = _words_at(start, end, plain, _clean)
    return words if _GRIEVANCE.search(words) else ""  # "开发商约业主们座谈" is background, not a grievance


def _words_at(start: int, end: int, plain: str, clean) -> str:  # noqa: ANN001 - gist's clause cleaner
    before = [m.end() for m in _CLAUSE_END.finditer(plain, 0, start)]
    after = _CLAUSE_END.search(plain, end)
    clause = plain[before[-1] if before else 0: after.start() if after else len(plain)]
    words = tidy_quote(clean(clause))
    if not (WORDS_MIN <= len(words) <= WORDS_MAX) or _NOT_WORDS.search(words):
        return ""
    return words


def _named(issue: IssueType, sit: Situation, plain: str, taken: str = "", avoid: str = "") -> str:
    """How a draft names an issue: the owner's words in quotes, else its label; an issue whose words
    are already quoted (``taken``) or were in the rejected draft of a re-ask (``avoid``) gets its label."""
    words = owner_words(issue, sit, plain)
    if words and words not in taken and (not taken or taken not in words) and words not in avoid:
        return f"“{words}”"
    return issue.summary


def _concrete_first(issues: list[IssueType]) -> list[IssueType]:
    return [i for i in issues if i.key not in _META] + [i for i in issues if i.key in _META]


def _covered_by(issue: IssueType, text: str) -> bool:
    """The quoted clause already speaks of this issue."""
    return bool(text) and re.search(issue.pattern, text) is not None


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}，还有{names[1]}"
    return f"{names[0]}、{names[1]}，以及{names[2]}"


# a clause that matters only because it names a person (我家孩子在读高三) is not the letter's point
_PEOPLE = re.compile(r"孩子|小孩|老人|学生|小朋友")


def _lead_quote(sit: Situation, gist: Gist | None, plain: str) -> str:
    """The clause the reply opens with: the letter's main point (agent/understand/gist.py), tidied;
    when that clause only names a person and no issue or hazard, the primary issue's own words."""
    quote = tidy_quote(gist.quote) if gist and gist.quote else ""
    if len(quote) < WORDS_MIN:
        quote = ""
    if not quote or any(_covered_by(i, quote) for i in sit.issues) or any(re.search(p, quote) for _k, p in HAZARDS):
        return quote
    if _PEOPLE.search(quote):
        return _hazard_words(gist, plain) or (owner_words(sit.primary, sit, plain) if sit.primary else "")
    # a clause about none of the letter's matters, while its title names the primary one: the title's words
    titled = sit.primary is not None and any(f.kind == "issue" and f.detail == sit.primary.key + "+title"
                                             for f in sit.facts)
    return (owner_words(sit.primary, sit, plain) if titled else "") or quote


def _hazard_words(gist: Gist, plain: str) -> str:
    """The owner's clause that names the letter's first hazard, or ""."""
    from agent.understand.gist import _clean

    cue = dict(HAZARDS).get(gist.hazard or "")
    hit = re.search(cue, plain) if cue else None
    if hit is None:
        return ""
    return _words_at(hit.start(), hit.end(), plain, _clean)


def _fmt(template: str, sit: Situation, **extra: str) -> str:
    who = sit.vulnerable or ""
    return template.format(done=_done_clause(sit),
                           duration=sit.duration or "", who=who, **extra)


def _usable(template: str, sit: Situation) -> bool:
    return (("{done}" not in template or bool(_done_clause(sit)))
            and ("{duration}" not in template or bool(sit.duration))
            and ("{who}" not in template or bool(sit.vulnerable)))


def _choose(bank: list[str], sit: Situation, seed: int, avoid: str = "") -> str:
    usable = [_fmt(t, sit) for t in bank if _usable(t, sit)] or [_fmt(t, sit) for t in bank]
    return _pick(usable, seed, avoid, salt=bank[0][:6])


def _join(parts: list[str], required: int) -> str:
    parts = [p for p in parts if p]
    while len("".join(parts)) > MAX_LETTER_CHARS and len(parts) > required:
        parts.pop()
    return "".join(parts)


def _safe(options: list[str], plain: str) -> list[str]:
    """The lines of a bank that name nothing the complaint does not (agent/guard/grounding.py);
    each line is checked once per complaint (the six stages ask about the same banks)."""
    from agent.guard.grounding import ungrounded_phrase

    return [o for o in options if not ungrounded_phrase(o, plain)]


def _labelled(sit: Situation, gist: Gist | None) -> bool:
    """The owner may be spoken of through a vulnerable-people word (never their own disability)."""
    if not sit.vulnerable:
        return False
    return not (sit.vulnerable in ("残疾人", "行动不便的人") or (gist is not None and gist.disabled_self))


# a stop-gap line names how the danger came about only in the owner's terms: "unlock" only for a
# locked exit, "clear it" only for a blocked one
_LOCKED = re.compile(r"锁|焊|封")
_STOPGAP_NEEDS = ((re.compile(r"锁"), lambda plain: bool(_LOCKED.search(plain))),
                  (re.compile(r"堵在|东西|清理出来"),
                   lambda plain: bool(re.search(r"堵|占|堆|放", plain)) and not _LOCKED.search(plain)))


def _stopgap(gist: Gist | None, plain: str, seed: int, avoid: str) -> str:
    for hazard in gist.hazards if gist else ():
        if hazard == "assault" and "assault" not in gist.accused:
            continue  # a fight between others: no "our guard is suspended"
        if hazard in ("no_water", "no_power") and "cut" in gist.accused:
            restored = _safe(RESTORE, plain)  # we cut it ourselves: restore it, no water truck
            if restored:
                return next((r for r in restored if r[:10] not in avoid), restored[0])
        lines = [o for o in _safe(STOPGAP[hazard], plain)
                 if all(not says.search(o) or needs(plain) for says, needs in _STOPGAP_NEEDS)]
        if lines:
            return _pick(lines, seed, avoid, salt="stopgap-" + hazard)
    return ""


def _own(gist: Gist | None, plain: str, seed: int, avoid: str) -> str:
    for act in gist.accused if gist else ():
        if act in OWN_ACT and not (act == "locked" and "fire_exit" in gist.hazards):
            lines = [line for line in _safe(OWN_ACT[act], plain) if _says_how(line, plain)]
            if lines:
                return _pick(lines, seed, avoid, salt="own-" + act)
    return ""


def _says_how(line: str, plain: str) -> bool:
    """A line that says how it was done (锁 — locked) only when the owner says so too (封死 / 堵死
    are not 上锁)."""
    return "锁" not in line or "锁" in plain


# issues a stop-gap already answers (no "inspect and list the faults" after "unlock today")
_COVERED = {"fire_exit": {"fire_safety"}, "lift": {"lift", "trapped"}, "no_water": {"water_power"},
            "no_power": {"water_power"}, "gas": {"gas"}, "assault": {"security"}, "sewage": {"hygiene"}}


def compose_letter(stage: Stage, sit: Situation, seed: int, *, group: bool, escalate: bool,
                   avoid: str = "", gist: Gist | None = None, plain: str = "") -> str:
    """The text of one stage for a long written complaint. ``gist`` (agent/understand/gist.py) is what
    the letter is really about: its own main point, its hazards, what it accuses us of."""
    s = seed + list(Stage).index(stage) * 7
    primary = sit.primary
    accused = bool(gist and gist.accused)
    hazard = _stopgap(gist, plain, s, "") if gist else ""
    if stage is Stage.listen:
        quote = _lead_quote(sit, gist, plain)
        if quote and quote not in avoid:  # a rejected quote: the issue names instead
            ours = primary is None or primary.scope != "outside" or accused
            head = _pick([t for t in LEAD_QUOTE if ours or "先办" not in t], s, avoid).format(q=quote)
            rest = [i for i in _concrete_first(list(sit.issues))
                    if not _covered_by(i, quote) and not (i.key in _META and sit.against_property)
                    and (owner_words(i, sit, plain) or _borne_out(i, sit, plain))]  # no label the letter does not bear out
            if hazard in RESTORE:
                tail = _pick(LEAD_CUT_TAIL, s // 3, avoid)
            elif hazard and gist.hazard in ("no_water", "no_power"):
                tail = _pick(LEAD_SUPPLY_TAIL, s // 3, avoid)
            elif hazard:
                tail = _pick(LEAD_SAFETY_TAIL, s // 3, avoid)
            elif rest:
                tail = _pick(LEAD_MORE_NAMED, s // 3, avoid).format(
                    rest=_names(list(dict.fromkeys(_named(i, sit, plain, quote, avoid) for i in rest[:2]))))
            else:
                tail = _choose(LISTEN_TAIL, sit, s // 3, avoid)
            return _join([head, tail], 1)
        if not sit.issues:
            head = _pick(LISTEN_UNKNOWN, s, avoid)
        else:
            named = _names([_named(i, sit, plain, avoid=avoid) for i in _concrete_first(list(sit.issues))])
            head = _pick(LISTEN_MANY if len(sit.issues) > 1 else LISTEN_ONE, s, avoid).format(issues=named)
        return _join([head, _choose(LISTEN_TAIL, sit, s // 3, avoid)], 1)
    if stage is Stage.empathize:
        parts = []
        if accused:
            owned = [line for line in EMPATHY_ACCUSED[gist.accused[0]] if _says_how(line, plain)]
            parts.append(_pick(owned or EMPATHY_ACCUSED["rules"], s, avoid))
        elif "apology" in sit.demands or sit.against_property:
            parts.append(_pick(EMPATHY_AGAINST_US if sit.against_property else APOLOGY, s, avoid))
        felt = _safe(EMPATHY_HAZARD.get(gist.hazard or "", []), plain) if hazard and not parts else []
        if felt:  # the harm itself, not a generic "这件事给您添了烦恼"
            parts.append(_pick(felt, s, avoid))
        elif not accused and "apology" not in sit.demands:
            # what the matter itself does to the owner's days, not "很多住户共同的困扰" (an owner who asks
            # for an apology was hurt by how they were treated: the apology speaks to that)
            matter = _concrete_first(list(sit.issues))[0] if sit.issues else None
            sure = _sure(matter, sit, plain)
            lived = [line for line in (_safe(EMPATHY_ISSUE.get(matter.key, []), plain) if sure else [])
                     if line[:10] not in avoid]  # a re-ask: another line, or the generic ones
            if lived:
                parts.append(_pick(lived, s, avoid, salt="lived"))
        if sit.vulnerable and not _labelled(sit, gist):
            if not parts:
                parts.append(_pick(EMPATHY_NO_LABEL, s, avoid))
        elif sit.vulnerable:
            parts.append(_choose(EMPATHY_VULNERABLE, sit, s, avoid))
        elif sit.duration and not parts:
            parts.append(_choose(EMPATHY_LONG, sit, s, avoid))
        elif sit.many and not parts:
            parts.append(_pick(EMPATHY_MANY, s, avoid))
        if not parts:
            bank = EMPATHY_OUTSIDE if primary and primary.scope == "outside" else EMPATHY_DEFAULT
            parts.append(_pick(bank, s, avoid))
        if "apology" in sit.demands and (sit.against_property or accused):
            parts.append(_pick(APOLOGY, s, avoid))
        return _join(parts, 1)
    if stage is Stage.ask:
        return _ask(sit, gist, plain, s, avoid, hazard=bool(hazard))
    if stage is Stage.act:
        head, lines, _left = _act_plan(sit, gist, plain, s, avoid, hazard=hazard, accused=accused)
        parts = head + lines[:1]
        required = max(1, len(parts))
        if (escalate or group or hazard or accused) and not _ESCALATED.search("".join(head + lines)):
            parts.append(_pick(ACT_ESCALATE, s, avoid))
        parts += lines[1:]
        soon = escalate or group or hazard or accused
        callback = _pick(ACT_CALLBACK_SOON if soon else ACT_CALLBACK, s // 5, avoid)
        text = _join(parts, required)
        while len(text) + len(callback) > MAX_LETTER_CHARS and len(parts) > 1:
            parts.pop()
            text = _join(parts, 1)
        return text + callback
    if stage is Stage.negotiate:
        left = _act_plan(sit, gist, plain, s - 1, avoid, hazard=hazard, accused=accused)[2]
        rest = (_pick(NEG_REST, s, avoid).format(names=_names([_named(i, sit, plain, avoid=avoid) for i in left[:2]]))
                if left else "")
        return _join([rest, _negotiate(sit, s, avoid, group=group, hazard=hazard, accused=accused)], 1)
    # thank
    primary = _concrete_first(list(sit.issues))[0] if sit.issues else None
    scope = primary.scope if primary else "ours"
    if accused:
        scope = "ours"
    # a label whose matter the owner's words do not bear out (车库 is not 停车管理) is not repeated here
    sure = _sure(primary, sit, plain) and not primary.summary.endswith("的事")  # no "涉及开发商的事的答复"
    bank = THANK_IMPROVE[scope] if sure else [t for t in THANK_IMPROVE[scope] if "{summary}" not in t]
    improve = _pick(bank, s, avoid).format(summary=primary.summary if primary else "")
    opening = _pick(THANK_OPEN + (THANK_OPEN_MANY if sit.many else []), s, avoid, salt="thank-open")
    follow = _pick(THANK_FOLLOW, s // 3, avoid).format(summary=primary.summary if sure else "这件事")
    return _join([opening, improve, follow], 3)


ACT_POINT = ["针对这一点，我们{action}。", "这件事我们{action}。", "对您说的这件事，我们{action}。"]


def _ask(sit: Situation, gist: Gist | None, plain: str, s: int, avoid: str, *, hazard: bool) -> str:
    primary = sit.primary
    if gist and "assault" in gist.accused:
        lines = _safe(ASK_ASSAULT, plain)
        if lines:
            return _pick(lines, s, avoid)
    if hazard:
        return _pick(_safe(ASK_SAFETY, plain) or ASK_CONTACT, s, avoid)
    attached = bool(gist and gist.attached)
    wide = bool(gist and gist.estate_wide) or sit.many
    listed = bool(gist and gist.listed)
    evidence = [] if attached else [q for q in ASK_EVIDENCE if "{summary}" not in q or _sure(primary, sit, plain)]
    matter = _matter_question(sit, gist, plain, s, avoid) if not listed else ""
    if matter:  # what THIS matter still needs, before any "how shall we contact you"
        return matter
    if primary is None:
        bank = ASK_VISIT
    elif listed:
        bank = ASK_LISTED
    elif gist and "charges" in gist.accused:
        bank = ASK_CONTACT
    elif primary.category == "fees":
        bank = [q for q in ASK_FEES if not (attached and "单据" in q)] or ASK_CONTACT
    elif len(sit.issues) > 2:
        bank = ASK_PRIORITY + evidence
    elif primary.scope == "outside" or primary.category in ("other", "service_attitude"):
        bank = ASK_CONTACT + [q for q in evidence if "{summary}" not in q]  # nothing on site to look at
    elif wide:
        bank = ASK_ESTATE + ASK_CONTACT
    else:
        has_place = any(f.kind == "where" for f in sit.facts)
        bank = ASK_VISIT + evidence + ([] if has_place else ASK_WHERE)
    return _pick(bank, s, avoid).format(summary=primary.summary if primary else "")


def _act_for(issue: IssueType, seed: int, avoid: str, name: str = "", action: str = "") -> str:
    name = name or issue.summary
    action = action or _action_for(issue, name)
    if issue.scope == "ours":
        return _pick(ACT_OURS, seed, avoid).format(summary=name, action=action)
    bank = ACT_SHARED if issue.scope == "shared" else ACT_OUTSIDE
    return _pick(bank, seed, avoid).format(summary=name, action=action, who=issue.who)


# no recognised matter, but the letter's own main point: that is what we go and check
ACT_QUOTE = ["针对您说的“{q}”，我们会先派人到现场把情况核实清楚，再定处理办法，需要其他单位处理的由我们去联系。",
             "您说的“{q}”，我们先安排人到现场核实，物业能处理的马上处理，物业管不了的，我们负责联系有关单位。"]
ACT_META = [
    "之前反映了却一直没有处理好，这一点我已经报给项目经理，由他牵头查清原因。",
    "为什么之前一直没有结果，我们已经报给项目经理，由他牵头查清楚、追到责任人。",
    "之前没有处理好的原因，项目经理会亲自牵头查清，该追责的追责。",
]
NEG_REST = [
    "信里说到的{names}，我们也会逐条核实，和上面几件事一起答复您。",
    "{names}，我们核实清楚后一并给您书面说明。",
    "您还提到{names}，这些我们同样会核实，结果一起告诉您。",
]
# a line that already names the manager who oversees it: no second "已经报给项目经理"
_ESCALATED = re.compile(r"项目经理|服务中心经理|项目负责人")


def _act_plan(sit: Situation, gist: Gist | None, plain: str, s: int, avoid: str, *, hazard: str,
              accused: bool) -> tuple[list[str], list[str], list[IssueType]]:
    """What the act stage does: (stop-gap / own-correction lines, one line per issue answered —
    concrete matters before "物业不作为" — and the issues left for negotiate). Every issue of the
    letter gets an answer in act or negotiate."""
    head: list[str] = []
    covered: set[str] = set()
    if hazard:
        head.append(hazard)
        for h in gist.hazards:
            covered |= _COVERED.get(h, set())
        if hazard in RESTORE:
            covered.add("punitive")
    own = _own(gist, plain, s, avoid)
    if own:
        head.append(own)
        covered |= {"fees"} if "charges" in gist.accused else set()
    # an issue the letter does not bear out and whose words we cannot quote is not answered under a wrong label
    issues = _concrete_first([i for i in sit.issues if i.key not in covered
                              and (owner_words(i, sit, plain) or _borne_out(i, sit, plain))])
    if accused:  # answered as the company itself: nothing forwarded to others first
        issues = [i for i in issues if i.scope != "outside"] + [i for i in issues if i.scope == "outside"]
    quote = _lead_quote(sit, gist, plain)
    lines: list[str] = []
    if sit.primary is None and not head:
        lines.append(_pick(ACT_QUOTE, s, avoid).format(q=quote) if quote and quote not in avoid
                     else "您反映的情况，我已经登记下来，会请相关部门的负责人逐条核实。")
    budget = MAX_LETTER_CHARS - len("".join(head)) - 40  # room for the escalation and the callback
    # one line per action: two matters that get the same answer are named together
    plan: list[tuple[IssueType, str, str]] = []
    for issue in issues[:3]:
        name = _named(issue, sit, plain, quote, avoid)
        words = owner_words(issue, sit, plain)  # the answer fits the owner's words even when the label names it
        action = _action_for(issue, f"“{words}”" if words else name)
        if action == issue.action and not _borne_out(issue, sit, plain):
            action = _GENERAL  # a hypothetical, or a place word only: check on site, assume nothing
        same = next((k for k, (_i, _n, a) in enumerate(plan) if a == action), None)
        twin = next((k for k, (_i, n, _a) in enumerate(plan) if n == name), None)
        if issue.scope == "outside" and issue.who and any(issue.who in a for _i, _n, a in plan):
            continue  # "书面督促开发商…" already answers "涉及开发商的事"
        if twin is not None:  # the same words of the owner's found two issues: the more specific answer
            if plan[twin][2] == _GENERAL:
                plan[twin] = (issue, name, action)
        elif same is None:
            plan.append((issue, name, action))
        else:
            first, first_name, _a = plan[same]
            plan[same] = (first, f"{first_name}和{name}", action)
    # an owner who asks for an apology for how they were treated: that is answered first
    conduct = _conduct_line(sit, plain, s, avoid) if not accused and all(a != _CONDUCT_ACTION for _i, _n, a in plan) else ""
    if conduct:
        lines.append(conduct)
    answered = 0
    for issue, name, action in plan:
        if issue.key in _META and not name.startswith("“"):
            line = _pick(ACT_META, s, avoid)  # "物业的管理和服务" is no way to name what went wrong
        elif not head and not lines:
            if quote and _covered_by(issue, quote) and issue.scope == "ours" and "和“" not in name:
                line = _pick(ACT_POINT, s, avoid).format(action=action)
            else:
                line = _act_for(issue, s, avoid, name, action)
        else:
            follow = "" if issue.scope == "ours" else "，进展我一并跟进"
            line = _pick(ACT_SECONDARY, s, avoid, salt=issue.key).format(summary=name, action=action, follow=follow)
        if lines and len("".join(lines)) + len(line) > budget:
            break
        lines.append(line)
        answered += 1
    left = [i for i, _n, _a in plan[answered:]] + issues[3:]
    return head, lines, left


_MISTREATED = re.compile(r"态度|骂|吼|翻白眼|挂电话|不耐烦|嘲笑|笑话|冷嘲热讽|爱理不理|不理不睬|打断")
CONDUCT_LINES = ["您说的“{w}”，我们{action}。", "对“{w}”这件事，我们{action}。"]
CONDUCT_PLAIN = ["您受到的这种对待，我们{action}。", "当时对待您的方式，我们{action}。"]


def _conduct_line(sit: Situation, plain: str, s: int, avoid: str) -> str:
    from agent.understand.gist import _clean

    if "apology" not in sit.demands:
        return ""
    hit = _MISTREATED.search(plain)
    if hit is None:
        return ""
    words = _words_at(hit.start(), hit.end(), plain, _clean)
    if words and words not in avoid:
        return _pick(CONDUCT_LINES, s, avoid).format(w=words, action=_CONDUCT_ACTION)
    return _pick(CONDUCT_PLAIN, s, avoid).format(action=_CONDUCT_ACTION)


# issues found through a word that is often only a place or an object (车库, 门禁): when the owner's
# clause lacks the cue of the matter itself, the reply does not assume it (no "停车秩序" for a
# flooded garage drain) and checks on site instead
_STRONG_CUE = {"parking": re.compile(r"乱停|乱放|停放|停车难|车位被占|占用车位|占道|堵车|堵路|挡住|没地方停"),
               "security": re.compile(r"保安|外来|陌生|偷(?!工)|盗|治安|监控|门禁.{0,6}(坏|失灵|虚设|不管用|随便)")}
_CONDUCT = re.compile(r"态度|骂|吼|凶|翻白眼|挂电话|不耐烦|威胁|恐吓|停我家|不交就")
_GENERAL = "会先到现场把情况核实清楚，再定处理办法"
_CONDUCT_ACTION = "已经报给项目经理，核实当时的经过，属实的按公司制度处理，并当面道歉"


_HYPOTHETICAL = re.compile(r"如果|万一|要是|假如|假设|怎么办|会不会|是否")


def _borne_out(issue: IssueType, sit: Situation, plain: str) -> bool:
    """The owner's whole clause around the issue states it as a real, present matter: not a
    hypothetical (如果…漏水怎么办) and, for an issue found through a place or object word (车库,
    门禁), with the cue of the matter itself."""
    span = _span(issue, sit)
    if span is None or span.start >= len(plain):
        return True
    return _borne_at(issue.key, span.start, span.end, plain)


@lru_cache(maxsize=1024)
def _borne_at(key: str, start: int, end: int, plain: str) -> bool:
    before = [m.end() for m in _SENTENCE_END.finditer(plain, 0, start)]
    after = _SENTENCE_END.search(plain, end)
    clause = plain[before[-1] if before else 0: after.start() if after else len(plain)]
    if _HYPOTHETICAL.search(clause):
        return False
    cue = _STRONG_CUE.get(key)
    return cue is None or cue.search(clause) is not None


def _sure(issue: IssueType | None, sit: Situation, plain: str) -> bool:
    """Whether a draft may speak of the issue as what it is labelled (empathy, questions, thanks)."""
    return issue is not None and _borne_out(issue, sit, plain) \
        and _action_for(issue, _named(issue, sit, plain)) != _GENERAL


_SENTENCE_END = re.compile(r"[，,。！!？?；;\n]")


def _action_for(issue: IssueType, name: str) -> str:
    words = name.strip("“”") if name.startswith("“") else ""
    if words and _CONDUCT.search(words) and issue.key in ("service", "security"):
        return _CONDUCT_ACTION
    cue = _STRONG_CUE.get(issue.key)
    if words and cue is not None and not cue.search(words):
        return _GENERAL
    return issue.action


def _negotiate(sit: Situation, s: int, avoid: str, *, group: bool, hazard: str, accused: bool) -> str:
    primary = sit.primary
    for key, bank in (("compensation", NEG_COMPENSATION), ("refund", NEG_REFUND), ("replace", NEG_REPLACE),
                      ("punish", NEG_PUNISH), ("information", NEG_INFORMATION)):
        if accused and key not in ("compensation", "refund"):
            continue  # our own conduct: our own answer (NEG_OWN), not "执法部门" or "资料"
        if key in sit.demands and not (key == "punish" and hazard):  # no "执法部门的权力" on a hazard
            return _pick(bank, s, avoid)
    if accused:
        return _pick(NEG_OWN, s, avoid)
    label = (primary.summary if primary and primary.key not in _META and not primary.summary.endswith(("问题", "的事"))
             else "这件事")
    bank = NEG_GROUP if group else [t for t in NEG_DEFAULT if sit.many or "邻居" not in t]
    return _pick(bank, s, avoid).format(summary=label)


# -- ask: the one fact the matter still needs (where / when / what), skipped when the letter says it --
ASK_MATTER: dict[str, list[tuple[str, str]]] = {
    "leak": [("where", "漏水主要在哪个位置？是一直在渗，还是下雨或者楼上用水的时候才漏？"),
             ("what", "渗漏的范围现在还在扩大吗？师傅上门前我们想先了解清楚。")],
    "lift": [("what", "出问题的是哪一台电梯？一般是什么情况下出故障？我们好让维保单位对症查。")],
    "neighbor_noise": [("when", "声音一般集中在什么时段？知道大概是哪一户的话，我们上门沟通会更快。")],
    "business_noise": [("when", "吵闹一般集中在什么时段？我们好安排人在那个时间去现场看。")],
    "construction_noise": [("when", "施工的声音一般从什么时段开始？我们好对照施工许可去核实。")],
    "fumes": [("where", "油烟主要从哪家店、哪个位置排出来？我们好直接找到经营方。")],
    "garbage": [("where", "垃圾堆放最严重的是哪个位置？我们让保洁先从那里清起。")],
    "hygiene": [("where", "最脏乱的是哪几处？我们让保洁先从那里做起。")],
    "parking": [("where", "乱停车最集中的是哪一段路？我们先在那里加强疏导。")],
    "pets": [("where", "大概是哪一栋的住户养的？我们好直接上门提醒。")],
    "lighting": [("where", "不亮的灯在哪个位置？我们让师傅直接去修。")],
    "water_power": [("what", "现在是整栋楼都受影响，还是只有您家？知道这个我们排查会快很多。")],
    "defect": [("what", "出现问题的部位大概从什么时候开始的？方便的话拍几张照片给我们，工程部先做判断。")],
    "illegal_build": [("where", "搭建的位置具体在哪里？我们好去现场核实。")],
    "green": [("where", "受影响的是哪一片绿地？我们让绿化班组先去看。")],
}
_WHEN_SAID = re.compile(r"\d+点|[一二三四五六七八九十两]+点|晚上|夜里|夜间|凌晨|早上|上午|下午|中午|半夜|深夜|每天|周末|通宵")


def _matter_question(sit: Situation, gist: Gist | None, plain: str, s: int, avoid: str) -> str:
    """A question about the first concrete matter whose answer the letter does not give (no "where"
    for an estate-wide matter or a letter that names the building, no "when" when it says the hours),
    or "" (then the general banks)."""
    matter = _concrete_first(list(sit.issues))[0] if sit.issues else None
    if matter is None or matter.scope == "outside":
        return ""
    if not _sure(matter, sit, plain):
        return ""  # the label is not borne out by the owner's words: no question built on it
    where_said = any(f.kind == "where" for f in sit.facts) or bool(gist and gist.estate_wide)
    said = {"where": where_said, "when": bool(_WHEN_SAID.search(plain)), "what": False}
    open_ = [q for kind, q in ASK_MATTER.get(matter.key, []) if not said[kind]]
    if gist and gist.attached:
        open_ = [q for q in open_ if "照片" not in q]
    open_ = [q for q in _safe(open_, plain) if q[:10] not in avoid]
    return _pick(open_, s, avoid, salt="matter") if open_ else ""
