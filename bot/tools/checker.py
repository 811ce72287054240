"""Collector-message checker: which rules a collector's message or call breaks.

The rules are data (bot/data/checker_rules.yaml): regular expressions per finding code,
with explanation, advice and citations. Messages are matched in Simplified Chinese so
Traditional input works the same; citations are verified against the corpus when the
rules load, so a finding can never cite an article or quote that is not there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.datafiles import data_path, load_yaml
from bot.engine.answers import Citation
from bot.errors import BilingualError
from bot.language import detect_language, to_simplified
from bot.tools.amounts import AmountError, parse_count
from bot.tools.common import citation_line, cite, disclaimer, say, to_lang, unique
from ingest.corpus import Corpus

RULES_PATH = data_path("checker_rules.yaml")
CODES = ("threat", "insult", "third_party_disclosure", "third_party_contact", "impersonation",
         "false_criminal_claim", "fake_legal_document", "home_or_work_visit_threat", "unreasonable_hours",
         "excessive_frequency", "personal_account_payment", "fee_or_new_loan_demand")
MAX_EXCERPT = 120


class CheckerInputError(BilingualError):
    """A message the checker cannot check (empty, or not text)."""


@dataclass
class Finding:
    code: str
    excerpt: str
    explanation: str
    advice: str
    citations: list[Citation]
    title: str = ""                  # short name of the problem, in the user's language
    channel: str = "regulator"       # police | regulator

    def to_json(self) -> dict:
        return {"code": self.code, "title": self.title, "excerpt": self.excerpt,
                "explanation": self.explanation, "advice": self.advice, "channel": self.channel,
                "citations": [{"doc_id": c.doc_id, "article": c.article, "short_title": c.short_title,
                               "quote": c.quote, "status": c.status, "caveat": c.caveat}
                              for c in self.citations]}


@dataclass
class CheckResult:
    lawful: bool
    findings: list[Finding] = field(default_factory=list)
    language: str = "zh-Hans"
    summary: str = ""

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    @property
    def citations(self) -> list[Citation]:
        return unique([c for f in self.findings for c in f.citations])

    def to_json(self) -> dict:
        return {"lawful": self.lawful, "language": self.language, "summary": self.summary,
                "findings": [f.to_json() for f in self.findings]}

    def render(self) -> str:
        """Plain text for a chat reply or the terminal, in the result's language."""
        lang = self.language
        parts = [self.summary]
        for i, f in enumerate(self.findings, 1):
            cites = "\n".join(f"   - {to_lang(citation_line(c, lang), lang)}" for c in f.citations)
            parts.append("\n".join([
                f"{i}. {f.title}",
                f"   {say('原话', 'Quote', lang)}：“{f.excerpt}”",
                f"   {say('说明', 'Why', lang)}：{f.explanation}",
                f"   {say('怎么办', 'What to do', lang)}：{f.advice}",
                f"   {say('依据', 'Rules', lang)}：",
                cites,
            ]))
        parts.append(disclaimer(lang))
        return "\n\n".join(parts)


# --- rules ---------------------------------------------------------------------------------

@dataclass
class _Pattern:
    regexes: tuple[re.Pattern, ...]     # all must match (one regex for ordinary patterns)
    unless: re.Pattern | None = None


@dataclass
class Rule:
    code: str
    title: dict
    patterns: list[_Pattern]
    unless: list[re.Pattern]
    explanation: dict
    advice: dict
    channel: str
    citations: list[Citation]
    detector: str | None = None


@dataclass
class RuleSet:
    rules: list[Rule]
    quiet_start: int
    quiet_end: int
    per_day: int
    lawful: dict
    summary: dict


def _expand(regex: str, macros: dict) -> str:
    for name, value in macros.items():
        regex = regex.replace("{" + name + "}", value)
    return regex


