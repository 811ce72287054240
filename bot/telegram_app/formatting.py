"""Telegram HTML: escaping answers, splitting long replies, compact callback data.

Plain functions (no `telegram` import) so they are unit-tested directly.
Every dynamic string goes through `esc`; markup comes only from this module.
"""
from __future__ import annotations

import html
import re
import zlib

from bot.engine.citation_text import caveat_note
from bot.language import localize
from bot.messages import t

MESSAGE_LIMIT = 4096          # Telegram's limit on message text
CALLBACK_DATA_LIMIT = 64      # bytes


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def utf16_len(text: str) -> int:
    """Telegram measures lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --- answers -------------------------------------------------------------------


def _localized(text: str, lang: str) -> str:
    # Law text is Simplified; a Traditional reader gets it converted, English keeps Chinese.
    return localize(text, lang) if lang == "zh-Hant" else text


def format_caveat(caveat: str, lang: str) -> str:
    """The renderer's caveat wording (`bot.engine.citation_text`) in italics, in the user's script."""
    return f"<i>{esc(_localized(caveat_note(caveat, lang), lang))}</i>"


def format_citations(citations, lang: str) -> str:
    if not citations:
        return ""
    lines = [f"<b>{esc(t('citations', lang))}</b>"]
    for c in citations:
        lines.append(f"• <b>{esc(_localized(c.display, lang))}</b>：{esc(_localized(c.quote, lang))}")
        if c.caveat:
            lines.append(f"  {format_caveat(c.caveat, lang)}")
    return "\n".join(lines)


_HEADING = re.compile(r"^[^\n。，,.!?！？]{1,16}[：:]$")


def _paragraph(text: str) -> str:
    first, sep, rest = text.partition("\n")
    if _HEADING.match(first.strip()):
        # "法律依据：" / "怎么做：" headings from the engine read better in bold.
        return f"<b>{esc(first.strip())}</b>{sep}{esc(rest)}"
    return esc(text)


def format_paragraphs(text: str) -> str:
    """Escape plain text; collapse runs of blank lines so paragraphs stay splittable."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return "\n\n".join(_paragraph(p) for p in paragraphs)


def has_disclaimer(text: str) -> bool:
    return "12348" in text


def lists_citations(text: str, citations, lang: str) -> bool:
    """True when the engine's text already quotes every cited article (its 法律依据 section)."""
    return all(_localized(c.display, lang) in text or c.display in text for c in citations)


def format_answer(answer, lang: str) -> str:
    parts = [format_paragraphs(answer.text)]
    if answer.citations and not lists_citations(answer.text, answer.citations, lang):
        parts.append(format_citations(answer.citations, lang))
    if not has_disclaimer(answer.text):
        parts.append(f"<i>{esc(t('disclaimer', lang))}</i>")
    return "\n\n".join(p for p in parts if p)


def format_article(article, document, lang: str) -> str:
    title = f"《{document.short_title}》{article.display}"
    body = "\n".join(esc(_localized(p, lang)) for p in article.text.split("\n") if p.strip())
    parts = [f"<b>{esc(_localized(title, lang))}</b>", body]
    if document.caveat:
        parts.append(format_caveat(document.caveat, lang))
    return "\n\n".join(parts)


def format_check(result, lang: str) -> str:
    """Findings of `bot.tools.checker.check_message` (already in the user's language) as HTML.

    Contract: `result` is a `bot.tools.checker.CheckResult` (summary may be empty) whose
    findings are `Finding`s (title and advice may be empty).
    """
    if not result.findings:
        summary = result.summary or t("check_lawful", lang)
        return f"{esc(summary)}\n\n<i>{esc(t('disclaimer', lang))}</i>"
    summary = result.summary or t("check_found", lang, count=len(result.findings))
    parts = [esc(summary)]
    for n, f in enumerate(result.findings, 1):
        lines = [f"<b>{n}. {esc(f.title or f.code)}</b>"]
        if f.excerpt:
            lines.append(esc(t("check_excerpt", lang, excerpt=f.excerpt)))
        lines.append(esc(f.explanation))
        if f.advice:
            lines.append(esc(t("check_advice", lang, advice=f.advice)))
        for c in f.citations:
            lines.append(f"• {esc(_localized(c.display, lang))}：{esc(_localized(c.quote, lang))}")
        parts.append("\n".join(lines))
    parts.append(f"<i>{esc(t('disclaimer', lang))}</i>")
    return "\n\n".join(parts)


# --- splitting -----------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n|[^<&\n]*?[。！？；.!?]|[^<&\n]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")


def _tag_events(token: str):
    m = _TAG.fullmatch(token)
    if not m:
        return None
    return ("close" if m.group(1) else "open"), m.group(2).lower()


