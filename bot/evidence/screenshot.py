"""A screenshot, read: OCR lines grouped into messages, each message run through the checker."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot import messages
from bot.engine.citation_text import citation_line
from bot.evidence import bubbles, ocr
from bot.language import detect_language
from bot.tools.checker import CheckerInputError, CheckResult, Finding, check_message
from bot.tools.common import disclaimer, say, to_lang, unique
from bot.tools.recipient import is_third_party


@dataclass
class MessageCheck:
    text: str
    side: str
    result: CheckResult


@dataclass
class ScreenshotReport:
    messages: list[MessageCheck]
    timestamps: list[str] = field(default_factory=list)
    language: str = "zh-Hans"
    recipient: str | None = None     # who received the screenshot's messages, as the user said

    @property
    def text(self) -> str:
        """The recognised messages, one per line (what the user can correct and log)."""
        return "\n".join(m.text for m in self.messages)

    @property
    def findings(self) -> list[Finding]:
        """One finding per rule broken, from the first message that breaks it."""
        seen, out = set(), []
        for message in self.messages:
            for finding in message.result.findings:
                if finding.code not in seen:
                    seen.add(finding.code)
                    out.append(finding)
        return out

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def render(self) -> str:
        """Plain text: recognised text, then each finding with its excerpt and verified citations."""
        lang = self.language
        parts = [say("识别出的文字（如有错字，可以改正后直接发给我再检查）：",
                     "Recognised text (if anything is misread, correct it and send it to me to check again):", lang),
                 "\n".join(f"{'→' if m.side == 'right' else '•'} {m.text}" for m in self.messages)]
        if is_third_party(self.recipient):
            parts.insert(0, messages.t("check_recipient_note", lang, who=messages.t(f"recipient_{self.recipient}", lang)))
        findings = self.findings
        if not findings:
            parts.append(say("没有发现明显违规的内容。", "Nothing clearly unlawful was found.", lang))
        else:
            parts.append(say(f"发现 {len(findings)} 个问题：", f"{len(findings)} problem(s) found:", lang))
        for i, f in enumerate(findings, 1):
            cites = "\n".join(f"   - {to_lang(citation_line(c, lang), lang)}" for c in f.citations)
            parts.append("\n".join([f"{i}. {f.title}", f"   {say('原话', 'Quote', lang)}：“{f.excerpt}”",
                                    f"   {say('说明', 'Why', lang)}：{f.explanation}",
                                    f"   {say('怎么办', 'What to do', lang)}：{f.advice}",
                                    f"   {say('依据', 'Rules', lang)}：", cites]))
        parts.append(disclaimer(lang))
        return "\n\n".join(parts)

    @property
    def citations(self):
        return unique([c for f in self.findings for c in f.citations])


def check_bubbles(found: list[bubbles.Bubble], corpus, lang: str | None = None,
                  recipient: str | None = None) -> ScreenshotReport:
    """Run every message bubble through the checker (the collector's and the user's alike).

    `recipient` (who received the messages, as the user said) applies to the bubbles received, not
    to the replies on the right: those are the recipient's own words, not the collector's."""
    texts = [b.text for b in bubbles.messages(found)]
    lang = lang or detect_language("\n".join(texts) or "。")
    checks = []
    for bubble in bubbles.messages(found):
        try:
            result = check_message(bubble.text, corpus, lang=lang,
                                   recipient=None if bubble.side == "right" else recipient)
        except CheckerInputError:
            continue
        checks.append(MessageCheck(bubble.text, bubble.side, result))
    stamps = [b.text for b in found if b.kind == "time"]
    return ScreenshotReport(checks, stamps, lang, recipient)


def read_screenshot(image_bytes: bytes, corpus, lang: str | None = None,
                    recipient: str | None = None) -> ScreenshotReport:
    """OCR + grouping + checker. Raises ocr.ImageInputError for unreadable images. CPU-bound: run in a worker."""
    lines, width = ocr.recognise_with_width(image_bytes)
    found = bubbles.group(lines, width)
    if not bubbles.messages(found):
        raise ocr.ImageInputError("not_chat", "图片里只识别到标题或时间，没有消息内容。请发送包含消息内容的截图。",
                                  "Only a title or a time was found, no message. Send a screenshot that shows "
                                  "the messages.")
    return check_bubbles(found, corpus, lang, recipient)