def _compile(regex: str, macros: dict, where: str) -> re.Pattern:
    try:
        return re.compile(_expand(regex, macros), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{RULES_PATH.name}: bad regex in {where}: {exc}") from None


def _pattern(item, macros: dict, where: str) -> _Pattern:
    if isinstance(item, str):
        return _Pattern((_compile(item, macros, where),))
    if "all" in item:
        return _Pattern(tuple(_compile(r, macros, where) for r in item["all"]))
    unless = _compile(item["unless"], macros, where) if item.get("unless") else None
    return _Pattern((_compile(item["re"], macros, where),), unless)


def load_rules(corpus: Corpus, path: Path | str = RULES_PATH) -> RuleSet:
    """Parse the rules file and verify every citation in it (CitationError if one is wrong)."""
    return _load_rules(corpus, str(path))


@lru_cache(maxsize=4)
def _load_rules(corpus: Corpus, path: str) -> RuleSet:
    raw = load_yaml(Path(path))
    macros = raw.get("macros", {})
    rules = []
    for code, spec in raw["rules"].items():
        if code not in CODES:
            raise ValueError(f"{Path(path).name}: unknown finding code {code!r}")
        rules.append(Rule(
            code=code, title=spec["title"],
            patterns=[_pattern(p, macros, code) for p in spec.get("patterns", [])],
            unless=[_compile(u, macros, code) for u in spec.get("unless", [])],
            explanation=spec["explanation"], advice=spec["advice"], channel=spec.get("channel", "regulator"),
            citations=[cite(corpus, ref) for ref in spec["cites"]], detector=spec.get("detector"),
        ))
    return RuleSet(rules=rules, quiet_start=int(raw["quiet_hours"]["start"]),
                   quiet_end=int(raw["quiet_hours"]["end"]), per_day=int(raw["frequency"]["per_day"]),
                   lawful=raw["lawful"], summary=raw["summary"])


# --- matching ------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def normalize(text: str) -> str:
    """Simplified, lower-case, ASCII digits and colons: the form every rule is written against."""
    text = to_simplified(text)
    text = text.translate(str.maketrans("０１２３４５６７８９：", "0123456789:"))
    return text.lower()


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]


def _sentence_at(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    return next(((s, e) for s, e in spans if s <= pos < e), (pos, pos + 1))


def _excerpt(original: str, norm: str, span: tuple[int, int], pos: int | None = None) -> str:
    """The matched sentence; for a long sentence, just the clause around the match."""
    if pos is not None and span[1] - span[0] > 30:
        start = max((m.end() for m in _CLAUSE_BREAK.finditer(norm, span[0], pos)), default=span[0])
        end_match = _CLAUSE_BREAK.search(norm, pos, span[1])
        span = (start, end_match.start() if end_match else span[1])
    # OpenCC keeps the length for almost all text; fall back to the Simplified form if not.
    source = original if len(original) == len(norm) else norm
    piece = source[span[0]:span[1]].strip().rstrip("，,；;")
    return piece if len(piece) <= MAX_EXCERPT else piece[:MAX_EXCERPT] + "…"


_CLAUSE_BREAK = re.compile(r"[，,。！？!?；;\n]")


def _clause(norm: str, pos: int) -> str:
    """The comma-delimited clause around pos: exclusions ("不会……个人账户") apply only there."""
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, pos)), default=0)
    end_match = _CLAUSE_BREAK.search(norm, pos)
    return norm[start:end_match.end() if end_match else len(norm)]


def _match_rule(rule: Rule, norm: str, spans) -> tuple[tuple[int, int], int] | None:
    """(sentence span, match position) of the first hit of the rule, or None."""
    def excluded(pos: int, pattern: _Pattern) -> bool:
        clause = _clause(norm, pos)
        if pattern.unless and pattern.unless.search(clause):
            return True
        return any(u.search(clause) for u in rule.unless)

    for pattern in rule.patterns:
        first, *others = pattern.regexes
        if not all(r.search(norm) for r in others):
            continue
        for m in first.finditer(norm):
            if not excluded(m.start(), pattern):
                return _sentence_at(spans, m.start()), m.start()
    return None


_TIME = re.compile(
    r"(凌晨|半夜|深夜|夜里|夜间|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚)?\s*"
    r"([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:(点|时)(?![钱儿])(半|[0-9]{1,2}分?)?|[:](\d{2}))"
    r"(?!\s*(?:[-—~至到]|点?\s*[-—~至到]))")
_TIME_EN = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)")
_RANGE_AFTER = re.compile(r"^\s*[-—~至到]")
_RANGE_BEFORE = re.compile(r"[-—~至到]\s*$")


def _hour(period: str | None, number: str, colon: bool) -> float | None:
    try:
        h = int(number) if number.isdigit() else parse_count(number)
    except (AmountError, ValueError):
        return None
    if h > 24:
        return None
    if period in ("下午", "傍晚") and h < 12:
        return h + 12
    if period in ("晚上", "晚", "夜里", "夜间", "半夜", "深夜"):
        # 晚上11点 = 23:00, but 晚上1点 / 半夜2点 mean after midnight.
        return h if h < 5 else (h + 12) % 24 if h <= 12 else h
    if period is None and not colon:
        return None          # "10点" alone could be morning or evening
    return h % 24


