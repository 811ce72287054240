"""Emergency-contact guide: for someone called about another person's debt.

A few questions (guarantor? relation? repeated calls?), then: whether they must pay,
what they may say and do, a short phone script and a written notice asking the
creditor to stop contacting them.
"""
from __future__ import annotations

from bot.engine.answers import Citation
from bot.tools import inputs
from bot.tools.common import citations_block, cite, disclaimer, say, to_lang, unique
from bot.tools.creditors import hotline_text
from bot.tools.documents import to_docx
from bot.tools.wizard import Choice, FormWizard, Question, ToolResult, register

GUARANTEE = (
    Choice("none", "没有，从没签过", "No, I never signed anything", ("没有", "没签", "没", "否", "no", "never")),
    Choice("guarantor", "签过担保（保证人）", "I signed as a guarantor", ("担保", "保证人", "guarantor", "guarantee")),
    Choice("joined", "表示过愿意一起还", "I told the lender I would help repay", ("愿意", "一起还", "承诺", "joined",
                                                                               "promised")),
    Choice("unsure", "不确定", "Not sure", ("不确定", "不知道", "忘了", "not sure", "unsure", "don't know")),
)
RELATION = (
    Choice("spouse", "配偶", "Spouse", ("老婆", "老公", "妻子", "丈夫", "爱人", "spouse", "wife", "husband")),
    Choice("family", "父母、子女或其他亲属", "Parent, child or other relative",
           ("父母", "子女", "亲属", "亲戚", "爸", "妈", "儿子", "女儿", "兄弟", "姐妹", "parent", "child", "relative")),
    Choice("friend", "朋友或同事", "Friend or colleague", ("朋友", "同事", "同学", "领导", "friend", "colleague")),
    Choice("stranger", "不认识这个人", "I don't know this person", ("不认识", "陌生", "stranger", "don't know")),
)
REPEATED = (
    Choice("yes", "是，反复来电或发信息", "Yes, they keep calling or texting", ("是", "对", "反复", "经常", "yes", "often")),
    Choice("no", "没有，只联系过一两次", "No, only once or twice", ("否", "没有", "不是", "一两次", "no", "once")),
)


@register
class ContactGuideWizard(FormWizard):
    name = "contact"
    questions = (
        Question("guarantee", "你有没有签过担保合同、在借款合同上以保证人身份签字，或书面向银行承诺过替他还款？",
                 "Did you ever sign a guarantee, sign the loan as a guarantor, or promise the lender in writing to pay?",
                 choices=GUARANTEE),
        Question("relation", "欠款人是你的什么人？", "Who is the borrower to you?", choices=RELATION),
        Question("repeated", "对方是否反复给你打电话或发信息？", "Do they call or text you repeatedly?", choices=REPEATED),
        Question("creditor", "是哪家银行或机构在催收？（用于书面通知；不知道请回复“跳过”）",
                 "Which bank or lender is calling? (for the written notice; reply 'skip' if you don't know)",
                 parse=lambda text, answers: {"id": None, "name": ""} if inputs.is_skip(text)
                 else inputs.creditor(text, answers),
                 hints=(("中信银行", "China CITIC Bank"), ("跳过", "skip"))),
    )

    def build(self, answers: dict, lang: str) -> ToolResult:
        citations = self._citations(answers)
        body = _english(answers, citations) if lang == "en" else to_lang(_chinese(answers, citations), lang)
        notice = to_lang(_notice(answers), lang) if lang != "en" else _notice(answers)
        document = to_docx(say("停止联系告知函", "Notice to stop contacting me", lang), notice)
        return ToolResult(text=body, citations=citations, document_name="stop-contact-notice.docx",
                          document_bytes=document)

    def _citations(self, answers: dict) -> list[Citation]:
        refs = [
            ("civil-code", "第四百六十五条", "依法成立的合同，仅对当事人具有法律约束力，但是法律另有规定的除外。"),
            ("civil-code", "第六百八十一条", None),
            ("civil-code", "第六百八十五条", "保证合同可以是单独订立的书面合同，也可以是主债权债务合同中的保证条款。"),
            ("civil-code", "第五百五十二条", None),
        ]
        if answers["guarantee"] in ("guarantor", "unsure"):
            refs += [("civil-code", "第六百八十六条", "当事人在保证合同中对保证方式没有约定或者约定不明确的，按照一般保证承担保证责任。"),
                     ("civil-code", "第六百八十七条", "当事人在保证合同中约定，债务人不能履行债务时，由保证人承担保证责任的，为一般保证。"),
                     ("civil-code", "第六百八十八条", "当事人在保证合同中约定保证人和债务人对债务承担连带责任的，为连带责任保证。")]
        if answers["relation"] == "spouse":
            refs.append(("civil-code", "第一千零六十四条", None))
        refs += [
            ("credit-card-measures-2011", "第六十八条", "发卡银行应当对债务人本人及其担保人进行催收，不得对与债务无关的第三人进行催收"),
            ("civil-code", "第一千零三十三条", "以电话、短信、即时通讯工具、电子邮件、传单等方式侵扰他人的私人生活安宁"),
            ("pipl", "第四十四条", "个人对其个人信息的处理享有知情权、决定权，有权限制或者拒绝他人对其个人信息进行处理"),
            ("spc-civil-procedure-interpretation-2022", "第一百一十六条", "视听资料包括录音资料和影像资料。"),
        ]
        if answers["repeated"] == "yes":
            refs.append(("public-security-penalties-2025", "第五十条",
                         "多次发送淫秽、侮辱、恐吓等信息或者采取滋扰、纠缠、跟踪等方法，干扰他人正常生活的"))
        return unique([cite(self.corpus, ref) for ref in refs])


