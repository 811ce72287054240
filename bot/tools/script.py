"""Negotiation script builder: what to say to the bank, a written instalment application,
the plan arithmetic and an evidence checklist.

It asks; it never demands or promises: approval of a plan, waivers and any pause in
collection are the bank's decision. Every legal point is a verified corpus citation.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from bot.engine.answers import Citation
from bot.tools import inputs
from bot.tools.amounts import format_yuan, months_needed
from bot.tools.common import citations_block, cite, disclaimer, say, to_lang, unique
from bot.tools.creditors import hotline_text, load_directory
from bot.tools.documents import to_docx
from bot.tools.wizard import Choice, FormWizard, Question, ToolResult, register

MAX_PLAN_MONTHS = 60   # 《信用卡业务监督管理办法》第七十条: 最长期限不得超过5年
LONG_OVERDUE_MONTHS = 36   # the three-year limitation period of 民法典第一百八十八条

_LONG_OVERDUE_ZH = ("· 逾期已满3年：诉讼时效期间为三年，但银行以短信、信件等方式催收通常会使时效中断并重新计算，所以多数情况下并未届满。"
                    "如果你确实多年没有收到任何催收，时效可能已经届满，而届满后同意履行的，就不能再以时效届满为由抗辩"
                    "（《民法典》第一百八十八条、第一百九十二条）。不确定时，先咨询律师或拨打12348，再作书面承诺。")
_LONG_OVERDUE_EN = ("- Overdue for 3 years or more: the limitation period is three years, but the bank's texts and letters "
                    "usually interrupt and restart it, so in most cases it has not run out. If you truly received no demand "
                    "for years, it may have expired, and agreeing to pay after expiry gives up that defence (Civil Code "
                    "arts. 188 and 192). If unsure, consult a lawyer or 12348 before promising anything in writing.\n")

HARDSHIPS = (
    Choice("job_loss", "失业", "Job loss", ("没工作", "裁员", "下岗", "辞退", "被开除", "失去工作", "lost my job",
                                           "unemployed", "laid off", "job")),
    Choice("illness", "疾病", "Illness", ("生病", "住院", "病", "手术", "癌", "受伤", "illness", "sick", "hospital")),
    Choice("business", "经营失败", "Business failure", ("生意", "亏损", "倒闭", "破产", "经营", "business")),
    Choice("family", "家庭变故", "Family emergency", ("离婚", "去世", "家里", "家人", "变故", "family")),
    Choice("other", "其他", "Other", ("other", "别的")),
)
GOALS = (
    Choice("instalment", "个性化分期（最长60期）", "Personalised instalments (up to 60 months)",
           ("个性化分期", "分期", "停息挂账", "instalment", "installment")),
    Choice("waiver", "减免罚息费用", "Waiver of penalty interest and fees", ("减免", "罚息", "费用", "waiver", "waive")),
    Choice("pause", "申请期间暂缓催收", "Pause collection while I apply", ("暂缓", "停催", "暂停", "pause")),
)
_HARDSHIP_ZH = {"job_loss": "失业", "illness": "生病治疗", "business": "经营失败", "family": "家庭变故",
                "other": "个人困难"}
_HARDSHIP_EN = {"job_loss": "job loss", "illness": "illness", "business": "business failure",
                "family": "a family emergency", "other": "personal hardship"}
_HARDSHIP_PROOF = {
    "job_loss": ("离职证明、解除劳动合同通知或失业登记、失业保险金领取记录", "termination letter, unemployment registration or benefit records"),
    "illness": ("诊断证明、住院病历、医疗费用票据", "medical diagnosis, hospital records and medical bills"),
    "business": ("营业执照注销或停业材料、经营亏损的账目或流水", "business closure papers, loss accounts or statements"),
    "family": ("能证明家庭变故的文件（如医疗、死亡或其他相关证明）", "documents showing the family emergency (medical, death or other certificates)"),
    "other": ("能真实说明困难的材料", "genuine documents showing the hardship"),
}


@register
class ScriptWizard(FormWizard):
    name = "script"
    questions = (
        Question("creditor", "你要和哪家银行或机构协商？（例如：中信银行；其他机构直接输入名称）",
                 "Which bank or lender do you want to negotiate with? (e.g. China CITIC Bank, or type the name)",
                 parse=inputs.creditor,
                 hints=(("中信银行", "China CITIC Bank"), ("招商银行", "China Merchants Bank"),
                        ("工商银行", "ICBC"), ("建设银行", "CCB"))),
        Question("total", "目前一共欠多少钱？（例如：5万、50000、3.5w）",
                 "How much do you owe in total? (e.g. 50000, 5万, 3.5w)", parse=inputs.amount),
        Question("months_overdue", "已经逾期几个月？（还没逾期请回复 0）",
                 "How many months overdue are you? (reply 0 if not overdue yet)", parse=inputs.months(True)),
        Question("hardship", "还款困难的主要原因是？", "What is the main reason you cannot pay?", choices=HARDSHIPS),
        Question("detail", "用一两句话说说具体情况（只写真实情况，会写进申请书；不想写请回复“跳过”）",
                 "Describe your situation in a sentence or two (truthfully; it goes into the application). "
                 "Reply 'skip' to leave it out.", parse=inputs.text(300, optional=True),
                 hints=(("跳过", "skip"),)),
        Question("monthly", "你每个月实际能稳定还多少钱？（例如：1500、两千）",
                 "How much can you reliably pay each month? (e.g. 1500)", parse=inputs.monthly_amount("total")),
        Question("goal", "这次协商最主要的目标是？", "What is your main goal?", choices=GOALS),
    )

    def build(self, answers: dict, lang: str) -> ToolResult:
        plan = Plan.from_answers(answers, load_directory())
        citations = self._citations(plan)
        if lang == "en":
            text = _english(plan, citations)
        else:
            text = to_lang(_chinese(plan, citations), lang)
        document = to_docx(say("个性化分期还款申请书及沟通脚本", "Instalment application and call script", lang),
                           to_lang(_chinese_document(plan, citations), lang) if lang != "en"
                           else _chinese_document(plan, citations))
        return ToolResult(text=text, citations=citations, document_name="instalment-application.docx",
                          document_bytes=document)

    def _citations(self, plan: Plan) -> list[Citation]:
        c = self.corpus
        refs = []
        if plan.months_overdue >= LONG_OVERDUE_MONTHS:
            refs += [("civil-code", "第一百八十八条", "向人民法院请求保护民事权利的诉讼时效期间为三年。"),
                     ("civil-code", "第一百九十二条", "诉讼时效期间届满后，义务人同意履行的，不得以诉讼时效期间届满为由抗辩"),
                     ("spc-limitation-2020", "第八条", "当事人一方以发送信件或者数据电文方式主张权利，信件或者数据电文到达或者应当到达对方当事人的")]
        if plan.card_issuer:
            refs += [
                ("credit-card-measures-2011", "第七十条", "在特殊情况下，确认信用卡欠款金额超出持卡人还款能力、且持卡人仍有还款意愿的，"
                 "发卡银行可以与持卡人平等协商，达成个性化分期还款协议。"),
                ("credit-card-measures-2011", "第七十条", "个性化分期还款协议的最长期限不得超过5年。"),
                ("credit-card-measures-2011", "第七十条", "还款期间是否计收年费、利息和其他费用"),
                ("credit-card-measures-2011", "第七十条", "达成口头还款协议的，发卡银行必须留存录音资料。"),
            ]
            if plan.goal == "pause":
                refs.append(("credit-card-measures-2011", "第七十条", "双方达成一致意见并签署分期还款协议的，发卡银行及其发卡业务服务机构"
                             "应当停止对该持卡人的催收，持卡人不履行分期还款协议的情况除外。"))
            refs.append(("credit-card-measures-2011", "第六十八条", "不得对与债务无关的第三人进行催收"))
        refs += [
            ("civil-code", "第五百四十三条", "当事人协商一致，可以变更合同。"),
            ("spc-bank-card-disputes-2021", "第二条", "持卡人以发卡行主张的总额过高为由请求予以适当减少的，人民法院应当综合考虑国家有关金融监管规定、"
             "未还款的数额及期限、当事人过错程度、发卡行的实际损失等因素"),
            ("spc-limitation-2020", "第十四条", None),
            ("civil-code", "第一百九十五条", "义务人同意履行义务"),
            ("complaint-handling-2020", "第十八条", "应当自收到消费投诉之日起15日内作出处理决定并告知投诉人"),
            ("spc-civil-procedure-interpretation-2022", "第一百一十六条", "视听资料包括录音资料和影像资料。"),
        ]
        return unique([cite(c, ref) for ref in refs])


class Plan:
    """The answers turned into numbers and wording used by every part of the output."""

    def __init__(self, answers: dict, directory):
        self.answers = answers
        self.creditor = answers["creditor"]
        known = directory.get(self.creditor.get("id") or "")
        name = self.creditor.get("name") or ""
        self.card_issuer = known.is_card_issuer if known else ("银行" in name or "信用卡" in name
                                                                 or "bank" in name.lower())
        self.total = Decimal(answers["total"])
        self.monthly = Decimal(answers["monthly"])
        self.months_overdue = int(answers["months_overdue"])
        self.hardship = answers["hardship"]
        self.detail = answers.get("detail") or ""
        self.goal = answers["goal"]
        self.months = months_needed(self.total, self.monthly)
        self.fits = self.months <= MAX_PLAN_MONTHS
        self.plan_months = min(self.months, MAX_PLAN_MONTHS)
        self.last = self.total - self.monthly * (self.months - 1)
        self.min_monthly = (self.total / MAX_PLAN_MONTHS).quantize(Decimal("1"), rounding=ROUND_CEILING)
        self.twelve = (self.total / 12).quantize(Decimal("1"), rounding=ROUND_CEILING)

    @classmethod
    def from_answers(cls, answers: dict, directory) -> Plan:
        return cls(answers, directory)

    def money(self, value, lang="zh-Hans") -> str:
        return format_yuan(value, lang)


def _years(months: int) -> str:
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest}个月"
    return f"{years}年" + (f"{rest}个月" if rest else "")


def _phone_script(p: Plan) -> str:
    name, phone = hotline_text(p.creditor, "zh-Hans")
    y = p.money
    overdue = f"已经逾期{p.months_overdue}个月" if p.months_overdue else "目前还没有逾期，但接下来无法按时还款"
    ask_months = p.months
    lines = [
        f"拨打：{name}客服 {phone}，接通后转人工，说明要“申请个性化分期还款”。通话前准备好纸笔，记下时间和对方工号。",
        "",
        f"你：您好，我是持卡人【姓名】，卡号尾号【后四位】。我的欠款大约{y(p.total)}，{overdue}。"
        f"因为{_HARDSHIP_ZH[p.hardship]}，我现在没办法按原来的方式还款，但我有还款意愿，想申请个性化分期还款。",
    ]
    if p.fits:
        lines.append(f"你：我每个月能稳定还{y(p.monthly)}，申请分{ask_months}期。")
    else:
        lines.append(f"你：我每个月最多能稳定还{y(p.monthly)}。按60期算每月需要约{y(p.min_monthly)}，"
                     "超出我现在的能力，所以想请贵行先看看能否减免部分罚息和费用，或者按我的实际能力制定计划。")
    if p.goal == "waiver":
        lines.append("你：另外想申请减免逾期以来的罚息、违约金等费用，请问需要提交什么材料？")
    if p.goal == "pause":
        lines.append("你：在审核期间，能否暂缓催收？如果不能，请只联系我本人，不要联系我的家人和单位。")
    lines += [
        "你：请把我的申请记录下来提交审核，告诉我受理编号（工单号）、大概多久答复，以及需要我提供哪些材料。",
        "你：如果谈好了方案，请发短信或书面材料给我确认；口头达成的协议，也请确认本次通话有录音。",
        "",
        "如果对方说“必须先还最低还款额”：",
        "你：我理解。但我现在的收入确实付不了最低还款额，所以才申请个性化分期。《信用卡业务监督管理办法》第七十条规定，"
        "欠款超出还款能力、但仍有还款意愿的，银行可以与持卡人平等协商个性化分期。请把我的申请提交给负责的部门审核，"
        "并告诉我结果会怎么通知我。",
        "",
        "如果对方说“只能分12期”：",
        f"你：分12期每月要还约{y(p.twelve)}，超出我每月{y(p.monthly)}的能力，签了也还不上，对双方都没有好处。"
        "第七十条规定个性化分期最长可以到5年。"
        + (f"我申请分{ask_months}期" if p.fits else "我申请按我的实际能力分期，最长60期")
        + "，请帮我提交审核，或者告诉我应该向哪个部门申请。",
        "",
        "如果对方说“我们已经移交法务”或“要起诉你”：",
        "你：好的。请告诉我移交的是哪个部门或机构、怎么联系。我仍然愿意协商还款。如果银行起诉，我会依法应诉，"
        "也可以请求法院对过高的利息、违约金等予以适当减少。",
        "",
        "如果对方联系你的家人、同事或单位：",
        "你：请只联系我本人。第六十八条规定不得对与债务无关的第三人进行催收。",
        "",
        "结束时：谢谢。请问您的工号是多少？我会记下今天的通话时间和内容。",
    ]
    if not p.card_issuer:
        lines.append("提示：如果这笔欠款不是银行信用卡（例如网络贷款平台），上面引用的《信用卡业务监督管理办法》条文并不直接适用，"
                     "请改说“希望双方协商变更还款安排”（民法典第五百四十三条）。")
    return "\n".join(lines)


def _application(p: Plan) -> str:
    name, _ = hotline_text(p.creditor, "zh-Hans")
    y = p.money
    detail = f"具体情况：{p.detail.rstrip('。')}。" if p.detail else ""
    overdue = f"已逾期{p.months_overdue}个月" if p.months_overdue else "目前尚未逾期"
    basis = "根据《信用卡业务监督管理办法》第七十条的规定，" if p.card_issuer else "本着平等协商的原则，"
    items = []
    if p.fits:
        items.append(f"申请分{p.months}期还款，每月还款{y(p.monthly)}（最后一期约{y(p.last)}），每月【】日前还款；")
    else:
        items.append(f"本人目前每月最多能还{y(p.monthly)}，按60期计算每月约需{y(p.min_monthly)}。恳请贵行在减免部分罚息、"
                     "费用后，按本人实际还款能力制定分期方案，或同意前期按每月" + y(p.monthly) + "还款、收入恢复后逐步提高；")
    if p.goal == "waiver" or not p.fits:
        items.append("恳请贵行考虑减免逾期以来产生的罚息、违约金等费用；")
    if p.goal == "pause":
        items.append("恳请贵行在审核期间暂缓催收；如需联系，请只联系本人，不要联系本人的家人、同事或单位；")
    items.append("如同意，恳请在协议中写明欠款余额及结构、每期还款金额和日期，以及还款期间是否计收年费、利息和其他费用。")
    numbered = "\n".join(f"{n}、{item}" for n, item in zip("一二三四五", items))
    return "\n".join([
        "个性化分期还款申请书",
        "",
        f"致：{name}信用卡中心（或贷款业务部门）",
        "",
        "申请人：【姓名】　　身份证号：【请填写】　　联系电话：【请填写】",
        "卡号/合同号：尾号【后四位】",
        "",
        f"本人在贵行的欠款目前约为{y(p.total)}，{overdue}。因{_HARDSHIP_ZH[p.hardship]}，本人收入明显减少，"
        f"暂时无法按原约定还款。{detail}本人仍有还款意愿，希望与贵行协商解决。",
        "",
        f"{basis}本人申请与贵行平等协商个性化分期还款：",
        numbered,
        "",
        "随附材料：身份证复印件、收入证明或银行流水、困难情况证明（详见清单）。",
        "",
        "以上情况属实。恳请贵行予以审核，并书面（短信、邮件或信函）答复本人。",
        "",
        "申请人（签名）：",
        "日期：　　　　年　　月　　日",
    ])


def _arithmetic(p: Plan) -> str:
    y = p.money
    if p.fits:
        lines = [f"欠款{y(p.total)} ÷ 每月{y(p.monthly)} = {p.months}期（约{_years(p.months)}），"
                 f"最后一期约{y(p.last)}。",
                 f"{p.months}期在第七十条规定的最长5年（60期）以内，可以按这个方案申请。"]
    else:
        lines = [f"欠款{y(p.total)} ÷ 每月{y(p.monthly)} = {p.months}期（约{_years(p.months)}），超过了60期的上限。",
                 f"要在60期内还清，每月至少需要约{y(p.min_monthly)}。",
                 "可以这样说：“我每月最多只能还" + y(p.monthly) + "，按60期每月要" + y(p.min_monthly)
                 + "，我做不到。能否先减免部分罚息和费用，或者同意我先按现在的能力还、收入恢复后逐步提高？”",
                 "不要为了让银行同意而承诺超出能力的金额；还不上会再次违约。银行是否同意减免由银行决定。"]
    lines.append("说明：以上只是把欠款总额简单相除，没有计算分期期间可能收取的利息和费用；协议应写明是否计收（第七十条（三））。"
                 "实际金额以银行核算为准。")
    return "\n".join(lines)


def _checklist(p: Plan) -> str:
    proof = _HARDSHIP_PROOF[p.hardship][0]
    return "\n".join([
        "□ 身份证复印件；信用卡账单或欠款明细（可在官方App查询并截图）",
        "□ 收入证明：近6个月工资流水或银行流水、收入证明",
        f"□ 困难证明：{proof}",
        "□ 每次通话的记录：日期、时间、对方号码、工号和内容；通话录音（录音属于视听资料，可作为证据）",
        "□ 催收短信、微信的截图（保留原始记录，不要删除）",
        "□ 提交申请的凭证：工单号、邮寄回执、邮件或App提交截图",
    ])


def _warnings(p: Plan) -> str:
    return "\n".join([
        "· 诉讼时效：同意分期、部分还款或制定还款计划，会被认定为“同意履行义务”，诉讼时效中断并重新计算"
        "（《诉讼时效司法解释》第十四条、《民法典》第一百九十五条）。协商还款本身是负责任的做法，只是要知道这一点。",
        *([_LONG_OVERDUE_ZH] if p.months_overdue >= LONG_OVERDUE_MONTHS else []),
        "· 本申请是“请求”，不是“要求”：是否同意分期、减免或暂缓催收，由银行审核决定；本工具不能保证结果。"
        + ("第七十条规定，只有双方签署分期还款协议后，银行才应当停止催收。" if p.card_issuer and p.goal == "pause" else ""),
        "· 只陈述真实情况，提交真实材料；不要编造或夸大困难。",
        "· 不要向自称能“代办停息挂账”“内部渠道”“征信修复”并先收费的中介付钱，直接联系银行官方客服即可。",
        "· 如果银行拒绝受理申请或处理不当，可以通过银行公布的投诉渠道投诉，银行一般应在15日内作出处理决定（情况复杂可延长）；"
        "也可拨打12378金融消费者投诉热线。",
    ])


def _chinese(p: Plan, citations: list[Citation]) -> str:
    name, phone = hotline_text(p.creditor, "zh-Hans")
    directory = load_directory()
    return "\n\n".join([
        f"已为你生成与{name}协商的材料（客服电话：{phone}）。{directory.note_zh}",
        "【一、电话沟通脚本】\n" + _phone_script(p),
        "【二、个性化分期还款申请书】\n" + _application(p),
        "【三、还款计划测算】\n" + _arithmetic(p),
        "【四、证据清单】\n" + _checklist(p),
        "【重要提醒】\n" + _warnings(p),
        citations_block(citations, "zh-Hans"),
        disclaimer("zh-Hans"),
    ])


def _chinese_document(p: Plan, citations: list[Citation]) -> str:
    return "\n".join([
        "【个性化分期还款申请书】", _application(p), "",
        "【电话沟通脚本】", _phone_script(p), "",
        "【还款计划测算】", _arithmetic(p), "",
        "【证据清单】", _checklist(p), "",
        "【重要提醒】", _warnings(p), "",
        citations_block(citations, "zh-Hans"), "",
        disclaimer("zh-Hans"),
    ])


def _english(p: Plan, citations: list[Citation]) -> str:
    name, phone = hotline_text(p.creditor, "en")
    directory = load_directory()
    y = lambda v: format_yuan(v, "en")  # noqa: E731
    if p.fits:
        arithmetic = (f"{y(p.total)} ÷ {y(p.monthly)} a month = {p.months} instalments (last one about {y(p.last)}). "
                      "That is within the 5-year (60-month) maximum for a personalised instalment agreement.")
    else:
        arithmetic = (f"{y(p.total)} ÷ {y(p.monthly)} a month = {p.months} instalments, more than the 60-month maximum. "
                      f"To finish within 60 months you would need about {y(p.min_monthly)} a month. Say so honestly "
                      "and ask whether part of the penalty interest and fees can be waived, or whether payments can "
                      "start at what you can afford and rise as your income recovers. Do not promise more than you can pay.")
    return "\n\n".join([
        f"Your negotiation pack for {name} (customer service: {phone}). {directory.note_en}",
        "[1. Call script]\nThe bank will expect Chinese, so the script and the application below are in Chinese "
        "(the attached document has both). In short: say who you are, that you owe "
        f"{y(p.total)} and cannot pay because of {_HARDSHIP_EN[p.hardship]}, that you want to repay, and that you "
        f"apply for a personalised instalment plan of {y(p.monthly)} a month. Ask for a ticket number, a reply date "
        "and the documents they need. Answers to the usual push-back (\"pay the minimum first\", \"only 12 "
        "instalments\", \"it has gone to our legal department\") are in the script.\n\n" + _phone_script(p),
        "[2. Written application (个性化分期还款申请书)]\n" + _application(p),
        "[3. Plan arithmetic]\n" + arithmetic + " The figures ignore any interest or fees charged during the plan; "
        "the agreement must say whether they are charged.",
        "[4. Evidence checklist]\n- ID card copy; card statements or the debt breakdown (screenshot from the app)\n"
        "- Proof of income: 6 months of payslips or bank statements\n"
        f"- Proof of hardship: {_HARDSHIP_PROOF[p.hardship][1]}\n"
        "- A record of every call: date, time, number, staff ID and what was said; call recordings\n"
        "- Screenshots of collection texts and chats; receipts of your application",
        "[Important]\n- Agreeing to instalments or a repayment plan counts as agreeing to perform the debt, so the "
        "limitation period restarts (SPC limitation provisions art. 14, Civil Code art. 195).\n"
        + (_LONG_OVERDUE_EN if p.months_overdue >= LONG_OVERDUE_MONTHS else "")
        + "- The application asks; it does not demand. The bank decides on instalments, waivers or any pause in "
        "collection; nothing here guarantees an outcome.\n"
        "- State only true facts and submit genuine documents.\n"
        "- Never pay an agent who promises to 'arrange' instalments or 'repair' your credit for a fee.\n"
        "- If the bank refuses to handle your application, complain through its published complaint channel "
        "(it should decide within 15 days, longer if complex) or call 12378.",
        citations_block(citations, "en"),
        disclaimer("en"),
    ])
