"""Admin commands: /reload (rebuild the index without downtime) and /stats (no user content)."""
from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.messages import t
from bot.telegram_app import userdata
from bot.telegram_app.replies import send_text
from bot.telegram_app.services import Services, services
from bot.telegram_app.shared import shared_state

log = logging.getLogger(__name__)


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_ids


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = userdata.ui_language(update, context.user_data)
    await send_text(context.bot, update.effective_chat.id, t("admin_only", lang))


# Contract: `engine.index` is an `ingest.reader.SearchIndex` (it has `version` and `len()`).
def index_version(engine) -> str:
    return str(engine.index.version)


def index_size(engine) -> str:
    return str(len(engine.index))


def _rebuild(svc: Services) -> str:
    """Build a new index beside the current one, then switch the engine to it.

    Runs in the reload thread, not the answer threads, and embeds with the engine's loaded
    embedder instead of loading a second one. Other replicas follow through DATA_DIR/CURRENT.
    """
    from ingest.build import build_index

    report = build_index(svc.settings, embeddings=svc.engine.embeddings.inner)   # an ingest.build.BuildReport
    svc.engine.reload()
    return str(report.version)


async def _reload_in_background(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    svc = services(context)
    async with svc.reload_lock:
        started = time.monotonic()
        try:
            version = await svc.run_reload(_rebuild, svc)
        except Exception as exc:  # report and keep serving from the old index
            log.exception("index rebuild failed")
            await send_text(context.bot, chat_id, t("reload_failed", lang, error=type(exc).__name__))
            return
        log.info("index rebuilt: version %s", version)
        await send_text(context.bot, chat_id, t("reload_done", lang, version=version,
                                                seconds=round(time.monotonic() - started, 1)))


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    lang = userdata.ui_language(update, context.user_data)
    if services(context).reload_lock.locked():
        await send_text(context.bot, update.effective_chat.id, t("reload_busy", lang))
        return
    await send_text(context.bot, update.effective_chat.id, t("reload_started", lang))
    context.application.create_task(_reload_in_background(context, update.effective_chat.id, lang),
                                    name="index-reload")


def _uptime(seconds: float) -> str:
    seconds = int(seconds)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return (f"{days}d " if days else "") + f"{hours:02d}:{minutes:02d}:{seconds:02d}"


async def _user_count(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Users with stored state. With REDIS_URL they are counted in Redis: a replica's memory holds
    only the users whose updates it is serving right now."""
    shared = shared_state(context.application)
    if shared is not None:
        return len(await shared.store.user_ids())
    return len(context.application.user_data)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not is_admin(update, context):
        await _refuse(update, context)
        return
    svc = services(context)
    lang = userdata.ui_language(update, context.user_data)
    text = t("stats", lang, uptime=_uptime(time.monotonic() - svc.started),
             version=index_version(svc.engine), chunks=index_size(svc.engine),
             documents=len(svc.corpus.documents), users=await _user_count(context),
             answers=svc.stats.answers, checks=svc.stats.checks, limited=svc.stats.limited,
             errors=svc.stats.errors)
    await send_text(context.bot, update.effective_chat.id, text)
