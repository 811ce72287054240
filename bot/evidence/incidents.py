"""One incident of collection harassment: when, from which number, how, whom, what, and the findings.

An incident is plain data (JSON-serialisable) so every store keeps it the same way.
Findings are stored as the checker's codes and excerpts only; their titles and citations
are rebuilt from the checker's rules (verified against the corpus) whenever they are shown.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from bot.tools.checker import CODES

MAX_INCIDENTS = 500
MAX_TEXT = 4000
MAX_NUMBER = 64
MAX_CONTACTED = 100

# channel code -> (Simplified Chinese, English)
CHANNELS = {
    "call": ("电话", "Call"),
    "sms": ("短信", "SMS"),
    "wechat": ("微信", "WeChat"),
    "visit": ("上门", "Visit"),
    "contact_call": ("联系亲友/单位", "Call to a contact"),
    "other": ("其他", "Other"),
}
CONTACTED = {
    "me": ("本人", "Me"),
    "relative": ("亲属", "A relative"),
    "employer": ("单位/领导", "Employer"),
    "colleague": ("同事", "A colleague"),
    "friend": ("朋友", "A friend"),
    "other": ("其他人", "Someone else"),
}
SOURCES = ("typed", "screenshot", "forwarded")
CHANNEL_WORDS = {"电话": "call", "来电": "call", "打电话": "call", "短信": "sms", "信息": "sms", "微信": "wechat",
                 "上门": "visit", "到家": "visit", "联系人": "contact_call", "亲友": "contact_call"}
# "我" comes last: among words of the same length the first listed wins, so "我妈" is a relative.
CONTACTED_WORDS = {"本人": "me", "自己": "me", "家人": "relative", "父母": "relative", "妈": "relative",
                   "爸": "relative", "亲戚": "relative", "亲属": "relative", "老婆": "relative", "老公": "relative",
                   "单位": "employer", "公司": "employer", "领导": "employer", "老板": "employer",
                   "同事": "colleague", "朋友": "friend", "我": "me"}


class IncidentError(ValueError):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class Incident:
    occurred_at: str                       # ISO 8601 with offset, in the user's time zone
    channel: str
    contacted: str
    text: str
    number: str = ""
    has_time: bool = True
    findings: list[dict] = field(default_factory=list)     # [{"code": ..., "excerpt": ...}]
    source: str = "typed"
    image: str | None = None               # file name of a kept screenshot, in the user's folder
    id: str = field(default_factory=lambda: secrets.token_hex(6))
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.occurred_at)

    @property
    def codes(self) -> list[str]:
        return [f["code"] for f in self.findings]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Incident:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return validate(cls(**known))


def _fail(zh: str, en: str):
    raise IncidentError(zh, en)


def validate(incident: Incident) -> Incident:
    """Check every field; raise IncidentError saying what to fix."""
    try:
        when = datetime.fromisoformat(incident.occurred_at)
    except (TypeError, ValueError):
        _fail("时间格式不对。", "The time is not valid.")
    if when.tzinfo is None:
        _fail("时间缺少时区。", "The time has no time zone.")
    if incident.channel not in CHANNELS:
        _fail("联系方式应为：" + "、".join(zh for zh, _ in CHANNELS.values()),
              "The channel must be one of: " + ", ".join(en for _, en in CHANNELS.values()))
    if incident.contacted not in CONTACTED:
        _fail("被联系的人应为：" + "、".join(zh for zh, _ in CONTACTED.values()),
              "Who was contacted must be one of: " + ", ".join(en for _, en in CONTACTED.values()))
    if not isinstance(incident.text, str) or not incident.text.strip():
        _fail("请写下对方说了什么或做了什么。", "Say what they said or did.")
    if len(incident.text) > MAX_TEXT:
        _fail(f"内容太长（超过 {MAX_TEXT} 字），请精简。", f"The text is too long (over {MAX_TEXT} characters).")
    if len(incident.number) > MAX_NUMBER:
        _fail("号码或账号太长。", "The number or account is too long.")
    if incident.source not in SOURCES:
        _fail("来源不对。", "Unknown source.")
    for finding in incident.findings:
        if not isinstance(finding, dict) or finding.get("code") not in CODES:
            _fail("记录里的检查结果无效。", "The stored findings are not valid.")
    if incident.image is not None and ("/" in incident.image or "\\" in incident.image or incident.image.startswith(".")):
        _fail("图片文件名无效。", "The image file name is not valid.")
    return incident


def pick(table: dict, words: dict, text: str, default: str) -> str:
    """A code from a typed answer: the code itself, its label, a number (1-based) or a keyword."""
    from bot.language import to_simplified

    value = to_simplified((text or "").strip()).lower()
    if not value:
        return default
    if value in table:
        return value
    codes = list(table)
    if value.isdigit() and 1 <= int(value) <= len(codes):
        return codes[int(value) - 1]
    for code, (zh, en) in table.items():
        if value in (zh, en.lower()):
            return code
    for word, code in sorted(words.items(), key=lambda kv: -len(kv[0])):
        if word in value:
            return code
    raise IncidentError("没有这个选项：" + "、".join(f"{i}={zh}" for i, (zh, _) in enumerate(table.values(), 1)),
                        "Not an option: " + ", ".join(f"{i}={en}" for i, (_, en) in enumerate(table.values(), 1)))


def findings_of(result) -> list[dict]:
    """The storable part of a checker result (codes and excerpts)."""
    return [{"code": f.code, "excerpt": f.excerpt} for f in result.findings]
