"""The one plain-text rendering of verified citations, used by answers, tools and evidence letters.

Heading, caveat wording and the quote form come from the message catalogue (`citations`,
`caveat`), so every front end shows a citation the same way; Telegram adds only markup
(`bot.telegram_app.formatting`). Chinese is rendered in Simplified; callers convert the whole
text to the user's script at the end.
"""
from __future__ import annotations

from bot.engine.answers import Citation
from bot.engine.lookup import load_document_data
from bot.messages import caveat_text, t
from ingest.corpus import Corpus


def english_title(doc_id: str) -> str:
    return load_document_data().get("english", {}).get(doc_id, doc_id)


def english_article(citation: Citation, corpus: Corpus) -> str:
    article = corpus.article(citation.doc_id, citation.article)
    if article is None:
        return ""
    if article.is_item:
        return f"item {article.number}"
    return f"Art. {article.number}" + (f"-{article.suffix}" if article.suffix else "")


def caveat_note(caveat: str, lang: str) -> str:
    """注意：仅收录部分条文 / Caution: partial text — the one wording of a citation's caveat."""
    # Chinese stays Simplified here: the caller converts its whole text to the user's script.
    return t("caveat", "en" if lang == "en" else "zh-Hans",
             caveat=caveat_text(caveat, "en") if lang == "en" else caveat)


def heading(lang: str) -> str:
    return t("citations", "en" if lang == "en" else "zh-Hans") + (":" if lang == "en" else "：")


def citation_line(citation: Citation, lang: str, quotes: list[str] | None = None,
                  corpus: Corpus | None = None, inline_caveat: bool = True) -> str:
    """《民法典》第一千零三十三条：“……”（注意：…）; in English with the law's English name when a
    corpus is given. Several quotes from one article are joined by ……."""
    quoted = "……".join(f"“{q.replace(chr(10), '')}”" for q in (quotes or [citation.quote]))
    if lang == "en" and corpus is not None:
        line = f"{citation.display} ({english_title(citation.doc_id)}, {english_article(citation, corpus)}): {quoted}"
    else:
        line = f"{citation.display}：{quoted}"
    if inline_caveat and citation.caveat:
        note = caveat_note(citation.caveat, lang)
        line += f" ({note})" if lang == "en" else f"（{note}）"
    return line


def grouped(citations: list[Citation]) -> list[list[Citation]]:
    """Citations of the same article together (first appearance order), repeated quotes dropped."""
    groups: dict[tuple[str, str], list[Citation]] = {}
    for c in citations:
        group = groups.setdefault((c.doc_id, c.article), [])
        if all(c.quote != other.quote for other in group):
            group.append(c)
    return list(groups.values())


def render_citations(citations: list[Citation], lang: str, corpus: Corpus | None = None) -> str:
    """法律依据： then one numbered line per article, its caveat on the line below."""
    lines = [heading(lang)]
    for n, group in enumerate(grouped(citations), start=1):
        first = group[0]
        lines.append(f"{n}. " + citation_line(first, lang, [c.quote for c in group], corpus, inline_caveat=False))
        if first.caveat:
            note = caveat_note(first.caveat, lang)
            lines.append(f"   {note}" if lang == "en" else f"   （{note}）")
    return "\n".join(lines)


__all__ = ["caveat_note", "citation_line", "english_article", "english_title", "grouped", "heading",
           "render_citations"]
