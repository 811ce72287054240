"""Sending HTML replies (split to Telegram's limit) and building inline keyboards."""
from __future__ import annotations

import io

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions

from bot.messages import t
from bot.telegram_app.formatting import article_callback, esc, fits_callback, owned, split_html
from bot.tools.recipient import is_third_party
from bot.tools.stated_recipient import Statement, stated_note

MAX_FOLLOWUPS = 3
MAX_ARTICLE_BUTTONS = 4
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _button(text: str, data: str) -> InlineKeyboardButton:
    if not fits_callback(data):  # a programming error, never user input
        raise ValueError(f"callback_data over 64 bytes: {data!r}")
    return InlineKeyboardButton(text, callback_data=data)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    rows = [[_button(text, data) for text, data in row] for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def answer_keyboard(answer, seq: int, corpus, lang: str, owner: int) -> InlineKeyboardMarkup | None:
    """Follow-up questions (by index into the owner's stored list) and 查看法条 per cited article."""
    rows = [[(f"❓ {q}"[:60], owned(f"q:{seq}:{i}", owner))]
            for i, q in enumerate(answer.followups[:MAX_FOLLOWUPS])]
    if answer.suggested_tool:   # the advice tool that fits the question starts from this button
        rows.insert(0, [(tool_button_label(answer.suggested_tool, lang), f"tool:{answer.suggested_tool}")])
    seen = set()
    for c in answer.citations:
        article = corpus.article(c.doc_id, c.article) if corpus is not None else None
        if article is None or (c.doc_id, article.label) in seen:
            continue
        seen.add((c.doc_id, article.label))
        label = f"《{c.short_title}》{article.display}"
        rows.append([(f"📖 {t('view_article', lang, label=label)}", article_callback(c.doc_id, article))])
        if len(seen) >= MAX_ARTICLE_BUTTONS:
            break
    return keyboard(rows)


def recipient_keyboard(recipient: str | None, lang: str, owner: int) -> InlineKeyboardMarkup | None:
    """Under a check reply: who received the message."""
    return keyboard([recipient_row(recipient, lang, owner)])


def recipient_row(recipient: str | None, lang: str, owner: int) -> list[tuple[str, str]]:
    """The recipient buttons' row. Checked as the borrower's (the default), the three third parties;
    checked as a third party's, the way back to the borrower."""
    roles = ("borrower",) if is_third_party(recipient) else ("relative", "contact", "employer")
    return [(t(f"recipient_button_{role}", lang), owned(f"rc:{role}", owner)) for role in roles]


def recipient_prompt(recipient: str | None, statement: Statement | None, lang: str) -> str:
    """HTML for the end of a check reply, above the recipient buttons: the role taken from the user's
    words (to correct with a button if wrong), or the question the buttons answer."""
    if statement is not None:
        return f"\n\n{esc(stated_note(statement, lang))}"
    return "" if is_third_party(recipient) else f"\n\n{esc(t('recipient_ask', lang))}"


def tool_button_label(tool: str, lang: str) -> str:
    from bot.engine.composer import replies
    from bot.language import localize

    label = replies()["en" if lang == "en" else "zh"]["tool_button"][tool]
    return label if lang == "en" else localize(label, lang)


async def send_html(bot: Bot, chat_id: int, html: str, reply_markup=None, **kwargs) -> None:
    """Send `html` in as many messages as needed; the keyboard goes on the last one."""
    parts = split_html(html)
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await bot.send_message(chat_id=chat_id, text=part, parse_mode="HTML",
                               reply_markup=reply_markup if last else None,
                               link_preview_options=NO_PREVIEW, **kwargs)


async def send_text(bot: Bot, chat_id: int, text: str, reply_markup=None) -> None:
    await send_html(bot, chat_id, esc(text), reply_markup)


async def send_document(bot: Bot, chat_id: int, name: str, data: bytes, caption: str) -> None:
    await bot.send_document(chat_id=chat_id, document=InputFile(io.BytesIO(data), filename=name),
                            caption=caption)