def _duty(answers: dict) -> str:
    g = answers["guarantee"]
    if g == "none" and answers["relation"] == "spouse":
        text = ("仅凭紧急联系人的身份，你没有还款义务：合同只约束签约的当事人，担保要有书面的保证合同或保证条款才成立。"
                "但你是配偶，还要看这笔钱是否属于夫妻共同债务（见下）。")
    elif g == "none":
        text = ("你没有还款义务。合同只约束签约的当事人；担保要有书面的保证合同或合同中的保证条款才成立；"
                "只有你自己向债权人表示愿意加入债务，才可能要你一起还。紧急联系人、亲友、同事都不是担保人，"
                "对方不能要求你替他还钱。")
    elif g == "guarantor":
        text = ("你签过担保，可能需要承担保证责任。先找出当时签的文件，看约定的是“一般保证”还是“连带责任保证”："
                "没有约定或约定不明确的，按一般保证处理——一般保证人在债权人对债务人依法强制执行之前，原则上有权拒绝承担责任；"
                "连带责任保证的，债权人可以直接要求你在保证范围内承担责任。建议带着合同咨询律师或拨打12348。")
    elif g == "joined":
        text = ("如果你曾向债权人表示愿意加入这笔债务，而债权人没有在合理期限内明确拒绝，债权人可以请求你在"
                "你愿意承担的范围内与债务人承担连带债务。你表示的具体内容和范围很重要，建议保留记录并咨询律师或拨打12348。")
    else:
        text = ("请先找出是否签过担保合同、借款合同中的保证条款或书面保证。没有这些书面材料、也没有向债权人表示愿意"
                "一起还款的，你就没有还款义务。可以要求对方出示你签字的担保文件。")
    if answers["relation"] == "spouse":
        text += ("\n你是配偶：夫妻共同签名、事后追认，或一方为家庭日常生活需要所负的债务，属于夫妻共同债务；"
                 "超出家庭日常生活需要的个人名义债务，除非债权人证明用于共同生活、共同经营或双方共同意思，不属于共同债务。"
                 "是否属于共同债务要看具体情况，必要时咨询律师。")
    return text


def _rights(answers: dict) -> str:
    lines = [
        "· 你可以拒绝转告、拒绝提供欠款人的住址或其他信息，并明确要求对方不要再联系你。",
        "· 银行应当向债务人本人及其担保人催收，不得对与债务无关的第三人催收。",
        "· 以电话、短信、微信等方式侵扰他人私人生活安宁，侵害隐私权；你有权拒绝他人处理你的个人信息。",
        "· 记录每次来电：日期、时间、号码、对方自称的身份和说了什么；可以录音、截图（录音属于视听资料，可作为证据）。",
        "· 投诉：先打该银行官方客服电话（见卡片背面或官网）投诉并要求删除你的号码；处理不满意可拨打12378金融消费者投诉热线。",
    ]
    if answers["repeated"] == "yes":
        lines.append("· 对方反复来电、发信息干扰你的正常生活，可向公安机关报案（多次发送侮辱、恐吓信息或滋扰、纠缠可受治安处罚）；"
                     "遇到威胁立即拨打110。")
    lines.append("· 不要替对方还钱，也不要向任何人转账“了结此事”；自称能帮你“消除”的收费中介多为诈骗。")
    return "\n".join(lines)


def _script(answers: dict) -> str:
    if answers["guarantee"] == "guarantor":
        first = "你：我知道了。请把我签字的担保合同复印件和欠款明细书面发给我，我核对后再答复。"
    else:
        first = "你：我不是借款人，也没有为这笔债务作过担保，没有还款义务。"
    return "\n".join([
        first,
        "你：我不会转告，也不会提供他的任何信息。请把我的号码从联系名单中删除，不要再打给我。",
        "你：请告诉我你的姓名、工号和所属机构。这次通话我会记录，如果继续来电，我会向银行和12378投诉。",
        "（对方威胁、辱骂时：“你这是在威胁我，我会报警。”然后挂断，保存记录，拨打110。）",
    ])


