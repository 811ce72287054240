"""The collector-message rules by family of wording: each family finds messages written from the
finding-code definitions (not copied from the real-world dataset), and leaves alone the lawful
reminders that share its words (a bank's anti-fraud note, a promise not to call late or not to tell
the family, a mediation centre the borrower may contact). Traditional twins give the same codes."""
from __future__ import annotations

import re

import pytest

from bot.language import to_traditional
from bot.tools.checker import check_message
from ingest.classifiers.message_rules import load_message_rules, rule_hits

DISCLOSURE, CONTACT, THREAT, INSULT = "third_party_disclosure", "third_party_contact", "threat", "insult"
IMPERSONATION, FAKE_DOCUMENT, FALSE_CRIME = "impersonation", "fake_legal_document", "false_criminal_claim"
VISIT, HOURS, FREQUENCY = "home_or_work_visit_threat", "unreasonable_hours", "excessive_frequency"
ACCOUNT, FEE = "personal_account_payment", "fee_or_new_loan_demand"

FAMILIES = {
    "another person's debt, to a relative, friend or colleague": [
        ("您好，您的同事李某在我司借款已逾期三个月，请转告他尽快处理。", {DISCLOSURE, CONTACT}),
        ("你老公在我们平台欠了8000块，你知道吗？", {DISCLOSURE, CONTACT}),
        ("我们是XX金融，你表弟张某某的网贷逾期了，麻烦你催一下他。", {DISCLOSURE, CONTACT}),
        ("你好，你是刘某的姐姐吧？她在我们这里借的钱到期没还，你帮忙联系一下她。", {DISCLOSURE, CONTACT}),
        ("贵公司职员赵某在我平台有一笔借款长期拖欠，望贵公司配合督促。", {DISCLOSURE, CONTACT}),
        ("Your colleague Juan has an unpaid loan with us. Please tell him to pay today.", {DISCLOSURE, CONTACT}),
        ("Hi, this is regarding your brother Mark's overdue account. Kindly ask him to settle immediately.",
         {DISCLOSURE, CONTACT}),
        ("Hello, your friend Peter listed you as a reference. He owes us 15,000 KES. Tell him to pay.",
         {DISCLOSURE, CONTACT}),
    ],
    "telling the people around the debtor": [
        ("再不还，我们就把你的欠款信息发给你通讯录里的每一个人。", {DISCLOSURE}),
        ("明天开始我们会挨个给你的亲戚朋友打电话，告诉他们你欠钱不还。", {DISCLOSURE, CONTACT}),
        ("你欠钱的事情你们村里人很快都会知道。", {DISCLOSURE}),
        ("你不还，我就在你们小区业主群里发你的欠款截图。", {DISCLOSURE}),
        ("我們已經通知你的緊急聯絡人了。", {DISCLOSURE}),
        ("唔還錢就同你公司啲同事講", {DISCLOSURE, CONTACT}),
        ("Your barangay and employer will be informed.", {DISCLOSURE}),
        ("We will send a message to all your contacts that you are a defaulter.", {DISCLOSURE}),
        ("We will put your face on posters in your barangay.", {DISCLOSURE}),
        ("明天我们会把你的欠款明细寄到你父母家。", {DISCLOSURE}),
        ("明天我们将联合你们村委一起上门催收。", {DISCLOSURE, VISIT}),
        ("We will coordinate with your barangay about your debt.", {DISCLOSURE}),
        ("They sent messages to everyone in my contact list calling me a fraud.", {DISCLOSURE, INSULT}),
    ],
    "asking the recipient to pass on or chase": [
        ("作為他的緊急聯繫人，請你督促他還款。", {CONTACT}),
        ("麻烦转告你儿子，再不处理我们就走法律程序了。", {CONTACT}),
        ("再联系不上你，我们就只能找你的家里人了。", {CONTACT}),
        ("您的好友某某欠款逾期，请协助催缴。", {DISCLOSURE, CONTACT}),
    ],
    "veiled threats": [
        ("你逾期了，赶紧还钱，否则后果自负。", {THREAT}),
        ("你再躲，别怪我们不客气。", {THREAT}),
        ("不还钱你就等着吧，看看会发生什么。", {THREAT}),
        ("不还钱让你全家都不好过。", {THREAT}),
        ("我们有的是办法对付你。", {THREAT}),
        ("再不还钱，你出门最好看着点。", {THREAT}),
        ("我劝你好好想想你老婆孩子的安全。", {THREAT}),
        ("We know where you live. Pay today.", {THREAT}),
        ("You have until 5pm or your family will suffer.", {THREAT}),
        ("He said they know where my kids go to school.", {THREAT}),
        ("他们把我P成遗照发到我家族群里。", {THREAT, DISCLOSURE}),
    ],
    "insults": [
        ("你也出去卖啊，跟你妈一样。", {INSULT}),
        ("欠钱的狗，还钱！", {INSULT}),
        ("欠钱不还，你爹妈怎么教出你这种人。", {INSULT}),
        ("Sell off your wife, your kids, sell everything.", {INSULT}),
        ("You stupid woman, pay your loan!", {INSULT}),
        ("We will post your name online as scammer.", {INSULT, DISCLOSURE}),
    ],
    "a collector presenting itself as an authority": [
        ("【XX市调解中心】您的欠款纠纷已进入调解程序，请于今日联系调解员。", {IMPERSONATION}),
        ("我们是XX调解委员会，负责你的案件。", {IMPERSONATION}),
        ("财务审计需要联系贵司一名员工。", {IMPERSONATION}),
        ("催收说他们是法院的，让我马上还钱。", {IMPERSONATION}),
        ("This is Officer Reyes from the NBI.", {IMPERSONATION}),
        ("I am calling from the Cyber Crime Cell. Your loan default is a criminal offence.",
         {IMPERSONATION, FALSE_CRIME}),
    ],
    "fake documents and false criminal claims in English": [
        ("A legal notice has been issued in your name. Pay within 24 hours.", {FAKE_DOCUMENT}),
        ("诉讼通知书已经寄出，请注意查收。", {FAKE_DOCUMENT}),
        ("You are charged with syndicated estafa.", {FALSE_CRIME}),
        ("FIR will be registered against you at the police station.", {FALSE_CRIME}),
    ],
    "late hours and call frequency": [
        ("天还没亮就打电话催。", {HOURS}),
        ("他们每天晚上十二点准时打过来。", {HOURS}),
        ("He texted me at 2am, calls at odd hours.", {HOURS}),
        ("他们换了十几个号码轮流打我电话。", {FREQUENCY}),
        ("每隔半小时就打一次。", {FREQUENCY}),
        ("一天之内打了我二十几个电话。", {FREQUENCY}),
        ("I get calls from them every 15 minutes.", {FREQUENCY}),
    ],
    "payment to a person, fees and new loans": [
        ("请把钱转到我同事的支付宝上，我帮你处理。", {ACCOUNT}),
        ("加我微信，转给我就给你销账。", {ACCOUNT}),
        ("Pay to my personal M-Pesa number 0712xxxxxx.", {ACCOUNT}),
        ("2.5折结清名下债务，先付10%服务费。", {FEE}),
        ("我们可以帮你申请减免，但要收取20%的服务费。", {FEE}),
        ("You can take a loan from another app to clear this.", {FEE}),
        ("对方说交3000块就能帮我把逾期记录消掉。", {FEE}),
    ],
    "news reports in the third person (其)": [
        ("催收人员称，如不还款将把其欠款信息发送给其通讯录中的联系人。", {DISCLOSURE}),
        ("催收公司多次骚扰其家人和同事。", {CONTACT}),
        ("催收员向其亲友催收，并扬言要到其单位闹事。", {CONTACT, VISIT}),
        ("催收人员深夜给其打电话。", {HOURS}),
    ],
    "English collection texts (Kenya, India, the Philippines)": [
        ("Dear referee, Mary has defaulted on her loan of KES 5,000. Advise her to pay today.", {DISCLOSURE, CONTACT}),
        ("You were listed as a guarantor by John. He has refused to pay. You will be held responsible.",
         {DISCLOSURE, CONTACT}),
        ("We will share your photos with all your WhatsApp contacts.", {DISCLOSURE}),
        ("Pay now or face the consequences.", {THREAT}),
        ("Your family is not safe.", {THREAT}),
        ("This is Advocate Sharma from the High Court.", {IMPERSONATION}),
        ("A non-bailable warrant has been issued against you.", {FAKE_DOCUMENT, FALSE_CRIME}),
        ("Our recovery agents will visit your residence tomorrow.", {VISIT}),
        ("They keep calling me all day, every day, from different numbers.", {FREQUENCY}),
        ("Pay via Google Pay to my UPI ID.", {ACCOUNT}),
        ("Download this app and take a loan to repay us.", {FEE}),
        ("Tum chor ho, sabko bata denge.", {INSULT, DISCLOSURE}),
        ("Pay today or jail jaoge, police case hoga.", {FALSE_CRIME}),
    ],
    "Hong Kong and Taiwan wording": [
        ("你老公欠我哋錢，叫佢快啲還。", {DISCLOSURE, CONTACT}),
        ("唔還錢就貼街招喺你屋企門口。", {DISCLOSURE, VISIT}),
        ("你個仔喺邊間學校我哋知㗎。", {THREAT}),
        ("再唔還錢，淋紅油！", {THREAT}),
        ("妳再不還錢，我們就去妳公司找妳主管。", {VISIT, CONTACT}),
        ("我們是地檢署，你的帳戶涉及洗錢案。", {IMPERSONATION, FALSE_CRIME}),
        ("一天打了三十幾通電話。", {FREQUENCY}),
    ],
    "visits": [
        ("我哋已經到咗你屋企樓下", {VISIT}),
        ("We are coming to your house tomorrow with the barangay officials.", {VISIT}),
    ],
}
POSITIVES = [(family, text, codes) for family, items in FAMILIES.items() for text, codes in items]

