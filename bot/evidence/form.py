"""The one-message incident form ("/log" followed by "时间：… 号码：… 内容：…" lines) for chat front ends."""
from __future__ import annotations

import re
from datetime import datetime

from bot.evidence.incidents import CHANNEL_WORDS, CHANNELS, CONTACTED, CONTACTED_WORDS, Incident, IncidentError, pick
from bot.evidence.when import parse_when
from bot.language import to_simplified

FIELDS = {"时间": "when", "日期": "when", "when": "when", "号码": "number", "账号": "number", "number": "number",
          "方式": "channel", "渠道": "channel", "channel": "channel", "联系了谁": "contacted", "对象": "contacted",
          "contacted": "contacted", "内容": "text", "经过": "text", "what": "text", "text": "text"}
_LINE = re.compile(r"^\s*([^:：]{1,12})\s*[:：]\s*(.*)$")
_OPTION_NOTE = re.compile(r"[（(][^）)]*[/／][^）)]*[)）]\s*$")    # the "(电话/短信/…)" hint copied from the template


def parse_form(body: str) -> dict[str, str]:
    """Field values of the form; lines without a known label belong to the content."""
    values: dict[str, str] = {}
    loose: list[str] = []
    for line in body.splitlines():
        match = _LINE.match(line)
        key = FIELDS.get(to_simplified(match.group(1)).strip().lower()) if match else None
        if key is None:
            if line.strip():
                loose.append(line.strip())
            continue
        value = _OPTION_NOTE.sub("", match.group(2)).strip()
        values[key] = f"{values[key]}\n{value}" if key in values else value
    if loose:
        values["text"] = "\n".join(filter(None, [values.get("text", ""), *loose]))
    return values


def incident_from_form(values: dict[str, str], findings: list[dict], tz: str, now: datetime | None = None,
                       source: str = "typed") -> Incident:
    text = values.get("text", "").strip()
    if not text:
        raise IncidentError("请在“内容：”后写下对方说了什么或做了什么。", "Write what they said or did after 'what:'.")
    when = parse_when(values.get("when", ""), now=now, tz=tz)
    return Incident(occurred_at=when.at.isoformat(), has_time=when.has_time, number=values.get("number", "").strip(),
                    channel=pick(CHANNELS, CHANNEL_WORDS, values.get("channel", ""), "call"),
                    contacted=pick(CONTACTED, CONTACTED_WORDS, values.get("contacted", ""), "me"),
                    text=text, findings=findings, source=source)