def _paragraphs(text: str) -> list[str]:
    """Split on blank lines that sit outside every tag, so no paragraph breaks a tag pair."""
    out, depth, start = [], 0, 0
    for m in re.finditer(r"<(/?)[a-zA-Z-]+[^>]*>|\n\n", text):
        if m.group(0) == "\n\n":
            if depth == 0:
                out.append(text[start:m.start()])
                start = m.end()
        else:
            depth = max(depth + (-1 if m.group(1) else 1), 0)
    out.append(text[start:])
    return [p.strip("\n") for p in out if p.strip()]


class _Chunker:
    """Accumulates tokens of one paragraph into chunks that each stay well-formed."""

    def __init__(self, limit: int):
        self.limit = limit
        self.chunks: list[str] = []
        self.stack: list[tuple[str, str]] = []   # (tag name, opening tag as written)
        self.prefix = ""                         # tags reopened at the start of this chunk
        self.current = ""

    def closing(self) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(self.stack))

    def room(self) -> int:
        return self.limit - utf16_len(self.current + self.closing())

    def has_content(self) -> bool:
        return self.current.strip() != self.prefix.strip()

    def flush(self) -> None:
        if self.has_content():
            self.chunks.append(self.current.rstrip("\n") + self.closing())
        self.prefix = self.current = "".join(tag for _, tag in self.stack)

    def add(self, token: str) -> None:
        event = _tag_events(token)
        if event and event[0] == "open":
            # Room for the tag, its closing tag and at least a little text.
            if self.room() < utf16_len(token) + len(event[1]) + 3 + 16 and self.has_content():
                self.flush()
            self.current += token
            self.stack.append((event[1], token))
        elif event:
            self.current += token
            if self.stack and self.stack[-1][0] == event[1]:
                self.stack.pop()
        else:
            self._add_text(token)

    def _add_text(self, token: str) -> None:
        while token:
            if utf16_len(token) <= self.room():
                self.current += token
                return
            if self.has_content():
                self.flush()
                continue
            # One token longer than a whole message: hard cut it.
            cut = _prefix_within(token, self.room())
            self.current += token[:cut]
            token = token[cut:]
            self.flush()


def _split_long(paragraph: str, limit: int) -> list[str]:
    """Cut one oversize paragraph at line or sentence ends, closing and reopening open tags."""
    chunker = _Chunker(limit)
    for token in _TOKEN.findall(paragraph):
        chunker.add(token)
    chunker.flush()
    return chunker.chunks


def _prefix_within(text: str, room: int) -> int:
    size = 0
    for i, ch in enumerate(text):
        size += 2 if ord(ch) > 0xFFFF else 1
        if size > room:
            return max(i, 1)
    return len(text)


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML into messages of at most `limit` UTF-16 units.

    Prefers paragraph boundaries; an oversize paragraph is cut at line/sentence ends,
    with open tags closed at the end of one part and reopened at the start of the next.
    """
    parts: list[str] = []
    current = ""
    for paragraph in _paragraphs(text):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
        if utf16_len(paragraph) <= limit:
            current = paragraph
        else:
            pieces = _split_long(paragraph, limit)
            parts.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
    if current:
        parts.append(current)
    return parts or [""]


# --- callback data ---------------------------------------------------------------


def doc_code(doc_id: str) -> str:
    """8 hex characters identifying a document (stable across restarts and rebuilds)."""
    return f"{zlib.crc32(doc_id.encode()):08x}"


def article_callback(doc_id: str, article) -> str:
    """`article` is an `ingest.corpus.Article`."""
    kind = "i" if article.is_item else "a"
    return f"a:{doc_code(doc_id)}:{kind}{article.number}.{article.suffix}"


def find_article(corpus, data: str):
    """Inverse of `article_callback`: (document, article) or (None, None)."""
    m = re.fullmatch(r"a:([0-9a-f]{8}):([ai])(\d+)\.(\d+)", data)
    if not m:
        return None, None
    code, kind, number, suffix = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
    for document in corpus.documents.values():
        if doc_code(document.id) != code:
            continue
        for article in document.articles:
            if (article.number, article.suffix, article.is_item) == (number, suffix, kind == "i"):
                return document, article
    return None, None


def fits_callback(data: str) -> bool:
    return len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT


# Buttons that act on someone's own state carry that user's id after "@", so a tap
# by anyone else in a group changes nothing.
def owned(data: str, user_id: int) -> str:
    return f"{data}@{user_id}"


def split_owner(data: str) -> tuple[str, int | None]:
    """("fg:y@42") -> ("fg:y", 42); data without an owner -> (data, None)."""
    head, sep, tail = data.rpartition("@")
    if sep and tail.isdigit():
        return head, int(tail)
    return data, None
