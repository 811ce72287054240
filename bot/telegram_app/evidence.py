"""Telegram side of the evidence features: screenshots, /log, /log list, /export.

Screenshots are read only in private chats: the file is fetched with getFile, OCR runs in a
worker thread (never on the event loop), and the image bytes are dropped after the reply
unless the user presses "add to log and keep the screenshot" (then it is downloaded again
and stored in the user's log folder). Where the OCR result waits for that button: `pending`
(memory in one process, the user's shared state with REDIS_URL). Nothing here logs message text.

The reply answers the photo message and carries the recipient buttons (家人 / 朋友或联系人 / 单位或同事)
as a text check does: a press downloads the photo again by the file id of the replied-to message and
reads it afresh as received by that role (`recheck_screenshot`), so nothing of the first reading is
needed. A role the user states in the caption ("我是他的紧急联系人") is taken as a button would be.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.evidence import export, timeline
from bot.evidence.complaint_log import log_section
from bot.evidence.form import incident_from_form, parse_form
from bot.evidence.incidents import Incident, IncidentError
from bot.evidence.log_store import IncidentLogStore, LogStoreError, store_from_settings
from bot.evidence.messages import msg
from bot.evidence.ocr import MAX_IMAGE_BYTES, ImageInputError
from bot.evidence.screenshot import read_screenshot
from bot.evidence.when import WhenError
from bot.language import localize
from bot.messages import t
from bot.telegram_app import pending, userdata
from bot.telegram_app.formatting import esc
from bot.telegram_app.replies import keyboard, recipient_prompt, recipient_row, send_document, send_html, send_text
from bot.telegram_app.services import services, typing
from bot.tools.checker import check_message
from bot.tools.common import citations_block, disclaimer, to_lang
from bot.tools.documents import to_docx
from bot.tools.stated_recipient import stated_recipient

log = logging.getLogger(__name__)

STORE, SWEPT = "evidence_store", "evidence_swept"
SWEEP_EVERY = 3600.0
PRIVATE = filters.ChatType.PRIVATE
IMAGES = filters.PHOTO | filters.Document.IMAGE
VOICE = filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE
MOVING = filters.Sticker.ALL | filters.VIDEO | filters.ANIMATION


def register(application: Application) -> None:
    """Add the evidence handlers; call before the generic button and non-text handlers."""
    application.add_handler(MessageHandler(IMAGES, on_image))
    application.add_handler(MessageHandler(PRIVATE & VOICE, on_voice))
    application.add_handler(MessageHandler(PRIVATE & MOVING, on_moving))
    application.add_handler(CommandHandler("log", on_log))
    application.add_handler(CommandHandler("export", on_export))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^ev:"))


# --- shared pieces ------------------------------------------------------------------------------

def _store(context: ContextTypes.DEFAULT_TYPE) -> IncidentLogStore:
    data = context.application.bot_data
    if STORE not in data:
        data[STORE] = store_from_settings(services(context).settings)
    if time.monotonic() - data.get(SWEPT, -SWEEP_EVERY) >= SWEEP_EVERY:
        data[SWEPT] = time.monotonic()
        data[STORE].enforce_retention()
    return data[STORE]


async def forget_user(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> None:
    """Part of /forget: the log, kept screenshots and pending OCR results."""
    _store(context).delete_user(str(user_id))
    await pending.forget(context, user_id)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def _lang(update: Update, context) -> str:
    return userdata.ui_language(update, context.user_data)


async def _say(update: Update, context, key: str, markup=None, **params) -> None:
    await send_text(context.bot, update.effective_chat.id, msg(key, _lang(update, context), **params), markup)


def _tz(context) -> str:
    return services(context).settings.user_timezone


# --- screenshots --------------------------------------------------------------------------------

def _image_file(message) -> tuple[str, int | None]:
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, largest.file_size
    return message.document.file_id, message.document.file_size


def has_image(message: Message | None) -> bool:
    """A photo, or an image sent as a file: what `on_image` reads."""
    if message is None:
        return False
    document = getattr(message, "document", None)
    return bool(getattr(message, "photo", None)) or bool(document and (document.mime_type or "").startswith("image/"))


async def _download(context, file_id: str) -> bytes:
    file = await context.bot.get_file(file_id)
    if file.file_size and file.file_size > MAX_IMAGE_BYTES:
        raise ImageInputError("too_large", "", "")
    return bytes(await file.download_as_bytearray())


async def on_image(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not _private(update):
        # In a group only a screenshot addressed to the bot gets an answer, and only a pointer to the private chat.
        replied = update.effective_message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id:
            await _say(update, context, "image_group")
        return
    await check_screenshot(update, context, update.effective_message)


async def recheck_screenshot(update: Update, context: ContextTypes.DEFAULT_TYPE, shot: Message, role: str) -> None:
    """A recipient button under a screenshot's reply: read the photo again as received by `role`."""
    if not _private(update):
        await _say(update, context, "image_group")
        return
    await check_screenshot(update, context, shot, new_recipient=role, superseded=_log_tokens(update.callback_query.message))


