"""The one sentence splitter: which span of an article is quoted, and which words of an answer
make a claim, depend on where a sentence ends, so every caller splits here.

Two terminator sets, on purpose:
- CLAUSE_ENDS (。；！？) for law text: a statute's clauses end at ；, and a quote is verified
  clause by clause (`bot.engine.quotes`, `bot.engine.citations`).
- SENTENCE_ENDS (。！？) for an answer's claims: a claim runs to the full stop, so the words
  after a ； still belong to the article named before it (`bot.engine.citation_relevance`).
English text ends at .!? except the point of a number ("Art. 5.1"); a model reply in either
language is split losslessly (`reply_pieces`) so the checked pieces join back to the reply.
"""
from __future__ import annotations

import re
from functools import lru_cache

CLAUSE_ENDS = "。；！？"
SENTENCE_ENDS = "。！？"

_ENGLISH = re.compile(r"[^.!?\n]+(?:\.(?=\d)[^.!?\n]*)*[.!?]?")
# A reply sentence: text up to its terminators plus any source markers that trail them
# ("……安宁。⟦1⟧"). "Art. 5" and "No. 3" do not end a sentence.
_REPLY = re.compile(r"(?:[^。！？!?；;\n.]|(?<=Art)\.|(?<=art)\.|(?<=No)\.|\.(?!\s|$))+"
                    r"[。！？!?；;.]*(?:\s*⟦(?:\d+|x)⟧)*|[。！？!?；;.\n]+")


@lru_cache(maxsize=8)
def _pattern(ends: str, lines: bool) -> re.Pattern:
    stop = ends + ("\n" if lines else "")
    return re.compile(rf"[^{stop}]+[{ends}]?")


def spans(text: str, ends: str = CLAUSE_ENDS, lines: bool = True) -> list[tuple[int, int]]:
    """(start, end) of each sentence, its terminator included; a line break ends one when `lines`."""
    return [(m.start(), m.end()) for m in _pattern(ends, lines).finditer(text)]


def english_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _ENGLISH.finditer(text)]


def sentences(text: str, ends: str = CLAUSE_ENDS, lines: bool = True) -> list[str]:
    """The sentences of `text`, stripped, terminators kept, empty ones dropped."""
    return [s.strip() for s in _pattern(ends, lines).findall(text) if s.strip()]


def first_sentence(text: str) -> str:
    """An article's first clause; it may run across a line break (a list head and its first item)."""
    found = sentences(text, CLAUSE_ENDS, lines=False)
    return found[0] if found else text.strip()


def reply_pieces(text: str) -> list[str]:
    """A model reply split into sentences and the separators between them, joining back to `text`."""
    pieces, pos = [], 0
    for match in _REPLY.finditer(text):
        if match.start() > pos:
            pieces.append(text[pos:match.start()])
        pieces.append(match.group(0))
        pos = match.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


__all__ = ["CLAUSE_ENDS", "SENTENCE_ENDS", "english_spans", "first_sentence", "reply_pieces", "sentences", "spans"]
