"""Complaint builder: from the user's account of improper collection, a complaint to the
creditor, a complaint to the 12378 financial consumer hotline and, for threats, violence,
impersonation or scams, an outline for a police report.

The account is run through the message checker to find the rules broken; what the user
typed goes into their own letters unchanged, and is never logged.
"""
from __future__ import annotations

from bot.engine.answers import Citation
from bot.tools import inputs
from bot.tools.checker import Finding, check_message, finding_for
from bot.tools.common import citations_block, cite, disclaimer, say, to_lang, unique
from bot.tools.creditors import hotline_text
from bot.tools.documents import to_docx
from bot.tools.wizard import Choice, FormWizard, InputError, Question, ToolResult, register

EVIDENCE = (
    Choice("recording", "通话录音", "Call recordings", ("录音", "recording")),
    Choice("sms", "短信截图", "Text-message screenshots", ("短信", "sms", "text")),
    Choice("chat", "微信等聊天记录", "WeChat or other chat records", ("微信", "聊天", "wechat", "chat")),
    Choice("call_log", "通话记录截图", "Call-log screenshots", ("通话记录", "来电记录", "call log")),
    Choice("witness", "家人或同事可以作证", "Family or colleagues who can confirm it", ("证人", "作证", "witness")),
    Choice("none", "暂时没有", "None yet", ("暂无", "没有", "无", "none")),
)
POLICE_CODES = {"threat", "impersonation", "fake_legal_document", "personal_account_payment",
                "fee_or_new_loan_demand"}
_EVIDENCE_ZH = {c.value: c.zh for c in EVIDENCE}


def _when(text: str, answers: dict) -> str:
    value = inputs.text(500)(text, answers)
    if not any(ch.isdigit() for ch in value) and not any(w in value for w in ("今天", "昨天", "前天", "上周", "本周", "这周",
                                                                              "上个月", "早上", "晚上", "凌晨", "今天", "today",
                                                                              "yesterday", "last")):
        raise InputError("请写上日期或时间，例如“11月3日晚上10点半”，多次可以都写上。",
                         "Please give a date or time, e.g. 3 Nov, 10:30 pm; list several if there were several.")
    return value


def _number(text: str, answers: dict) -> str:
    if inputs.is_skip(text):
        return ""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 3 or len(text) > 200:
        raise InputError("请输入对方的来电号码（可以写多个），不知道请回复“跳过”。",
                         "Type the number(s) they called from, or reply 'skip' if you don't know.")
    return text.strip()


@register
class ComplaintWizard(FormWizard):
    name = "complain"
    questions = (
        Question("creditor", "要投诉哪家银行或机构的催收？（例如：中信银行）",
                 "Which bank's or lender's collection do you want to complain about? (e.g. China CITIC Bank)",
                 parse=inputs.creditor, hints=(("中信银行", "China CITIC Bank"), ("招商银行", "China Merchants Bank"))),
        Question("when", "事情发生在什么时候？写上日期和时间，多次可以都列出（例如：11月3日晚上10点半；11月5日上午9点）",
                 "When did it happen? Give dates and times; list each occasion (e.g. 3 Nov 10:30 pm; 5 Nov 9 am)",
                 parse=_when),
        Question("number", "对方用哪个号码联系你？（可写多个；不知道回复“跳过”）",
                 "Which number(s) did they call or text from? (reply 'skip' if unknown)", parse=_number,
                 hints=(("跳过", "skip"),)),
        Question("said", "对方说了什么、做了什么？尽量写原话，也可以直接粘贴短信或微信内容。",
                 "What did they say or do? Use their exact words if you can, or paste the message.",
                 parse=inputs.text(2000)),
        Question("others", "对方还联系了谁？（例如：我父母、我的领导；没有请回复“无”）",
                 "Who else did they contact? (e.g. my parents, my boss; reply 'none' if nobody)",
                 parse=inputs.text(300, optional=True), hints=(("无", "none"),)),
        Question("evidence", "你手上有哪些证据？（可多选，例如“1 2”或“录音、短信”）",
                 "What evidence do you have? (several allowed, e.g. '1 2')", choices=EVIDENCE, multi=True),
    )

    def __init__(self, corpus=None, incidents=None, tz: str = "Asia/Shanghai"):
        super().__init__(corpus)
        self.incidents = list(incidents or [])      # the user's harassment log, when attached
        self.tz = tz

    def build(self, answers: dict, lang: str) -> ToolResult:
        from bot.evidence.complaint_log import log_section  # bot.evidence imports bot.tools

        findings = self._findings(answers)
        log_text, log_citations = log_section(self.incidents, self.corpus, self.tz)
        citations = unique(self._citations(findings) + log_citations)
        case = Case(answers, findings, log_text)
        if lang == "en":
            titles = [finding_for(f.code, f.excerpt, self.corpus, "en").title for f in findings]
            text = _english(case, citations, titles)
            document_text = _documents_zh(case, citations)
        else:
            text = to_lang(_chinese(case, citations), lang)
            document_text = to_lang(_documents_zh(case, citations), lang)
        document = to_docx(say("催收投诉材料", "Collection complaint documents", lang), document_text)
        return ToolResult(text=text, citations=citations, document_name="complaint.docx", document_bytes=document)

    def _findings(self, answers: dict) -> list[Finding]:
        # Checked in Simplified Chinese so the letters (which go to Chinese institutions) cite in Chinese.
        account = "\n".join([answers["said"], answers["when"]])
        findings = check_message(account, self.corpus, lang="zh-Hans").findings
        if answers["others"] and not any(f.code == "third_party_contact" for f in findings):
            findings.append(finding_for("third_party_contact", answers["others"], self.corpus, "zh-Hans"))
        return findings

    def _citations(self, findings: list[Finding]) -> list[Citation]:
        base = [
            ("complaint-handling-2020", "第十三条", "投诉请求、主要事实和相关依据"),
            ("complaint-handling-2020", "第十八条", "应当自收到消费投诉之日起15日内作出处理决定并告知投诉人"),
            ("complaint-handling-2020", "第三十一条", None),
            ("complaint-handling-2020", "第三十三条", None),
            ("spc-civil-procedure-interpretation-2022", "第一百一十六条", "视听资料包括录音资料和影像资料。"),
        ]
        return unique([c for f in findings for c in f.citations] + [cite(self.corpus, ref) for ref in base])