def _hours_hit(norm: str, spans, rules: RuleSet) -> tuple[tuple[int, int], int] | None:
    def late(h: float) -> bool:
        return h >= rules.quiet_start or h < rules.quiet_end

    for m in _TIME.finditer(norm):
        h = _hour(m.group(1), m.group(2), colon=m.group(5) is not None)
        # Look only a few characters around the time: slicing the whole text per hit is quadratic.
        in_range = (_RANGE_AFTER.match(norm[m.end():m.end() + 4])
                    or _RANGE_BEFORE.search(norm[max(0, m.start() - 4):m.start()]))
        if h is not None and late(h) and not in_range:
            return _sentence_at(spans, m.start()), m.start()
    for m in _TIME_EN.finditer(norm):
        h = int(m.group(1)) % 12 + (12 if m.group(3).startswith("p") else 0)
        if late(h):
            return _sentence_at(spans, m.start()), m.start()
    return None


_PERIOD = re.compile(r"一天|每天|天天|今天|昨天|一晚上?|一上午|一下午|一早上|半天|一小时|一个小时|半小时|一整天|"
                     r"a day|per day|today|every day|in one day|an hour|per hour|one night|last night")
_COUNT = re.compile(r"([0-9]+|[一二两三四五六七八九十百几数]+)多?\s*(?:个|通|次|条|遍)(?!月|小时|工作日|星期|礼拜)")
_COUNT_EN = re.compile(r"\b(\d+)\s*(?:calls|messages|texts|times|missed calls)\b")


def _frequency_hit(norm: str, spans, rules: RuleSet) -> tuple[tuple[int, int], int] | None:
    for start, end in spans:
        sentence = norm[start:end]
        if not _PERIOD.search(sentence):
            continue
        for m in list(_COUNT.finditer(sentence)) + list(_COUNT_EN.finditer(sentence)):
            try:
                n = parse_count(m.group(1))
            except (AmountError, ValueError):
                continue
            if n >= rules.per_day:
                return (start, end), start + m.start()
    return None


def check_message(text: str, corpus: Corpus, lang: str | None = None) -> CheckResult:
    """Findings for a collector's message or a description of a call. Empty text raises CheckerInputError."""
    if not text or not text.strip():
        raise CheckerInputError("没有收到要检查的内容。请粘贴催收短信、微信，或描述通话内容。",
                                "Nothing to check. Paste the collector's message or describe the call.")
    lang = lang or detect_language(text)
    rules = load_rules(corpus)
    norm = normalize(text)
    spans = _sentences(norm)
    findings = []
    for rule in rules.rules:
        span = _match_rule(rule, norm, spans)
        if span is None and rule.detector == "hours":
            span = _hours_hit(norm, spans, rules)
        if span is None and rule.detector == "frequency":
            span = _frequency_hit(norm, spans, rules)
        if span is None:
            continue
        findings.append(Finding(
            code=rule.code, title=say(rule.title["zh"], rule.title["en"], lang),
            excerpt=_excerpt(text, norm, *span),
            explanation=say(rule.explanation["zh"], rule.explanation["en"], lang),
            advice=say(rule.advice["zh"], rule.advice["en"], lang),
            citations=list(rule.citations), channel=rule.channel))
    if findings:
        summary = say(rules.summary["zh"], rules.summary["en"], lang).replace("{n}", str(len(findings)))
    else:
        summary = say(rules.lawful["zh"], rules.lawful["en"], lang)
    return CheckResult(lawful=not findings, findings=findings, language=lang, summary=summary)


def finding_for(code: str, excerpt: str, corpus: Corpus, lang: str) -> Finding:
    """A finding the user reported directly (e.g. "they also called my boss"), with the rule's text."""
    rule = next(r for r in load_rules(corpus).rules if r.code == code)
    return Finding(code=code, title=say(rule.title["zh"], rule.title["en"], lang), excerpt=excerpt,
                   explanation=say(rule.explanation["zh"], rule.explanation["en"], lang),
                   advice=say(rule.advice["zh"], rule.advice["en"], lang),
                   citations=list(rule.citations), channel=rule.channel)
