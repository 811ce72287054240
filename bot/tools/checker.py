"""Collector-message checker: which rules a collector's message or call breaks.

The rules' patterns and their matcher are ingest's (ingest/data/message_rules.yaml,
ingest/classifiers/message_rules.py: ingest picks the classifier's thresholds against them); the
wording per finding code (title, explanation, advice, channel, citations) is the bot's
(bot/data/checker_rules.yaml). Citations are verified against the corpus when the rules load,
so a finding can never cite an article or quote that is not there.

Rules are high-precision evidence; the trained classifier of the serving index
(ingest/classifiers/message_model.py) adds the codes the rules miss, per clause. A model finding uses
the same rule's title, explanation, advice and verified citations, and shows its clause.
Without a model (an index built before it, or none) the rules alone answer.

Who received the message, when the user says so, adds the third-party findings the text alone cannot
show (bot/tools/recipient.py), and those findings are explained to the person who received it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot import messages
from bot.datafiles import data_path, load_yaml
from bot.engine.answers import Citation
from bot.engine.citation_text import citation_line
from bot.errors import BilingualError
from bot.language import detect_language
from bot.tools.common import cite, disclaimer, say, to_lang, unique
from bot.tools.recipient import is_third_party, recipient_hits, validate_recipient
from ingest.classifiers.message_model import MessageModel, serving_model
from ingest.classifiers.message_rules import CODES, MAX_EXCERPT, MessageRules, load_message_rules, model_finding_allowed
from ingest.classifiers.message_rules import rule_hits as match_rules
from ingest.corpus import Corpus

RULES_PATH = data_path("checker_rules.yaml")


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
    source: str = "rule"             # rule | model (the trained classifier) | recipient (who received it)

    def to_json(self) -> dict:
        return {"code": self.code, "title": self.title, "excerpt": self.excerpt, "source": self.source,
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
    recipient: str | None = None     # who received the message, as the user said (None: not said)

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    @property
    def citations(self) -> list[Citation]:
        return unique([c for f in self.findings for c in f.citations])

    def to_json(self) -> dict:
        return {"lawful": self.lawful, "language": self.language, "summary": self.summary,
                "recipient": self.recipient, "findings": [f.to_json() for f in self.findings]}

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
class Rule:
    code: str
    title: dict
    explanation: dict
    advice: dict
    channel: str
    citations: list[Citation]
    # Explanation and advice addressed to a third party who received the message, where they differ.
    third_party: dict = field(default_factory=dict)


@dataclass
class RuleSet:
    """The wording and verified citations per code, with the patterns that find the codes."""
    rules: list[Rule]
    patterns: MessageRules
    lawful: dict
    summary: dict

    @property
    def quiet_start(self) -> int:
        return self.patterns.quiet_start

    @property
    def quiet_end(self) -> int:
        return self.patterns.quiet_end

    @property
    def per_day(self) -> int:
        return self.patterns.per_day


def load_rules(corpus: Corpus, path: Path | str = RULES_PATH) -> RuleSet:
    """Parse the wording file and verify every citation in it (CitationError if one is wrong)."""
    return _load_rules(corpus, str(path))


@lru_cache(maxsize=4)
def _load_rules(corpus: Corpus, path: str) -> RuleSet:
    raw = load_yaml(Path(path))
    rules = []
    for code, spec in raw["rules"].items():
        if code not in CODES:
            raise ValueError(f"{Path(path).name}: unknown finding code {code!r}")
        rules.append(Rule(code=code, title=spec["title"], explanation=spec["explanation"], advice=spec["advice"],
                          channel=spec.get("channel", "regulator"),
                          citations=[cite(corpus, ref) for ref in spec["cites"]],
                          third_party=spec.get("third_party", {})))
    return RuleSet(rules=rules, patterns=load_message_rules(), lawful=raw["lawful"], summary=raw["summary"])


_SERVING = object()      # check_message's default: the model of the serving index, if any


def check_message(text: str, corpus: Corpus, lang: str | None = None,
                  model: MessageModel | None | object = _SERVING, recipient: str | None = None) -> CheckResult:
    """Findings for a collector's message or a description of a call. Empty text raises CheckerInputError.

    `model`: the trained classifier to add to the rules; by default the serving index's (DATA_DIR),
    None for the rules alone. `recipient`: who received the message as the user says (borrower,
    contact, relative, employer; None when not said); ValueError for anything else."""
    recipient = validate_recipient(recipient)
    if not text or not text.strip():
        raise CheckerInputError("没有收到要检查的内容。请粘贴催收短信、微信，或描述通话内容。",
                                "Nothing to check. Paste the collector's message or describe the call.")
    lang = lang or detect_language(text)
    rules = load_rules(corpus)
    if model is _SERVING:
        model = _serving()
    hits = rule_hits(text, rules)
    for code, excerpt in recipient_hits(text, recipient).items():
        hits.setdefault(code, (excerpt, "recipient"))
    if model is not None:
        for score in model.predict(text):
            if score.code not in hits and model_finding_allowed(score.code, text, rules.patterns):
                hits[score.code] = (_clause_excerpt(text, score.span), "model")
    third_party = is_third_party(recipient)
    findings = [_finding(rule, *hits[rule.code], lang, third_party) for rule in rules.rules if rule.code in hits]
    if findings:
        summary = say(rules.summary["zh"], rules.summary["en"], lang).replace("{n}", str(len(findings)))
    else:
        summary = say(rules.lawful["zh"], rules.lawful["en"], lang)
    if third_party:     # say whose phone the check assumed, so a wrong button press shows
        summary = messages.t("check_recipient_note", lang, who=messages.t(f"recipient_{recipient}", lang)) + summary
    return CheckResult(lawful=not findings, findings=findings, language=lang, summary=summary, recipient=recipient)


def rule_hits(text: str, rules: RuleSet) -> dict[str, tuple[str, str]]:
    """code -> (excerpt, "rule") for every rule the text matches (ingest's matcher)."""
    return match_rules(text, rules.patterns)


def _serving() -> MessageModel | None:
    from bot.config import get_settings

    settings = get_settings()
    return serving_model(settings.data_dir, settings)


def _clause_excerpt(text: str, span: tuple[int, int]) -> str:
    piece = text[span[0]:span[1]].strip().rstrip("，,；;")
    return piece if len(piece) <= MAX_EXCERPT else piece[:MAX_EXCERPT] + "…"


def _finding(rule: Rule, excerpt: str, source: str, lang: str, third_party: bool = False) -> Finding:
    """The rule's finding; for a third-party recipient, in the wording written to them where there is one."""
    wording = rule.third_party if third_party else {}
    explanation = wording.get("explanation", rule.explanation)
    advice = wording.get("advice", rule.advice)
    return Finding(code=rule.code, title=say(rule.title["zh"], rule.title["en"], lang), excerpt=excerpt,
                   explanation=say(explanation["zh"], explanation["en"], lang),
                   advice=say(advice["zh"], advice["en"], lang),
                   citations=list(rule.citations), channel=rule.channel, source=source)


def finding_for(code: str, excerpt: str, corpus: Corpus, lang: str) -> Finding:
    """A finding the user reported directly (e.g. "they also called my boss"), with the rule's text."""
    rule = next(r for r in load_rules(corpus).rules if r.code == code)
    return _finding(rule, excerpt, "rule", lang)