LAWFUL = [
    "请您通过官方App或对公账户还款，切勿向个人账户转账。",
    "温馨提示：请通过官方渠道还款，谨防不法分子冒充我司工作人员要求转账到个人账户。",
    "Beware of fraudsters asking for payment to personal accounts.",
    "Please be careful of scammers pretending to be our collectors.",
    "我们不会向您的亲友透露您的欠款信息。",
    "根据规定，我们只与借款人本人沟通，不会联系您的家人。",
    "We will never contact your employer or family about your debt.",
    "如您的家人或朋友收到我司电话，请告知我们，我们将立即核实。",
    "您的家人是您最坚强的后盾，有困难可以和他们商量。",
    "您的父母如需了解相关政策，可拨打客服热线。",
    "You may want to discuss the payment plan with your family before deciding.",
    "为了不影响您的生活，我们不会在晚上10点后联系您。",
    "我们的客服热线24小时为您服务。",
    "Our hotline is open 24/7.",
    "您可以联系调解中心申请免费调解。",
    "您的案件已进入诉前调解程序，调解员将与您联系，请保持电话畅通。",
    "我司已将您的案件委托律师事务所处理，如有异议请致电客服。",
    "If we cannot reach you, we may file a case in court to recover the amount.",
    "我们理解您的困难，可以为您申请减免部分罚息。",
    "如需结清贷款，无需支付任何手续费。",
    "分期手续费按月收取，详见合同。",
    "Dear customer, your EMI of Rs 4,500 is due on 5th. Pay via the app to avoid late fees.",
    "We tried to call you twice today. Please call us back.",
    "你再不還錢，我就告你！",
    "你等著收我的律師函！",
    "催收员态度还可以，说可以分期，让我按时还。",
    "He asked when I could pay and said they would send a reminder by email.",
    "This is a fraud alert: we never ask you to pay into a personal account.",
    "该银行表示，将依法合规开展催收工作，不会骚扰借款人家属。",
    "提醒您，本行不會要求您轉帳至個人帳戶。",
    "如有還款困難，歡迎來電洽詢協商方案。",
    "如需帮助，可联系社区法律服务站。",
    "Dear customer, your loan of KES 5,000 is overdue. Pay via M-Pesa Paybill 123456, account number your ID.",
    "Please pay your EMI via the app or UPI to avoid late charges.",
    "Failure to pay may result in your account being referred to a collection agency.",
    "Please do not share your OTP or PIN with anyone, including our staff.",
    "You can pay at any of our branches, via the official app, or by bank transfer to our company account.",
    # A lawful consequence, the lender's own departments, a lawful offer: words shared with the rules.
    "请您按时还款，否则将影响您的个人征信记录，后果自负。",
    "Please pay by Friday, or you will face consequences such as late fees.",
    "大家都知道按时还款很重要。",
    "Follow us on Facebook for payment tips.",
    "Unpaid accounts may be reported as a defaulter to the credit bureau.",
    "我们是XX消费金融法务部，提醒您本月账单已到期，请按时还款。",
    "我是XX银行信用卡中心调解员，可以为您制定分期方案。",
    "我是你贷款平台的法务专员，负责你的案件。",
    "This is Anna calling from the legal department of ABC Finance about your balance.",
    "If the balance stays unpaid, the court may issue a summons after we file.",
    "We will call you tomorrow early morning.",
    "You can reach us on several numbers listed on our website.",
    "If you have questions, call my personal number during office hours.",
    "您可申请8折结清，请联系官方客服。",
    "您的债务重组方案已获批。",
]

