"""The post-check of a model reply: it is not trusted. Markers are mapped back to the sources,
quotes are taken from the corpus (never from the model), every article number the model writes
that is not among the sources is cut out, and outcome promises are detected; `finish_text` adds
the offline composer's 法律依据 list and the disclaimer."""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.answers import Citation
from bot.engine.article_refs import REPLY_EN_REF, reply_reference
from bot.engine.citation_text import render_citations
from bot.engine.citations import CitationError, make_citation
from bot.engine.claim_quotes import anchor_quote, claim_quote, ends_at_list_head
from bot.engine.llm.prompt import Source
from bot.engine.quotes import trim_quote_marks
from bot.engine.sentences import reply_pieces, sentences
from bot.language import localize, to_simplified
from bot.messages import t
from ingest.corpus import Article, Corpus
from ingest.keyword import tokenize
from ingest.numerals import article_label, chinese_to_int

log = logging.getLogger(__name__)

REMOVED = {"zh-Hans": "[已删除未经核实的引用]", "en": "[unverified citation removed]"}


@dataclass
class CheckReport:
    """What the post-check cut from the model's reply. Holds no user text, so it may be logged."""
    removed_markers: list[str] = field(default_factory=list)
    removed_references: list[tuple[str, str]] = field(default_factory=list)  # (as written, reason)

    @property
    def clean(self) -> bool:
        return not (self.removed_markers or self.removed_references)


@dataclass
class CheckedReply:
    text: str
    citations: list[Citation]
    report: CheckReport


@lru_cache(maxsize=1)
def _promise_patterns() -> tuple[re.Pattern, ...]:
    data = load_yaml("outcome_promises.yaml")
    return tuple([re.compile(p) for p in data["zh"]] + [re.compile(p, re.I) for p in data["en"]])


def promises_outcome(text: str) -> bool:
    """True when the text promises 停催, 征信修复, winning or a waived debt (patterns are data)."""
    simplified = to_simplified(text)
    return any(p.search(simplified) for p in _promise_patterns())



# [S1], 【S1】, [S1, S2], [S1、S3], [ S2 ]
_MARKER = re.compile(r"[\[【]\s*S\s*\d+(?:\s*[,，、;；]\s*S?\s*\d+)*\s*[\]】]", re.IGNORECASE)
_MARKER_NUM = re.compile(r"\d+")
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")
_UNKNOWN = "⟦x⟧"    # a marker naming no source; judged with its sentence, then dropped
_HAN_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")


def _name_key(name: str) -> str:
    """民法典 / 《中华人民共和国民法典》 / 治安管理处罚法（2025年修订） -> a comparable key."""
    name = to_simplified(name).replace("中华人民共和国", "")
    name = re.sub(r"[（(][^）)]*[）)]", "", name)
    return re.sub(r"[\s《》]", "", name)


