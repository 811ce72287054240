"""Who received a collector's message, and the findings that fact adds to the checker's.

The text alone often cannot tell who received a message: "欠钱迟早要还" reads the same on the
borrower's phone and on their mother's. The user can say it (`python -m bot check --recipient`,
the buttons under a check in Telegram), and then:

- third_party_disclosure when the recipient is a third party (an emergency contact, a relative, the
  employer) and the message speaks of a debt: the collector has told someone else about the
  borrower's debt, whatever the wording;
- third_party_contact when, besides, the message asks the recipient to act about the debt (pass it
  on, remind, urge, pay, get in touch) or speaks to them of someone else as the debtor ("您的朋友",
  "贵单位员工"): the collector collects through them.

Why the two differ (bot/data/checker_rules.yaml): disclosure is about who learns of the debt,
third_party_contact about whom the collector collects from. A demand written to the debtor
("快还钱") that reached a relative tells the relative; it does not by itself ask the relative for
anything. The patterns are data (bot/data/recipient_rules.yaml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.datafiles import data_path, load_yaml
from ingest.classifiers.message_rules import MAX_EXCERPT, normalize

RECIPIENTS = ("borrower", "contact", "relative", "employer")
THIRD_PARTIES = frozenset({"contact", "relative", "employer"})
PATTERNS_PATH = data_path("recipient_rules.yaml")

# Sentence ends: Chinese and ASCII marks, and an English full stop before a space.
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|\.(?=\s)")


@dataclass(frozen=True)
class RecipientPatterns:
    debt: tuple[re.Pattern, ...]       # the message speaks of a debt
    collect: tuple[re.Pattern, ...]    # ... and asks the recipient to act on it, or names another debtor
    court_notice: tuple[re.Pattern, ...] = ()  # a court's own assistance notice: lawful to a third party


def load_patterns(path: Path | str = PATTERNS_PATH) -> RecipientPatterns:
    """Parse and compile the patterns file (ValueError for a bad regex)."""
    return _load_patterns(str(path))


@lru_cache(maxsize=4)
def _load_patterns(path: str) -> RecipientPatterns:
    raw = load_yaml(Path(path))

    def compiled(key: str) -> tuple[re.Pattern, ...]:
        try:
            return tuple(re.compile(regex, re.IGNORECASE) for regex in raw[key])
        except re.error as exc:
            raise ValueError(f"{Path(path).name}: bad regex in {key}: {exc}") from None

    return RecipientPatterns(debt=compiled("debt"), collect=compiled("collect"),
                             court_notice=compiled("court_notice"))


def validate_recipient(recipient: str | None) -> str | None:
    """The recipient as given, or None for unknown; ValueError for anything else."""
    if recipient is None or recipient in RECIPIENTS:
        return recipient
    raise ValueError(f"recipient must be one of {', '.join(RECIPIENTS)} or None, not {recipient!r}")


def is_third_party(recipient: str | None) -> bool:
    return recipient in THIRD_PARTIES


def recipient_hits(text: str, recipient: str | None,
                   patterns: RecipientPatterns | None = None) -> dict[str, str]:
    """code -> excerpt for the findings the recipient adds: {} for the borrower, an unknown
    recipient, or a message that speaks of no debt (a greeting, an advert)."""
    if not is_third_party(recipient):
        return {}
    patterns = patterns or load_patterns()
    norm = normalize(text)
    debt = _first_match(patterns.debt, norm)
    # A court may lawfully ask an employer to withhold wages (协助执行通知书); a fake one is the
    # text rules' business (fake_legal_document, impersonation), not the recipient's.
    if debt is None or _first_match(patterns.court_notice, norm) is not None:
        return {}
    hits = {"third_party_disclosure": _sentence(text, norm, debt)}
    ask = _first_match(patterns.collect, norm)
    if ask is not None:
        hits["third_party_contact"] = _sentence(text, norm, ask)
    return hits


def _first_match(regexes: tuple[re.Pattern, ...], norm: str) -> int | None:
    """Position of the earliest hit of any regex, or None."""
    starts = [m.start() for m in (r.search(norm) for r in regexes) if m]
    return min(starts) if starts else None


def _sentence(original: str, norm: str, pos: int) -> str:
    """The sentence of the original text around position `pos` of its normalised form."""
    start = max((m.end() for m in _SENTENCE_END.finditer(norm, 0, pos)), default=0)
    end_match = _SENTENCE_END.search(norm, pos)
    end = end_match.end() if end_match else len(norm)
    # Normalising keeps the length for almost all text; fall back to the normalised form if not.
    source = original if len(original) == len(norm) else norm
    piece = source[start:end].strip()
    return piece if len(piece) <= MAX_EXCERPT else piece[:MAX_EXCERPT] + "…"