def _notice(answers: dict) -> str:
    name = answers["creditor"].get("name") or "【银行或机构名称】"
    basis = "本人从未为该笔债务提供担保，也未向贵方表示加入该债务，对该笔债务不承担还款义务。" \
        if answers["guarantee"] == "none" else "如贵方认为本人负有担保等责任，请书面提供本人签字的相关合同，本人核对后再行答复。"
    return "\n".join([
        "停止联系告知函",
        "",
        f"致：{name}（信用卡中心 / 催收部门）",
        "",
        "本人【姓名】，手机号码【请填写】。近期贵方或贵方委托的催收人员多次就【欠款人姓名】的欠款联系本人。",
        f"本人并非该笔债务的借款人。{basis}",
        "根据《信用卡业务监督管理办法》第六十八条，发卡银行应当对债务人本人及其担保人进行催收，不得对与债务无关的第三人进行催收；"
        "根据《民法典》第一千零三十三条，不得以电话、短信、即时通讯工具等方式侵扰他人的私人生活安宁。",
        "特此告知：",
        "一、本人不代为转告，也不提供欠款人的任何信息；",
        "二、请将本人的号码从该笔债务的联系名单中删除，停止以电话、短信、微信等任何方式联系本人；",
        "三、如继续联系本人，本人将保存录音、截图等证据，向贵行投诉、向12378金融消费者投诉热线反映，必要时向公安机关报案。",
        "",
        "告知人（签名）：",
        "日期：　　　　年　　月　　日",
    ])


def _chinese(answers: dict, citations: list[Citation]) -> str:
    name, phone = hotline_text(answers["creditor"], "zh-Hans") if answers["creditor"].get("name") \
        else ("该银行", "官方客服电话（见卡片背面或官网）")
    return "\n\n".join([
        "【你需要还钱吗？】\n" + _duty(answers),
        "【你可以怎么做】\n" + _rights(answers) + f"\n· {name}客服：{phone}",
        "【电话里可以这样说】\n" + _script(answers),
        "【书面通知】\n附件是一份“停止联系告知函”，填好姓名后可以通过银行官方客服渠道、邮寄或邮件发送，并保留发送凭证。",
        citations_block(citations, "zh-Hans"),
        disclaimer("zh-Hans"),
    ])


def _english(answers: dict, citations: list[Citation]) -> str:
    g = answers["guarantee"]
    duty = {
        "none": "You do not have to pay. A contract binds only its parties; a guarantee exists only through a written "
                "guarantee contract or a guarantee clause; only if you yourself told the lender you would join the debt "
                "could you be asked to pay. Emergency contacts, relatives and colleagues are not guarantors.",
        "guarantor": "You signed as a guarantor, so you may be liable. Find the document: if it does not say 'joint "
                     "liability', it is a general guarantee and you can usually refuse to pay until the lender has "
                     "enforced against the borrower; under a joint-liability guarantee the lender may ask you directly. "
                     "Take the contract to a lawyer or call 12348.",
        "joined": "If you told the lender you would join the debt and it did not refuse within a reasonable time, it may "
                  "ask you to pay jointly, within the amount you agreed to. Keep records and consult a lawyer or 12348.",
        "unsure": "Look for any guarantee contract, guarantee clause or written promise you signed. Without one, and "
                  "without having told the lender you would help pay, you have no duty to pay. You may ask them to "
                  "show the document you signed.",
    }[g]
    if g == "none" and answers["relation"] == "spouse":
        duty = ("Being an emergency contact does not make you liable: a contract binds only its parties and a "
                "guarantee needs a written guarantee contract or clause. As the spouse, though, it also depends on "
                "whether this is a joint marital debt (below).")
    if answers["relation"] == "spouse":
        duty += (" As a spouse: debts both of you signed or later confirmed, and debts for ordinary household needs, are "
                 "joint marital debts; larger debts in one name are not, unless the lender proves they were for joint "
                 "life or business. It depends on the facts; consult a lawyer if unsure.")
    repeated = ("\n- Repeated calls or messages that disrupt your life can be reported to the police; call 110 at once "
                "if threatened.") if answers["repeated"] == "yes" else ""
    return "\n\n".join([
        "[Do you have to pay?]\n" + duty,
        "[What you can do]\n- You may refuse to pass on messages or give any information about the borrower, and ask "
        "them to stop contacting you.\n- Banks must collect from the debtor and guarantors only, not unrelated third "
        "parties.\n- Keep a log of every call (date, time, number, who they said they were, what was said); record "
        "calls and take screenshots.\n- Complain to the bank's official hotline (on the back of its cards or its "
        "website) and ask it to delete your number; if not resolved, call 12378." + repeated,
        "[What to say on the phone (in Chinese)]\n" + _script(answers),
        "[Written notice]\nThe attached notice (in Chinese) asks the creditor to stop contacting you. Add your name "
        "and send it through the bank's official channels; keep proof of sending.",
        citations_block(citations, "en"),
        disclaimer("en"),
    ])