def _log_tokens(message) -> list[str]:
    markup = getattr(message, "reply_markup", None)
    data = [button.callback_data or "" for row in (markup.inline_keyboard if markup else ()) for button in row]
    return [d.split(":")[2] for d in data if d.startswith(("ev:a:", "ev:i:")) and d.count(":") == 2]


async def check_screenshot(update: Update, context: ContextTypes.DEFAULT_TYPE, shot: Message,
                           new_recipient: str | None = None, superseded: list[str] = ()) -> None:
    """Read and check the screenshot in `shot`, as received by the chat's recipient, and reply to it.

    `new_recipient` (a button), else a role stated in the caption, is remembered for the chat only once
    the check is allowed: a rate-limited press changes nothing. `superseded`: the pending tokens of
    an earlier reading of the same screenshot, dropped once the new one is there."""
    svc = services(context)
    chat_id = update.effective_chat.id
    userdata.touch(context.user_data, svc.settings.retention_days)
    lang = _lang(update, context)
    if not svc.limiter.allow(update.effective_user.id):
        svc.stats.limited += 1
        await send_text(context.bot, chat_id, t("rate_limited", lang))
        return
    statement = None if new_recipient or shot.forward_origin else stated_recipient(shot.caption or "", lead_only=False)
    said = new_recipient or (statement.role if statement is not None else None)
    if said is not None:
        userdata.set_recipient(context.user_data, chat_id, said)
    file_id, size = _image_file(shot)
    if size and size > MAX_IMAGE_BYTES:
        await _say(update, context, "too_large")
        return
    try:
        async with typing(context.bot, chat_id):
            data = await _download(context, file_id)
            # The role the user gave with a button or in words in this chat, if any.
            recipient = userdata.recipient(context.user_data, chat_id)
            report = await svc.run(read_screenshot, data, svc.corpus, lang, recipient)
    except ImageInputError as exc:
        if exc.code == "too_large":
            await _say(update, context, "too_large")
        else:
            await send_text(context.bot, update.effective_chat.id, exc.en if lang == "en" else localize(exc.zh, lang))
        return
    except TelegramError as exc:
        log.warning("screenshot download failed: %s", type(exc).__name__)
        await _say(update, context, "download_failed")
        return
    del data    # the image is not kept unless the user asks for it below
    svc.stats.checks += 1
    for old in superseded:
        await pending.drop(context, update.effective_user.id, old)
    token = await pending.remember(context, update.effective_user.id, report.text, file_id,
                                   [{"code": f.code, "excerpt": f.excerpt} for f in report.findings])
    markup = keyboard([[(msg("add_button", lang), f"ev:a:{token}")], [(msg("add_image_button", lang), f"ev:i:{token}")],
                       recipient_row(recipient, lang, update.effective_user.id)])
    await send_html(context.bot, chat_id, esc(report.render()) + recipient_prompt(recipient, statement, lang), markup,
                    reply_parameters=ReplyParameters(shot.message_id, allow_sending_without_reply=True))


async def on_voice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, "voice")