class ReplyChecker:
    """Verifies a model reply against the sources it was given and the corpus."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._by_name: dict[str, list[str]] = {}
        for doc in corpus.documents.values():
            for key in {_name_key(doc.short_title), _name_key(doc.title)}:
                self._by_name.setdefault(key, []).append(doc.id)
        names = {n for doc in corpus.documents.values() for n in (doc.short_title, doc.title, _name_key(doc.title))}
        names_alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
        self._reference = reply_reference(names_alt)

    def check(self, raw: str, sources: Sequence[Source], language: str) -> CheckedReply:
        lang = "en" if language == "en" else "zh-Hans"
        report = CheckReport()
        # Work in Simplified, like the corpus; the caller localizes the final text.
        text = to_simplified(unicodedata.normalize("NFC", raw)).strip()
        # Markers become placeholders first, so each sentence can be judged by what it cites.
        text = _MARKER.sub(lambda m: _placeholders(m.group(0), len(sources), report), text)
        text = "".join(self._check_sentence(s, sources, report, lang) for s in reply_pieces(text))
        contexts = self._contexts(text, sources)
        order = list(contexts)
        citations = [self._citation(sources[i - 1], contexts[i]) for i in order]
        number = {marker: n for n, marker in enumerate(order, start=1)}
        text = _collapse_removed(_renumber(text, number), lang)
        return CheckedReply(text=_tidy(text), citations=[c for c in citations if c], report=report)

    def _check_sentence(self, sentence: str, sources: Sequence[Source], report: CheckReport, lang: str) -> str:
        """Cut unverifiable references; a sentence citing nothing verifiable goes as a whole,
        because its claim rests only on the invented or unretrieved source."""
        removed = len(report.removed_references)
        body = self._reference.sub(lambda m: self._check_reference(m, sources, report, lang), sentence)
        body = REPLY_EN_REF.sub(lambda m: self._check_english_reference(m, sources, report, lang), body)
        unsupported = len(report.removed_references) > removed or _UNKNOWN in body
        body = body.replace(_UNKNOWN, "")
        supported = (_PLACEHOLDER.search(body) or self._reference.search(body) or REPLY_EN_REF.search(body))
        if unsupported and not supported:
            lead = sentence[:len(sentence) - len(sentence.lstrip())]
            return lead + REMOVED[lang]
        return body

    # -- references written in the text --------------------------------------------------------

    def _resolve(self, match: re.Match, sources: Sequence[Source]) -> str | None:
        """None when the reference is among the sources, else the reason it is not."""
        try:
            label = article_label(_to_int(match.group("num")),
                                  _to_int(match.group("suffix")) if match.group("suffix") else 0)
        except ValueError:
            return "no such article number"
        title = match.group("title") or match.group("name")
        if title is None:
            ok = any(s.article.label == label for s in sources)
            return None if ok else "article not among the retrieved sources"
        doc_ids = self._by_name.get(_name_key(title), [])
        if not doc_ids:
            return "document not in the corpus"
        if any(s.key == (d, label) for s in sources for d in doc_ids):
            return None
        if any(self.corpus.article(d, label) for d in doc_ids):
            return "article not among the retrieved sources"
        return "article does not exist in the corpus"

    def _check_reference(self, match: re.Match, sources, report: CheckReport, lang: str) -> str:
        reason = self._resolve(match, sources)
        if reason is None:
            return match.group(0)
        report.removed_references.append((match.group(0), reason))
        return REMOVED[lang]

    def _check_english_reference(self, match: re.Match, sources, report: CheckReport, lang: str) -> str:
        if any(s.article.number == int(match.group(1)) for s in sources):
            return match.group(0)
        report.removed_references.append((match.group(0), "article not among the retrieved sources"))
        return REMOVED[lang]

    # -- citations --------------------------------------------------------------------------------

    def _contexts(self, text: str, sources: Sequence[Source]) -> dict[int, list[str]]:
        """Source marker -> the model's sentences citing it, in order of first citation."""
        contexts: dict[int, list[str]] = {}
        for sentence in reply_pieces(text):
            plain = _PLACEHOLDER.sub("", sentence)
            cited = [int(n) for n in _PLACEHOLDER.findall(sentence)]
            cited += [s.marker for s in sources if self._names(plain, s)]
            for marker in cited:
                contexts.setdefault(marker, []).append(plain)
        return contexts

    def _names(self, sentence: str, source: Source) -> bool:
        """True when the sentence names the source's article (《民法典》第一千零三十三条 or bare 第…条)."""
        for match in self._reference.finditer(sentence):
            if self._resolve(match, [source]) is None:
                return True
        return False

    def _citation(self, source: Source, context: list[str]) -> Citation | None:
        doc_id, label = source.key
        quote = choose_quote(source.article, " ".join(context))
        # The same claim-level form as offline answers: an item gets its lead-in and its label,
        # and a bare list head gets the item the model's sentence is about.
        if quote is not None:
            quoted = (claim_quote(source.article, tokenize(" ".join(context))) if ends_at_list_head(quote)
                      else anchor_quote(source.article, quote))
            quote, locator = quoted.quote, quoted.locator
        else:
            locator = ""
        try:
            return make_citation(self.corpus, doc_id, label, quote, locator)
        except CitationError:
            try:  # the chosen span did not survive the verbatim check: quote the first sentence
                return make_citation(self.corpus, doc_id, label)
            except CitationError:
                log.warning("cannot cite %s %s", doc_id, label)
                return None


def _to_int(text: str) -> int:
    return chinese_to_int(unicodedata.normalize("NFKC", text))


def _placeholders(marker: str, count: int, report: CheckReport) -> str:
    out = []
    for n in (int(x) for x in _MARKER_NUM.findall(marker)):
        if 1 <= n <= count:
            out.append(f"⟦{n}⟧")
        else:
            report.removed_markers.append(f"[S{n}]")
            out.append(_UNKNOWN)
    return "".join(out)


def _collapse_removed(text: str, lang: str) -> str:
    note = re.escape(REMOVED[lang])
    return re.sub(rf"{note}(?:\s*{note})+", REMOVED[lang], text)


def _renumber(text: str, number: dict[int, int]) -> str:
    text = _PLACEHOLDER.sub(lambda m: f"[{number[int(m.group(1))]}]" if int(m.group(1)) in number else "", text)
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", text)  # [1][1] -> [1]


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _bigrams(text: str) -> set[str]:
    tokens = _HAN_OR_WORD.findall(to_simplified(text).lower())
    return {a + b for a, b in zip(tokens, tokens[1:])} | {t for t in tokens if len(t) > 1}


def choose_quote(article: Article, context: str) -> str | None:
    """The article sentence(s) that best overlap the model's sentence; None if nothing overlaps.

    A neighbouring sentence that overlaps nearly as well is kept too, so an item such as
    （一）… comes with its lead-in when the model paraphrased both.
    """
    segments = sentences(article.body)
    wanted = _bigrams(context)
    if not segments or not wanted:
        return None
    scores = [len(wanted & _bigrams(seg)) / math.sqrt(len(_bigrams(seg)) + 1) for seg in segments]
    best = max(range(len(segments)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return None
    neighbours = [i for i in (best - 1, best + 1) if 0 <= i < len(segments) and scores[i] >= 0.6 * scores[best]]
    if neighbours:
        other = max(neighbours, key=lambda i: scores[i])
        first, last = sorted((best, other))
        return trim_quote_marks("".join(segments[first:last + 1]))
    return trim_quote_marks(segments[best])



def finish_text(body: str, citations: Sequence[Citation], language: str, corpus: Corpus) -> str:
    """Model text, then 法律依据 with the corpus quotes, then the disclaimer, in the user's script.

    The list and the disclaimer are the offline composer's, so both modes read alike.
    """
    disclaimer = t("disclaimer", "en" if language == "en" else "zh-Hans")
    text = "\n\n".join([body, render_citations(list(citations), language, corpus), disclaimer])
    return text if language == "en" else localize(text, language)



__all__ = ["REMOVED", "CheckReport", "CheckedReply", "ReplyChecker", "choose_quote", "finish_text", "promises_outcome"]