# Each narrowed pattern still catches what it is meant for.
NARROWED_POSITIVES = [
    ("请您转告他今天之内还款，否则后果自负。", THREAT),
    ("家人出了什么事，后果自负。", THREAT),
    ("Pay now or face the consequences.", THREAT),
    ("我们会让大家都知道你欠钱不还。", DISCLOSURE),
    ("We will post your photos on Facebook.", DISCLOSURE),
    ("我们是XX律师事务所，受托处理您的欠款。", IMPERSONATION),
    ("We will call you early in the morning every day until you pay.", HOURS),
    ("They called me from several numbers today.", FREQUENCY),
    ("Send the money to my personal number now.", ACCOUNT),
    ("先交2000元服务费，可以帮您8折结清。", FEE),
]


@pytest.fixture(scope="module")
def rules():
    return load_message_rules()


@pytest.mark.parametrize("family,text,codes", POSITIVES, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(POSITIVES)])
def test_family_finds_its_codes(family, text, codes, rules):
    assert codes <= set(rule_hits(text, rules)), family


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_reminders_sharing_the_words_stay_unflagged(text, rules):
    assert rule_hits(text, rules) == {}


@pytest.mark.parametrize("text,code", NARROWED_POSITIVES)
def test_narrowed_patterns_still_catch_their_target(text, code, rules):
    assert code in rule_hits(text, rules)