async def on_moving(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _say(update, context, "sticker")


# --- the log ---------------------------------------------------------------------------------------

async def on_log(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not _private(update):
        await _say(update, context, "private_only")
        return
    svc = services(context)
    userdata.touch(context.user_data, svc.settings.retention_days)
    lang = _lang(update, context)
    body = _command_body(update.effective_message.text or "")
    if not body.strip():
        await _say(update, context, "log_form")
        return
    if body.strip().lower() in ("list", "列表", "清单", "查看"):
        await _show_list(update, context, lang)
        return
    values = parse_form(body)
    try:
        findings = []
        if values.get("text", "").strip():
            result = await svc.run(check_message, values["text"], svc.corpus, "zh-Hans")
            findings = [{"code": f.code, "excerpt": f.excerpt} for f in result.findings]
        incident = incident_from_form(values, findings, _tz(context))
        await _append(update, context, incident, None, lang)
    except (IncidentError, WhenError) as exc:
        await send_text(context.bot, update.effective_chat.id, exc.en if lang == "en" else localize(exc.zh, lang))


def _command_body(text: str) -> str:
    """Everything after "/log" or "/log@bot", keeping the following lines."""
    head, _, rest = text.partition("\n")
    _, _, args = head.partition(" ")
    return "\n".join(filter(None, [args, rest]))


async def _append(update: Update, context, incident: Incident, image: bytes | None, lang: str) -> None:
    store = _store(context)
    user = str(update.effective_user.id)
    try:
        await services(context).run(store.append, user, incident, image)
        count = len(await services(context).run(store.list, user))
    except LogStoreError as exc:
        log.error("log store: %s", exc)
        await _say(update, context, "store_error")
        return
    at = incident.when.astimezone(ZoneInfo(_tz(context)))
    await _say(update, context, "added", when=f"{at:%Y-%m-%d %H:%M}", count=count)


async def _show_list(update: Update, context, lang: str) -> None:
    svc = services(context)
    try:
        incidents = await svc.run(_store(context).list, str(update.effective_user.id))
    except LogStoreError as exc:
        log.error("log store: %s", exc)
        await _say(update, context, "store_error")
        return
    tl = timeline.build(incidents, svc.corpus, _tz(context))
    await send_text(context.bot, update.effective_chat.id, to_lang(tl.render(lang), lang))


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not _private(update):
        await _say(update, context, "private_only")
        return
    svc = services(context)
    lang = _lang(update, context)
    try:
        incidents = await svc.run(_store(context).list, str(update.effective_user.id))
    except LogStoreError as exc:
        log.error("log store: %s", exc)
        await _say(update, context, "store_error")
        return
    if not incidents:
        await _say(update, context, "export_empty")
        return
    tl = timeline.build(incidents, svc.corpus, _tz(context))
    chat_id = update.effective_chat.id
    async with typing(context.bot, chat_id):
        docx = await svc.run(export.to_docx, tl, svc.corpus, lang)
        csv_bytes = await svc.run(export.to_csv, tl, svc.corpus, lang)
    stamp = datetime.now(ZoneInfo(_tz(context))).strftime("%Y%m%d")
    await send_document(context.bot, chat_id, f"harassment-log-{stamp}.docx", docx, msg("export_caption", lang))
    await send_document(context.bot, chat_id, f"harassment-log-{stamp}.csv", csv_bytes, msg("export_caption", lang))
    svc.stats.documents += 2
    await send_text(context.bot, chat_id, to_lang(tl.note(lang), lang),
                    keyboard([[(msg("log_attach_button", lang), "ev:c")]]))


# --- buttons -------------------------------------------------------------------------------------------

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    parts = (query.data or "").split(":")
    lang = _lang(update, context)
    if parts[1:2] == ["c"]:
        await _complaint_attachment(update, context, lang)
        return
    entry = await pending.find(context, update.effective_user.id, parts[-1]) if len(parts) == 3 else None
    if entry is None:
        await _say(update, context, "expired")
        return
    image = None
    if parts[1] == "i":
        try:
            image = await _download(context, entry["file_id"])
        except (TelegramError, ImageInputError) as exc:
            log.warning("screenshot download failed: %s", type(exc).__name__)
            await _say(update, context, "download_failed")
            return
    incident = incident_from_form({"text": entry["text"]}, entry["findings"], _tz(context), source="screenshot")
    await pending.drop(context, update.effective_user.id, parts[-1])
    try:
        await update.callback_query.edit_message_reply_markup(None)
    except TelegramError:
        pass   # the buttons stay; pressing again says the result expired
    await _append(update, context, incident, image, lang)


async def _complaint_attachment(update: Update, context, lang: str) -> None:
    svc = services(context)
    incidents = await svc.run(_store(context).list, str(update.effective_user.id))
    text, citations = await svc.run(log_section, incidents, svc.corpus, _tz(context))
    if not text:
        await _say(update, context, "export_empty")
        return
    body = "\n\n".join([text, citations_block(citations, "zh-Hans"), disclaimer("zh-Hans")])
    title = msg("log_attach_title", "zh-Hans")
    document = await svc.run(to_docx, title, to_lang(body, lang if lang != "en" else "zh-Hans"))
    await send_document(context.bot, update.effective_chat.id, "complaint-log-attachment.docx", document,
                        msg("log_attach_title", lang))
    await send_text(context.bot, update.effective_chat.id, to_lang(body, lang if lang != "en" else "zh-Hans"))
