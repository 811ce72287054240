"""The harassment log's part of a complaint letter: how many incidents, over which dates,
the gravest findings, and the articles they break, quoted verbatim (verified citations)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.engine.answers import Citation
from bot.engine.citation_text import citation_line
from bot.evidence.incidents import Incident
from bot.evidence.timeline import Timeline, build
from bot.tools.checker import finding_for
from bot.tools.common import unique

WORST_SHOWN = 3


def log_section(incidents: list[Incident], corpus, tz: str = "Asia/Shanghai") -> tuple[str, list[Citation]]:
    """(Chinese text for the letter, citations it relies on). Empty text when the log is empty."""
    if not incidents:
        return "", []
    timeline = build(incidents, corpus, tz)
    return _section(timeline, corpus), _citations(timeline, corpus)


def _examples(timeline: Timeline, code: str) -> str:
    return next((f["excerpt"] for i in timeline.incidents for f in i.findings if f["code"] == code and f.get("excerpt")), "")


def _citations(timeline: Timeline, corpus) -> list[Citation]:
    return unique([c for code in timeline.worst[:WORST_SHOWN] for c in finding_for(code, "", corpus, "zh-Hans").citations])


def _section(timeline: Timeline, corpus) -> str:
    zone = ZoneInfo(timeline.tz)
    first, last = timeline.first.astimezone(zone), timeline.last.astimezone(zone)
    lines = [f"本人自 {first:%Y年%m月%d日} 至 {last:%Y年%m月%d日} 共记录催收联系 {len(timeline.incidents)} 次"
             f"（涉及号码 {len([n for n in timeline.per_number if n])} 个），详见附件《催收骚扰记录》时间表。"]
    if timeline.busy_days:
        lines.append(f"其中 {len(timeline.busy_days)} 天一天内被联系 {timeline.threshold} 次及以上；"
                     f"夜间（{timeline.quiet_start}:00 至次日 {timeline.quiet_end}:00）联系 {len(timeline.night)} 次。")
    elif timeline.night:
        lines.append(f"其中夜间（{timeline.quiet_start}:00 至次日 {timeline.quiet_end}:00）联系 {len(timeline.night)} 次。")
    if not timeline.worst:
        lines.append("记录中没有自动识别出明确违反的条文，请银行和监管部门依据记录核查。")
        return "\n".join(lines)
    lines.append("记录中最严重的问题：")
    for n, code in enumerate(timeline.worst[:WORST_SHOWN], 1):
        finding = finding_for(code, _examples(timeline, code), corpus, "zh-Hans")
        quote = f"（原话：“{finding.excerpt}”）" if finding.excerpt else ""
        rules = "；".join(citation_line(c, "zh-Hans") for c in finding.citations[:2])
        lines.append(f"{n}. {finding.title}{quote}，违反：{rules}")
    return "\n".join(lines)
