"""Who the user says they are, in the words they send: "我是他的紧急联系人，收到短信：…", "我是她妈妈",
"I'm his emergency contact"; and, before a message to check, whom it was sent to: "这是催收发给我妈的
短信：…".

A role said this clearly is taken for the check as a recipient button would be (bot/tools/recipient.py),
and the reply says it was assumed, so a wrong reading is one tap from being corrected. Only clear
statements count ("我朋友是紧急联系人" is about someone else, "如果我是紧急联系人" is a hypothetical).

In a message to check, only the lead counts: the words before the first sentence end or colon, where
the user introduces what they paste ("我是他妈妈，收到短信：…"); further on the words are the collector's
("我是你老公的同事…" can be a collector's ruse). The statement is cut from the text that is checked:
the user's own words are not the collector's. Nothing here keeps or logs the text. The patterns are
data (bot/data/recipient_rules.yaml, `stated` and `stated_hypothetical`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import messages
from bot.datafiles import load_yaml
from bot.tools.recipient import PATTERNS_PATH, RECIPIENTS
from ingest.classifiers.message_rules import normalize

MAX_WORDS = 30
# Where the lead of a message to check ends: a sentence end or a colon ("收到短信：").
_LEAD_END = re.compile(r"[。！？!?；;\n:]|\.(?=\s)")
_CLAUSE_BREAK = re.compile(r"[，,、。！？!?；;\n:]|\.(?=\s)")


@dataclass(frozen=True)
class Statement:
    role: str       # one of bot.tools.recipient.RECIPIENTS
    words: str      # the user's words that say it (for the reply), at most MAX_WORDS characters
    rest: str       # the text without the statement: what the collector wrote, when checking


@dataclass(frozen=True)
class StatedPatterns:
    roles: dict[str, tuple[re.Pattern, ...]]       # who the user is
    sent_to: dict[str, tuple[re.Pattern, ...]]     # whom a message to check was sent to (its lead only)
    hypothetical: re.Pattern

    def for_lead(self) -> dict[str, tuple[re.Pattern, ...]]:
        return {role: self.roles.get(role, ()) + self.sent_to.get(role, ()) for role in RECIPIENTS}


def load_stated_patterns(path: Path | str = PATTERNS_PATH) -> StatedPatterns:
    """Parse and compile the `stated` patterns (ValueError for a bad regex or an unknown role)."""
    return _load(str(path))


@lru_cache(maxsize=4)
def _load(path: str) -> StatedPatterns:
    raw = load_yaml(Path(path))
    try:
        hypothetical = re.compile("|".join(f"(?:{p})" for p in raw["stated_hypothetical"]), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{Path(path).name}: bad regex in stated_hypothetical: {exc}") from None
    return StatedPatterns(_by_role(raw, "stated", path), _by_role(raw, "stated_sent_to", path), hypothetical)


def _by_role(raw: dict, key: str, path: str) -> dict[str, tuple[re.Pattern, ...]]:
    section = raw.get(key) or {}
    unknown = set(section) - set(RECIPIENTS)
    if unknown:
        raise ValueError(f"{Path(path).name}: unknown role(s) in {key}: {sorted(unknown)}")
    try:
        return {role: tuple(re.compile(p, re.IGNORECASE) for p in section[role]) for role in RECIPIENTS if role in section}
    except re.error as exc:
        raise ValueError(f"{Path(path).name}: bad regex in {key}: {exc}") from None


def stated_recipient(text: str, lead_only: bool = True,
                     patterns: StatedPatterns | None = None) -> Statement | None:
    """The role the user says they have, or None when the text says none clearly.

    `lead_only`: look only at the lead of the text (a message to check, whose rest is the collector's);
    False for a question, all of which is the user's."""
    patterns = patterns or load_stated_patterns()
    norm = normalize(text or "")
    end = _LEAD_END.search(norm) if lead_only else None
    regexes = patterns.for_lead() if lead_only else patterns.roles
    found = _earliest(regexes, patterns.hypothetical, norm, end.start() if end else len(norm))
    if found is None:
        return None
    role, match = found
    # Normalising keeps the length for almost all text; fall back to the normalised form if not.
    source = text if len(text) == len(norm) else norm
    clause_end = _clause_end(norm, match.end())
    words = source[_clause_start(norm, match.start()):clause_end].strip()
    if end is not None and norm[end.start()] == ":":
        rest = source[end.end():]       # "我是他妈妈，收到短信：…": all before the colon is the user's
    else:
        rest = source[clause_end + 1:]
    return Statement(role, words[:MAX_WORDS] + ("…" if len(words) > MAX_WORDS else ""), rest.strip())


def _earliest(by_role: dict[str, tuple[re.Pattern, ...]], hypothetical: re.Pattern, norm: str,
              limit: int) -> tuple[str, re.Match] | None:
    """(role, match) of the statement that starts first within norm[:limit], hypotheticals left out."""
    best = None
    for role, regexes in by_role.items():
        for regex in regexes:
            for match in regex.finditer(norm, 0, limit):
                if hypothetical.search(norm, _clause_start(norm, match.start()), match.start()):
                    continue
                if best is None or match.start() < best[1].start():
                    best = (role, match)
                break
    return best


def _clause_start(norm: str, pos: int) -> int:
    return max((m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, pos)), default=0)


def _clause_end(norm: str, pos: int) -> int:
    found = _CLAUSE_BREAK.search(norm, pos)
    return found.start() if found else len(norm)


def stated_note(statement: Statement, lang: str, key: str = "recipient_stated") -> str:
    """One line for the reply: which role the check assumed from the user's words, and how to correct
    it (`key`: with a button in a chat, with --recipient on the command line)."""
    who = messages.t(f"recipient_{statement.role}", lang)
    return messages.t(key, lang, words=statement.words, who=who)
