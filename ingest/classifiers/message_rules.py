"""The pattern rules for collectors' messages: which finding codes a message shows, and where.

The patterns are data (ingest/data/message_rules.yaml): regular expressions per finding code,
plus coded detectors for late hours and call frequency. Messages are matched in Simplified
Mandarin (`ingest.normalize`) so Traditional and Cantonese input work the same.

This matcher lives in ingest, not in the bot's checker, because ingest needs it without the bot:
the trained classifier adds codes to the rules' findings, so its thresholds are chosen on held-out messages
against what the rules already find (ingest/classifiers/message_training.py). The bot's checker
(bot/tools/checker.py) reports the same hits with its wording and verified citations.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.datafiles import data_path, load_yaml
from ingest.normalize import to_halfwidth, to_mandarin, to_simplified
from ingest.numerals import parse_count

RULES_PATH = data_path("message_rules.yaml")
CODES = ("threat", "insult", "third_party_disclosure", "third_party_contact", "impersonation",
         "false_criminal_claim", "fake_legal_document", "home_or_work_visit_threat", "unreasonable_hours",
         "excessive_frequency", "personal_account_payment", "fee_or_new_loan_demand")
MAX_EXCERPT = 120


@dataclass
class _Pattern:
    regexes: tuple[re.Pattern, ...]     # all must match (one regex for ordinary patterns)
    unless: re.Pattern | None = None




@dataclass
class RulePatterns:
    code: str
    patterns: list[_Pattern]
    unless: list[re.Pattern]
    detector: str | None = None


@dataclass
class MessageRules:
    rules: list[RulePatterns]
    quiet_start: int
    quiet_end: int
    per_day: int
    model_requires: dict[str, re.Pattern] = field(default_factory=dict)   # code -> what a model finding needs


def _expand(regex: str, macros: dict) -> str:
    """Later macros first, so that a macro may use the macros defined before it."""
    for name, value in reversed(macros.items()):
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



def load_message_rules(path: Path | str = RULES_PATH) -> MessageRules:
    """Parse and compile the patterns file (ValueError for an unknown code or a bad regex)."""
    return _load_message_rules(str(path))


@lru_cache(maxsize=4)
def _load_message_rules(path: str) -> MessageRules:
    raw = load_yaml(Path(path))
    macros = raw.get("macros", {})
    rules = []
    for code, spec in raw["rules"].items():
        if code not in CODES:
            raise ValueError(f"{Path(path).name}: unknown finding code {code!r}")
        rules.append(RulePatterns(
            code=code, patterns=[_pattern(p, macros, code) for p in spec.get("patterns", [])],
            unless=[_compile(u, macros, code) for u in spec.get("unless", [])], detector=spec.get("detector")))
    requires = {code: _compile(regex, macros, f"model_requires.{code}")
                for code, regex in (raw.get("model_requires") or {}).items()}
    return MessageRules(rules=rules, quiet_start=int(raw["quiet_hours"]["start"]),
                        quiet_end=int(raw["quiet_hours"]["end"]), per_day=int(raw["frequency"]["per_day"]),
                        model_requires=requires)


# --- matching ------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


# Variant characters OpenCC keeps in Simplified output: Taiwan's 妳 (you) and 著 (the particle 着).
_VARIANTS = str.maketrans({"妳": "你", "著": "着"})


def normalize(text: str) -> str:
    """Simplified, lower-case, ASCII digits and colons: the form every rule is written against."""
    # Letters and digits only: the rules are written against Chinese full-width punctuation.
    return to_mandarin(to_simplified(to_halfwidth(text, punctuation=False))).lower().translate(_VARIANTS)


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


# An English full stop ends a clause too (not the point of "5.5"): "avoid this and contact us" in the
# next sentence must not cancel "we will send your photos to all your contacts".
_CLAUSE_BREAK = re.compile(r"[，,。！？!?；;\n]|\.(?=\s)")


def _clause(norm: str, pos: int) -> str:
    """The comma-delimited clause around pos: exclusions ("不会……个人账户") apply only there."""
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, pos)), default=0)
    end_match = _CLAUSE_BREAK.search(norm, pos)
    return norm[start:end_match.end() if end_match else len(norm)]


def _excluded(rule: RulePatterns, norm: str, pos: int, pattern: _Pattern | None = None) -> bool:
    """A hit at pos that an exclusion of the pattern or the rule cancels in its clause."""
    clause = _clause(norm, pos)
    if pattern is not None and pattern.unless and pattern.unless.search(clause):
        return True
    return any(u.search(clause) for u in rule.unless)


def _match_rule(rule: RulePatterns, norm: str, spans) -> tuple[tuple[int, int], int] | None:
    """(sentence span, match position) of the first hit of the rule, or None."""

    for pattern in rule.patterns:
        first, *others = pattern.regexes
        if not all(r.search(norm) for r in others):
            continue
        for m in first.finditer(norm):
            if not _excluded(rule, norm, m.start(), pattern):
                return _sentence_at(spans, m.start()), m.start()
    return None


_TIME = re.compile(
    r"(凌晨|半夜|深夜|夜里|夜间|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|晚)?\s*"
    r"([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:(点|时)(?![钱儿])(半|[0-9]{1,2}分?)?|[:](\d{2}))"
    r"(?!\s*(?:[-—~至到]|点?\s*[-—~至到]|[ap]\.?m\b))")     # "4:15 p.m." is _TIME_EN's
_TIME_EN = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)")
_RANGE_AFTER = re.compile(r"^\s*[-—~至到]")
_RANGE_BEFORE = re.compile(r"[-—~至到]\s*$")


def _hour(period: str | None, number: str, colon: bool) -> float | None:
    try:
        h = int(number) if number.isdigit() else parse_count(number)
    except ValueError:
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


def _hours_hits(norm: str, spans, rules: MessageRules) -> Iterator[tuple[tuple[int, int], int]]:
    """(sentence span, position) of each late time the text states."""
    def late(h: float) -> bool:
        return h >= rules.quiet_start or h < rules.quiet_end

    for m in _TIME.finditer(norm):
        h = _hour(m.group(1), m.group(2), colon=m.group(5) is not None)
        # Look only a few characters around the time: slicing the whole text per hit is quadratic.
        in_range = (_RANGE_AFTER.match(norm[m.end():m.end() + 4])
                    or _RANGE_BEFORE.search(norm[max(0, m.start() - 4):m.start()]))
        if h is not None and late(h) and not in_range:
            yield _sentence_at(spans, m.start()), m.start()
    for m in _TIME_EN.finditer(norm):
        h = int(m.group(1)) % 12 + (12 if m.group(3).startswith("p") else 0)
        if late(h):
            yield _sentence_at(spans, m.start()), m.start()


_PERIOD = re.compile(r"一天|每天|天天|今天|昨天|一晚上?|一上午|一下午|一早上|半天|一小时|一个小时|半小时|一整天|"
                     r"a day|per day|today|every day|in one day|an hour|per hour|one night|last night")
_COUNT = re.compile(r"([0-9]+|[一二两三四五六七八九十百几数]+)多?\s*(?:个|通|次|条|遍)(?!月|小时|工作日|星期|礼拜)")
_COUNT_EN = re.compile(r"\b(\d+)\s*(?:calls|messages|texts|times|missed calls)\b")


def _frequency_hits(norm: str, spans, rules: MessageRules) -> Iterator[tuple[tuple[int, int], int]]:
    """(sentence span, position) of each count per period at or above the frequency bound."""
    for start, end in spans:
        sentence = norm[start:end]
        if not _PERIOD.search(sentence):
            continue
        for m in list(_COUNT.finditer(sentence)) + list(_COUNT_EN.finditer(sentence)):
            try:
                n = parse_count(m.group(1))
            except ValueError:
                continue
            if n >= rules.per_day:
                yield (start, end), start + m.start()


_DETECTORS = {"hours": _hours_hits, "frequency": _frequency_hits}


def rule_hits(text: str, rules: MessageRules) -> dict[str, tuple[str, str]]:
    """code -> (excerpt, "rule") for every rule the text matches."""
    norm = normalize(text)
    spans = _sentences(norm)
    hits = {}
    for rule in rules.rules:
        span = _match_rule(rule, norm, spans)
        if span is None and rule.detector in _DETECTORS:
            found = _DETECTORS[rule.detector](norm, spans, rules)
            span = next((hit for hit in found if not _excluded(rule, norm, hit[1])), None)
        if span is not None:
            hits[rule.code] = (_excerpt(text, norm, *span), "rule")
    return hits


def model_finding_allowed(code: str, text: str, rules: MessageRules) -> bool:
    """Whether the trained model may report `code` for this message (`model_requires` in the rules file)."""
    required = rules.model_requires.get(code)
    return required is None or required.search(normalize(text)) is not None


__all__ = ["CODES", "MAX_EXCERPT", "RULES_PATH", "MessageRules", "RulePatterns", "load_message_rules",
           "model_finding_allowed", "normalize", "rule_hits"]
