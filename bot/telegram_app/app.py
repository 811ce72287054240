"""Building and running the Telegram Application (polling by default, webhook when WEBHOOK_URL is set)."""
from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, MessageHandler,
                          PersistenceInput, PicklePersistence, filters)

from bot.i18n import t
from bot.telegram_app import admin, evidence, handlers
from bot.telegram_app.flows import tools_conversation
from bot.telegram_app.ratelimit import UserRateLimiter
from bot.telegram_app.services import PerUserUpdateProcessor, Services
from bot.telegram_app.userdata import retention_loop

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "help", "contact", "borrower", "script", "check", "complain", "log", "export",
                   "sources", "lang", "privacy", "forget", "cancel")
ADMIN_COMMANDS = (("reload", "重建知识库索引（管理员）"), ("stats", "运行统计（管理员）"))
ENGINE_THREADS = 2          # the machine has few cores; more threads only contend
MAX_CONCURRENT_UPDATES = 64
PERSIST_EVERY = 10          # seconds between persistence writes (also written on shutdown)

NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
            | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL)


def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot (same for self-hosted servers)."""
    head, sep, _ = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot" if sep else f"{base_url.rstrip('/')}/file/bot"


def register_handlers(application: Application) -> None:
    application.add_handler(tools_conversation())
    evidence.register(application)     # screenshots, /log, /export: before the generic handlers
    commands = {
        "start": handlers.on_start, "help": handlers.on_help, "borrower": handlers.on_borrower,
        "sources": handlers.on_sources, "lang": handlers.on_lang, "forget": handlers.on_forget,
        "privacy": handlers.on_privacy, "cancel": handlers.on_cancel_idle,
        "reload": admin.on_reload, "stats": admin.on_stats,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(MessageHandler(filters.TEXT & filters.FORWARDED & ~filters.COMMAND,
                                           handlers.on_forwarded))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(MessageHandler(NON_TEXT, handlers.on_non_text))
    application.add_error_handler(handlers.on_error)


async def _register_commands(application: Application, admin_ids: list[int]) -> None:
    bot = application.bot
    for lang, code in (("zh-Hans", None), ("en", "en")):
        public = [BotCommand(name, t(f"cmd_{name}", lang)) for name in PUBLIC_COMMANDS]
        await bot.set_my_commands(public, language_code=code)
    public = [BotCommand(name, t(f"cmd_{name}", "zh-Hans")) for name in PUBLIC_COMMANDS]
    for admin_id in admin_ids:
        try:
            await bot.set_my_commands(public + [BotCommand(n, d) for n, d in ADMIN_COMMANDS],
                                      scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.warning("admin commands not registered for one admin: %s", type(exc).__name__)


def build_application(settings, engine) -> Application:
    token = settings.telegram_bot_token.get_secret_value()
    settings.persistence_path.parent.mkdir(parents=True, exist_ok=True)
    persistence = PicklePersistence(
        filepath=settings.persistence_path,
        store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
        update_interval=PERSIST_EVERY,
    )
    executor = ThreadPoolExecutor(max_workers=ENGINE_THREADS, thread_name_prefix="engine")
    retention_task: dict[str, asyncio.Task] = {}

    async def post_init(application: Application) -> None:
        application.bot_data["services"] = Services(
            settings=settings, engine=engine, executor=executor,
            limiter=UserRateLimiter(settings.rate_limit_per_minute))
        await _register_commands(application, settings.admin_ids)
        retention_task["task"] = asyncio.create_task(retention_loop(application, settings.retention_days))
        log.info("bot @%s ready", application.bot.username)

    async def post_stop(application: Application) -> None:
        task = retention_task.pop("task", None)
        if task:
            task.cancel()

    async def post_shutdown(application: Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url or file_base_url(settings.telegram_base_url))
        .rate_limiter(AIORateLimiter())
        .persistence(persistence)
        .concurrent_updates(PerUserUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    return application


def _webhook_secret(settings) -> str:
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    # setWebhook is called by us, so a fresh random secret per start is as good as a configured one.
    log.warning("WEBHOOK_SECRET is not set; using a random secret for this run")
    return secrets.token_urlsafe(32)


def load_engine(settings):
    try:
        from bot.engine import Engine
    except ImportError as exc:
        raise SystemExit(f"The answer engine (bot.engine) cannot be imported: {exc}") from exc
    return Engine.from_settings(settings)


def run_telegram(settings) -> None:
    """Run the bot until SIGINT/SIGTERM. Long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.logging_setup import setup_logging

    if not logging.getLogger().handlers:
        setup_logging(settings)
    if settings.telegram_bot_token is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather, see docs/telegram.md)")
    try:
        engine = load_engine(settings)
    except SystemExit:
        raise
    except Exception as exc:  # e.g. the index is missing: say what to do, not a traceback
        print(f"Cannot start the bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    application = build_application(settings, engine)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.strip("/")
        log.info("starting in webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
                                webhook_url=settings.webhook_url, secret_token=_webhook_secret(settings),
                                allowed_updates=Update.ALL_TYPES)
    else:
        log.info("starting in long-polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
