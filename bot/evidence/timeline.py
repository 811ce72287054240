"""The log as a timeline: incidents per day and per number, days with many contacts, night contacts.

The thresholds are the message checker's own (bot/data/checker_rules.yaml: quiet_hours and
frequency). The corpus sets no hours and no frequency limit for collection, so every flag
says it is the tool's threshold, not a legal rule.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from bot.evidence.incidents import CHANNELS, Incident
from bot.tools.checker import CODES, load_rules
from bot.tools.common import say

NO_RULE_ZH = ("说明：法规库中没有关于催收时段或次数的具体规定。下面标出的“频繁”（一天 {per_day} 次及以上）和“夜间”"
              "（{start}:00 至次日 {end}:00）是本工具的提示阈值，不是法律标准；它们帮助你整理证据，是否违规由银行、监管部门或法院认定。")
NO_RULE_EN = ("Note: the corpus has no specific rule on the hours or the number of collection contacts. The flags "
              "below, 'many' ({per_day} or more a day) and 'night' ({start}:00 to {end}:00), are this tool's "
              "thresholds, not legal standards; they help you organise evidence, and whether conduct is unlawful "
              "is for the bank, the regulator or a court to decide.")


@dataclass
class Timeline:
    incidents: list[Incident]
    per_day: dict[date, int]
    per_number: dict[str, int]
    busy_days: list[date]
    night: list[Incident]
    threshold: int
    quiet_start: int
    quiet_end: int
    tz: str = "Asia/Shanghai"
    worst: list[str] = field(default_factory=list)     # finding codes, gravest first

    @property
    def first(self):
        return self.incidents[0].when if self.incidents else None

    @property
    def last(self):
        return self.incidents[-1].when if self.incidents else None

    def note(self, lang: str) -> str:
        params = {"per_day": self.threshold, "start": self.quiet_start, "end": self.quiet_end}
        return say(NO_RULE_ZH.format(**params), NO_RULE_EN.format(**params), lang)

    def render(self, lang: str) -> str:
        if not self.incidents:
            return say("记录是空的。用 /log 记下一次催收。", "The log is empty. Record an incident with /log.", lang)
        zone = ZoneInfo(self.tz)
        lines = [say(f"共 {len(self.incidents)} 条记录（{self.first.astimezone(zone):%Y-%m-%d} 至 "
                     f"{self.last.astimezone(zone):%Y-%m-%d}）", f"{len(self.incidents)} incident(s) "
                     f"({self.first.astimezone(zone):%Y-%m-%d} to {self.last.astimezone(zone):%Y-%m-%d})", lang), ""]
        lines.append(say("按天：", "Per day:", lang))
        for day, count in sorted(self.per_day.items()):
            flag = say("  ⚠ 频繁", "  ⚠ many", lang) if day in self.busy_days else ""
            lines.append(f"  {day:%Y-%m-%d}：{count}{flag}")
        lines.append(say("按号码：", "Per number:", lang))
        for number, count in sorted(self.per_number.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {number or say('（未记录）', '(not recorded)', lang)}：{count}")
        if self.night:
            lines.append(say(f"夜间联系：{len(self.night)} 次", f"Contacts at night: {len(self.night)}", lang))
            for incident in self.night[:10]:
                channel = say(*CHANNELS[incident.channel], lang)
                lines.append(f"  🌙 {incident.when.astimezone(zone):%Y-%m-%d %H:%M} {channel} {incident.number}")
        lines += ["", self.note(lang)]
        return "\n".join(lines)


def is_night(incident: Incident, start: int, end: int, zone: ZoneInfo) -> bool:
    if not incident.has_time:
        return False
    hour = incident.when.astimezone(zone).hour
    return hour >= start or hour < end


def build(incidents: list[Incident], corpus, tz: str = "Asia/Shanghai") -> Timeline:
    rules = load_rules(corpus)
    zone = ZoneInfo(tz)
    ordered = sorted(incidents, key=lambda i: i.when)
    per_day = Counter(i.when.astimezone(zone).date() for i in ordered)
    per_number = Counter(i.number.strip() for i in ordered)
    busy = sorted(day for day, count in per_day.items() if count >= rules.per_day)
    night = [i for i in ordered if is_night(i, rules.quiet_start, rules.quiet_end, zone)]
    # The checker lists its codes from the gravest (threats) down, so that order ranks the findings.
    worst = sorted({c for i in ordered for c in i.codes}, key=CODES.index)
    return Timeline(ordered, dict(per_day), dict(per_number), busy, night, rules.per_day,
                    rules.quiet_start, rules.quiet_end, tz, worst)