class Case:
    def __init__(self, answers: dict, findings: list[Finding], log_text: str = ""):
        self.answers = answers
        self.log_text = log_text
        self.findings = findings
        self.codes = {f.code for f in findings}
        self.creditor_name, self.hotline = hotline_text(answers["creditor"], "zh-Hans")
        self.police = bool(self.codes & POLICE_CODES)
        self.evidence = [_EVIDENCE_ZH[e] for e in answers["evidence"] if e != "none"]


def _facts(case: Case) -> str:
    a = case.answers
    lines = [f"1. 时间：{a['when']}",
             f"2. 来电/发信号码：{a['number'] or '（未记录）'}",
             f"3. 对方的言行（原话）：{a['said']}"]
    if a["others"]:
        lines.append(f"4. 对方还联系了：{a['others']}")
    return "\n".join(lines)


def _violations(case: Case) -> str:
    if not case.findings:
        return ("根据描述，本工具没有自动识别出明确违反的条文。投诉时请如实、具体地写明对方的言行，由银行和监管部门核查。"
                "如果对方有威胁、辱骂、联系你的家人或单位、冒充公检法等情况，请补充写明。")
    lines = []
    for i, f in enumerate(case.findings, 1):
        rules = "、".join(dict.fromkeys(c.display for c in f.citations))
        lines.append(f"{i}. {f.title}（“{f.excerpt}”）：{rules}")
    return "\n".join(lines)


def _requests(case: Case) -> str:
    items = ["立即停止上述不当催收行为；",
             "核查相关催收人员及受托催收机构，并将核查和处理结果告知本人；"]
    if case.codes & {"third_party_contact", "third_party_disclosure"}:
        items.append("停止联系与债务无关的第三人，删除其联系方式，停止向他人披露本人的欠款信息；")
    items.append("依照《消费投诉处理管理办法》第十八条的期限作出处理决定并告知本人。")
    return "\n".join(f"{n}、{item}" for n, item in zip("一二三四五", items))


def _evidence_list(case: Case) -> str:
    if not case.evidence:
        return "（暂无。请从现在起保存通话录音、短信和微信截图、通话记录截图，并记下每次来电的时间和号码。）"
    return "、".join(case.evidence)


def _to_creditor(case: Case) -> str:
    return "\n".join([
        "投诉书",
        "",
        f"致：{case.creditor_name}（信用卡中心 / 消费者权益保护部门）",
        "投诉人：【姓名】　　联系电话：【请填写】　　身份证号：【请填写】　　卡号尾号：【后四位】",
        "",
        f"本人就{case.creditor_name}或其委托的催收人员的催收行为投诉如下。",
        "",
        "一、事实经过",
        _facts(case),
        "",
        "二、违反的规定",
        _violations(case),
        "",
        *(["（附）骚扰记录", case.log_text, ""] if case.log_text else []),
        "三、投诉请求",
        _requests(case),
        "",
        f"四、证据：{_evidence_list(case)}（可按要求提供）",
        "",
        "投诉人（签名）：",
        "日期：　　　　年　　月　　日",
    ])