@pytest.mark.parametrize("text", [t for _, t, _ in POSITIVES if re.search(r"[\u4e00-\u9fff]", t)][::3])
def test_traditional_twin_gives_the_same_codes(text, rules):
    assert set(rule_hits(to_traditional(text), rules)) == set(rule_hits(text, rules))


def test_every_macro_is_expanded(rules):
    """A macro may use the macros defined before it; none is left as literal text in a regex."""
    for rule in rules.rules:
        for regex in [r for p in rule.patterns for r in p.regexes] + rule.unless:
            assert not re.search(r"\{[A-Z_]+\}", regex.pattern), (rule.code, regex.pattern[:60])


def test_a_rule_exclusion_also_stops_its_detector(rules):
    assert "unreasonable_hours" in rule_hits("昨天晚上11点还在打电话催我。", rules)
    assert "unreasonable_hours" not in rule_hits("我们不会在晚上11点后联系您。", rules)


def test_new_family_findings_show_their_excerpt_and_verified_citations(corpus, check_citations):
    result = check_message("您好，你是刘某的姐姐吧？她借的钱到期没还，你帮忙联系一下她。后果自负。", corpus, model=None)
    assert {DISCLOSURE, CONTACT, THREAT} <= result.codes
    for finding in result.findings:
        assert finding.excerpt and finding.excerpt in "您好，你是刘某的姐姐吧？她借的钱到期没还，你帮忙联系一下她。后果自负。"
    check_citations(result.citations, result.render())
