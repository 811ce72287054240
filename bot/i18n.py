"""User-interface strings for the chat front ends (plain text, no markup).

Simplified Chinese and English are written by hand; Traditional is derived
from Simplified with `bot.language.localize`. Front ends escape the result.
"""
from __future__ import annotations

from bot.language import LANGUAGES, localize

DEFAULT_LANGUAGE = "zh-Hans"

_STRINGS: dict[str, dict[str, str]] = {
    "disclaimer": {
        "zh-Hans": "提示：以上是法律信息，不是针对个案的法律意见，也不保证任何结果。需要帮助可拨打法律援助热线 12348。",
        "en": "Note: this is legal information, not legal advice for your case, and no outcome is promised. "
              "Free legal aid: call 12348.",
    },
    "start": {
        "zh-Hans": "您好，我是「知权」。\n\n"
                   "被催收电话困扰时，我用中国现行法律条文告诉您：催收方能做什么、不能做什么，"
                   "紧急联系人有没有还款义务，以及怎样通过正规渠道协商和投诉。每个回答都会注明引用的法条原文。\n\n"
                   "直接输入您的问题即可，或点下面的按钮。",
        "en": "Hello, I am Zhiquan (知权).\n\n"
              "When debt collectors call, I explain from the text of current Chinese law what they may and may "
              "not do, whether an emergency contact has to pay, and how to negotiate and complain through "
              "official channels. Every answer quotes the articles it relies on.\n\n"
              "Just type your question, or tap a button below.",
    },
    "help": {
        "zh-Hans": "可以直接提问，例如「催收打电话给我家人合法吗？」。\n\n"
                   "/contact 我是紧急联系人\n/borrower 我是欠款人\n/script 生成协商还款话术\n"
                   "/check 检查催收信息是否违规\n/complain 生成投诉材料\n/sources 知识库收录的法规\n"
                   "/lang 切换语言（简体／繁體／English）\n/privacy 隐私说明\n/forget 删除我的全部数据\n"
                   "/cancel 退出当前流程\n\n转发催收短信给我，我会逐条检查其中的问题。",
        "en": "Ask in your own words, e.g. “Is it legal for a collector to call my family?”.\n\n"
              "/contact I am an emergency contact\n/borrower I owe the debt\n/script build a negotiation script\n"
              "/check check a collector's message\n/complain build a complaint\n/sources documents I rely on\n"
              "/lang language (简体 / 繁體 / English)\n/privacy what I store\n/forget delete all my data\n"
              "/cancel leave the current step\n\nForward me a collector's message and I will check it.",
    },
    "topic_contact": {"zh-Hans": "我是紧急联系人", "en": "I am an emergency contact"},
    "topic_borrower": {"zh-Hans": "我是欠款人", "en": "I owe the debt"},
    "topic_conduct": {"zh-Hans": "催收什么行为违法", "en": "What collectors may not do"},
    "topic_complain": {"zh-Hans": "怎么投诉", "en": "How to complain"},
    "topic_script": {"zh-Hans": "生成协商话术", "en": "Negotiation script"},
    "topic_check": {"zh-Hans": "检查催收信息", "en": "Check a message"},
    "q_contact": {"zh-Hans": "我是紧急联系人，需要替别人还钱吗？",
                  "en": "I am someone's emergency contact. Do I have to pay their debt?"},
    "q_borrower": {"zh-Hans": "我信用卡逾期了，催收方哪些做法是违法的？我有哪些权利？",
                   "en": "My credit card is overdue. What may collectors not do, and what are my rights?"},
    "q_conduct": {"zh-Hans": "催收人员哪些行为是违法的？",
                  "en": "Which debt collection practices are unlawful?"},
    "q_complain": {"zh-Hans": "催收违规应该怎么投诉？", "en": "How do I complain about a debt collector?"},
    "borrower_intro": {
        "zh-Hans": "作为欠款人：债务是真实的，但催收必须合法。常见问题：",
        "en": "As the borrower: the debt is real, but collection must be lawful. Common questions:",
    },
    "contact_intro": {
        "zh-Hans": "我会一步步帮您准备给催收方的回复。随时发送 /cancel 退出。",
        "en": "I will help you prepare what to say to the collector, step by step. Send /cancel to stop.",
    },
    "sources_header": {"zh-Hans": "知识库收录的法规（共 {count} 部）：",
                       "en": "Documents in the knowledge base ({count}):"},
    "sources_line": {"zh-Hans": "{title}（施行：{effective}；状态：{status}）",
                     "en": "{title} (in force from {effective}; status: {status})"},
    "status_in_force": {"zh-Hans": "现行有效", "en": "in force"},
    "status_superseded": {"zh-Hans": "已被取代，仅供参考", "en": "superseded, for reference only"},
    "status_amended": {"zh-Hans": "已修订", "en": "amended"},
    "status_repealed": {"zh-Hans": "已废止", "en": "repealed"},
    "lang_prompt": {"zh-Hans": "请选择语言：", "en": "Choose a language:"},
    "lang_set": {"zh-Hans": "语言已设为{name}。", "en": "Language set to {name}."},
    "forget_confirm": {
        "zh-Hans": "确定删除我保存的关于您的全部数据吗？包括语言设置、最近的对话和未完成的流程。此操作无法撤销。",
        "en": "Delete everything I store about you? That is your language setting, recent conversation "
              "and any unfinished step. This cannot be undone.",
    },
    "forget_yes": {"zh-Hans": "确认删除", "en": "Yes, delete"},
    "forget_no": {"zh-Hans": "取消", "en": "Cancel"},
    "forget_done": {"zh-Hans": "已删除您的全部数据。", "en": "All your data has been deleted."},
    "forget_kept": {"zh-Hans": "已取消，数据未删除。", "en": "Cancelled; nothing was deleted."},
    "privacy": {
        "zh-Hans": "隐私说明\n\n"
                   "保存的内容：您的语言设置、最近 {turns} 轮问答（用于理解追问）、未完成流程中您填写的内容。"
                   "不保存您的姓名、电话或照片；生成的文件只发给您，不在服务器上留存。\n\n"
                   "保存多久：您 {days} 天没有使用后自动删除。\n\n"
                   "怎么删除：随时发送 /forget，确认后立即删除。\n\n"
                   "日志：运行日志不记录消息内容，并会遮盖电话、身份证号、银行卡号。\n\n"
                   "本机器人不会把您的信息提供给催收方或任何第三方。",
        "en": "Privacy\n\n"
              "What is stored: your language setting, your last {turns} questions and answers (to understand "
              "follow-up questions) and what you typed in an unfinished step. Not your name, phone number or "
              "photos; generated documents are sent to you and not kept on the server.\n\n"
              "How long: deleted automatically after {days} days without use.\n\n"
              "How to delete: send /forget at any time; it takes effect immediately.\n\n"
              "Logs: operational logs do not record message text and mask phone, ID and card numbers.\n\n"
              "Nothing is shared with collectors or any third party.",
    },
    "cancelled": {"zh-Hans": "已退出当前流程。可以继续提问。", "en": "Stopped. You can ask a question any time."},
    "nothing_to_cancel": {"zh-Hans": "当前没有进行中的流程。", "en": "There is nothing to cancel."},
    "rate_limited": {
        "zh-Hans": "您发送得有点快，请稍等一分钟再问。我会认真回答每个问题。",
        "en": "You are sending messages a little fast. Please wait a minute and ask again.",
    },
    "error": {
        "zh-Hans": "抱歉，处理您的消息时出了问题。请稍后再试，或换个说法。",
        "en": "Sorry, something went wrong with your message. Please try again later or rephrase it.",
    },
    "non_text": {
        "zh-Hans": "我只能读文字消息。请用文字描述您的问题，或把催收短信的文字转发／粘贴给我。"
                   "图片、语音、贴纸、文件和位置我暂时无法处理。",
        "en": "I can only read text. Please type your question, or forward/paste the text of the "
              "collector's message. I cannot process photos, voice, stickers, files or locations.",
    },
    "too_long": {
        "zh-Hans": "您的消息很长，我只读取了前 {limit} 个字。",
        "en": "Your message is long; I read only the first {limit} characters.",
    },
    "admin_only": {"zh-Hans": "抱歉，这个命令只对管理员开放。", "en": "Sorry, this command is for administrators only."},
    "reload_started": {"zh-Hans": "正在后台重建索引，完成后通知您。服务不中断。",
                       "en": "Rebuilding the index in the background; I will tell you when it is done."},
    "reload_busy": {"zh-Hans": "已有一次重建正在进行。", "en": "A rebuild is already running."},
    "reload_done": {"zh-Hans": "索引已更新：版本 {version}，用时 {seconds} 秒。",
                    "en": "Index updated: version {version}, took {seconds} s."},
    "reload_failed": {"zh-Hans": "重建失败（{error}），仍在使用旧索引。",
                      "en": "Rebuild failed ({error}); the old index is still in use."},
    "stats": {
        "zh-Hans": "运行时间：{uptime}\n索引版本：{version}\n索引条目：{chunks}\n法规文件：{documents}\n"
                   "已保存用户：{users}\n本次启动以来：回答 {answers}，检查 {checks}，限流 {limited}，错误 {errors}",
        "en": "Uptime: {uptime}\nIndex version: {version}\nIndex entries: {chunks}\nDocuments: {documents}\n"
              "Users stored: {users}\nSince start: answers {answers}, checks {checks}, rate-limited {limited}, "
              "errors {errors}",
    },
    "followups": {"zh-Hans": "您可能还想问：", "en": "You might also ask:"},
    "view_article": {"zh-Hans": "查看法条 {label}", "en": "Full text: {label}"},
    "article_missing": {"zh-Hans": "这条法条已不在当前知识库中。", "en": "That article is no longer in the knowledge base."},
    "expired": {"zh-Hans": "这个按钮已过期，请直接输入您的问题。", "en": "This button has expired; please type your question."},
    "citations": {"zh-Hans": "法律依据", "en": "Legal basis"},
    "caveat": {"zh-Hans": "注意：{caveat}", "en": "Caution: {caveat}"},
    "check_prompt": {
        "zh-Hans": "请把催收方发来的短信或聊天内容粘贴给我（也可以描述电话里说了什么）。发送 /cancel 退出。",
        "en": "Paste the collector's message (or describe what was said on the call). Send /cancel to stop.",
    },
    "check_lawful": {
        "zh-Hans": "没有发现明显违规的内容。按时提醒欠款本身是合法的。如果对方之后出现威胁、辱骂、联系您的家人同事等行为，请保留证据。",
        "en": "I found nothing clearly unlawful. A reminder of an overdue amount is itself lawful. If threats, "
              "insults or contact with your family or employer follow, keep the evidence.",
    },
    "check_found": {"zh-Hans": "发现 {count} 处可能违规的内容：", "en": "I found {count} possible violation(s):"},
    "check_excerpt": {"zh-Hans": "原文：{excerpt}", "en": "Quote: {excerpt}"},
    "check_advice": {"zh-Hans": "怎么做：{advice}", "en": "What to do: {advice}"},
    "tool_unavailable": {"zh-Hans": "这个功能暂时不可用，请稍后再试。", "en": "This tool is not available right now."},
    "wizard_resumed": {"zh-Hans": "（接着上次的步骤）", "en": "(continuing where you left off)"},
    "document_caption": {"zh-Hans": "生成的文件，可以修改后使用。", "en": "Your document; edit it before use."},
    "group_hint": {"zh-Hans": "在群里请 @我 或回复我的消息提问。", "en": "In groups, mention me or reply to me."},
    "cmd_start": {"zh-Hans": "开始：功能介绍", "en": "Start"},
    "cmd_log": {"zh-Hans": "记录一次催收（/log list 查看时间表）", "en": "Log an incident (/log list: timeline)"},
    "cmd_export": {"zh-Hans": "导出骚扰记录（Word 和表格）", "en": "Export the log (Word and CSV)"},
    "cmd_help": {"zh-Hans": "帮助：可以问什么", "en": "Help"},
    "cmd_contact": {"zh-Hans": "我是紧急联系人", "en": "I am an emergency contact"},
    "cmd_borrower": {"zh-Hans": "我是欠款人", "en": "I owe the debt"},
    "cmd_script": {"zh-Hans": "生成协商还款话术", "en": "Negotiation script"},
    "cmd_check": {"zh-Hans": "检查催收信息是否违规", "en": "Check a collector's message"},
    "cmd_complain": {"zh-Hans": "生成投诉材料", "en": "Build a complaint"},
    "cmd_sources": {"zh-Hans": "知识库收录的法规", "en": "Documents in the knowledge base"},
    "cmd_lang": {"zh-Hans": "切换语言 简体/繁體/English", "en": "Language"},
    "cmd_forget": {"zh-Hans": "删除我的全部数据", "en": "Delete my data"},
    "cmd_privacy": {"zh-Hans": "隐私说明", "en": "Privacy"},
    "cmd_cancel": {"zh-Hans": "退出当前流程", "en": "Cancel the current step"},
}

LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}


def has_string(key: str) -> bool:
    return key in _STRINGS


def normalize_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **params) -> str:
    """The string `key` in `lang` (zh-Hant derived from zh-Hans), formatted with `params`.

    Parameters are substituted after conversion, so user-supplied values are never
    rewritten into another script.
    """
    lang = normalize_language(lang)
    entry = _STRINGS[key]
    if lang == "en":
        template = entry["en"]
    else:
        template = localize(entry["zh-Hans"], lang)
    return template.format(**params) if params else template


def language_from_code(code: str | None) -> str:
    """Map Telegram's IETF language_code (zh-hans, zh-TW, en-GB …) to one of ours."""
    code = (code or "").lower()
    if code.startswith("en"):
        return "en"
    if code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return "zh-Hant"
    return DEFAULT_LANGUAGE