def _to_12378(case: Case) -> str:
    return "\n".join([
        "拨打12378（银行保险消费者投诉热线）时可以这样说：",
        f"“我要投诉{case.creditor_name}的违规催收。{case.answers['when']}，号码{case.answers['number'] or '（未记录）'}"
        f"联系我，{_short_said(case)}。"
        + (f"对方还联系了{case.answers['others']}。" if case.answers["others"] else "")
        + "我已向银行投诉（或：准备同时向银行投诉），请督促银行停止违规催收、核查处理并答复我。”",
        "记下12378的受理编号。监管部门一般会把投诉转给被投诉银行处理，并告知你；请保留银行的答复。",
        "书面提交时，可直接使用上面“投诉书”的内容，抬头改为“致：国家金融监督管理总局（12378）”。",
    ])


def _short_said(case: Case) -> str:
    said = case.answers["said"].replace("\n", " ")
    return f"对方的言行是：“{said[:80]}{'…' if len(said) > 80 else ''}”"


def _police(case: Case) -> str:
    titles = "、".join(f.title for f in case.findings if f.code in POLICE_CODES)
    return "\n".join([
        f"报案提纲（涉及：{titles}）：紧急情况直接拨打110；否则可到当地派出所报案，带上证据原件（手机）。",
        "1. 我是谁：姓名、身份证号、联系电话。",
        f"2. 发生了什么：{case.answers['when']}，号码{case.answers['number'] or '（未记录）'}，对方自称"
        f"{case.creditor_name}的催收人员。",
        f"3. 对方原话：{case.answers['said']}",
        f"4. 证据：{_evidence_list(case)}。",
        "5. 请求：依法调查处理；如对方反复滋扰、纠缠，请求依法责令其禁止接触；如已被骗转账，请求立案侦查并协助止付。",
        "6. 索取报警回执或受案回执，记下民警姓名和案件编号。",
    ])


def _documents_zh(case: Case, citations: list[Citation]) -> str:
    parts = [f"【一、向{case.creditor_name}投诉（客服 {case.hotline}）】", _to_creditor(case), "",
             "【二、向12378投诉】", _to_12378(case), ""]
    if case.police:
        parts += ["【三、报警提纲】", _police(case), ""]
    parts += [citations_block(citations, "zh-Hans"), "", disclaimer("zh-Hans")]
    return "\n".join(parts)


def _chinese(case: Case, citations: list[Citation]) -> str:
    if case.findings:
        found = "根据你的描述，发现以下问题：" + "、".join(f.title for f in case.findings) + "。"
    else:
        found = "根据你的描述，没有自动识别出明确的违规条文；下面的投诉书仍可使用，请如实写明事实。"
    steps = [f"1. 先向{case.creditor_name}投诉：拨打{case.hotline}（以卡片背面或官网公布的号码为准），说明要投诉催收，并要求受理编号；也可按附件书面提交。"
             "银行一般应在15日内作出处理决定（情况复杂可延长）。",
             "2. 银行不处理或处理不满意，拨打12378投诉。"]
    if case.police:
        steps.append("3. 对方威胁人身安全、冒充公检法、伪造文书或要求转账到个人账户，请报警（紧急拨打110），见报警提纲。")
    return "\n\n".join([found, "\n".join(steps), _documents_zh(case, citations)])


def _english(case: Case, citations: list[Citation], titles: list[str]) -> str:
    name, hotline = hotline_text(case.answers["creditor"], "en")
    found = ("Problems found in your account: " + "; ".join(titles) + "."
             if case.findings else "No specific rule breach was recognised automatically; the letters below still "
                                   "work if you state the facts precisely.")
    steps = [f"1. Complain to {name} first: call {hotline} (check the number on your card or the bank's website), say you are complaining about collection, and ask for a "
             "ticket number; or send the attached letter. The bank should decide within 15 days (longer if complex).",
             "2. If the bank does not deal with it, call 12378 (the banking and insurance consumer hotline)."]
    if case.police:
        steps.append("3. For threats, impersonation of police or courts, forged documents or demands to pay a "
                     "personal account, go to the police (110 in an emergency); an outline is attached.")
    return "\n\n".join([found, "\n".join(steps),
                        "The letters are in Chinese because they go to Chinese institutions:",
                        _documents_zh(case, citations).replace(disclaimer("zh-Hans"), ""),
                        disclaimer("en")])

