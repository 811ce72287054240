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
from telegram.ext import AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.messages import t
from bot.telegram_app import admin, evidence, handlers
from bot.telegram_app.flows import PRIVATE_ONLY, on_group_command, tools_conversation
from bot.telegram_app.persistence import StateSaver, StorePersistence, save_loop
from bot.telegram_app.ratelimit import UserRateLimiter
from bot.telegram_app.services import PerUserUpdateProcessor, Services
from bot.telegram_app.state_store import FileUserStateStore, StateFileError
from bot.telegram_app.userdata import retention_loop

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "help", "contact", "borrower", "script", "check", "complain", "log", "export",
                   "sources", "lang", "privacy", "forget", "cancel")
ADMIN_COMMANDS = (("reload", "重建知识库索引（管理员）"), ("stats", "运行统计（管理员）"))
MAX_CONCURRENT_UPDATES = 64
PERSIST_EVERY = 10          # seconds between state-file writes (also written on shutdown)
UPDATES_PER_QUESTION = 3    # updates of any kind (buttons, form steps, commands) per allowed question

NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
            | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL)


def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot (same for self-hosted servers)."""
    head, sep, _ = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/bot" if sep else f"{base_url.rstrip('/')}/file/bot"


def register_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, handlers.rate_gate), group=-1)
    application.add_handler(tools_conversation())
    # Forms are private: in a group these commands point to the private chat instead.
    application.add_handler(CommandHandler(PRIVATE_ONLY, on_group_command, filters=~filters.ChatType.PRIVATE))
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


def open_state_store(settings) -> FileUserStateStore:
    """The state file, checked writable and loaded; StateFileError (one line) otherwise."""
    store = FileUserStateStore(settings.persistence_path)
    store.check_writable()
    store.load()
    return store


async def _alert_admins(application: Application, admin_ids: list[int], reason: str) -> None:
    for admin_id in admin_ids:
        try:
            await application.bot.send_message(admin_id, t("state_save_failed", "zh-Hans", reason=reason))
        except TelegramError as exc:
            log.warning("state alert not delivered to one admin: %s", type(exc).__name__)


def build_application(settings, engine, store: FileUserStateStore | None = None) -> Application:
    token = settings.telegram_bot_token.get_secret_value()
    store = store or open_state_store(settings)
    persistence = StorePersistence(store, update_interval=PERSIST_EVERY)
    built: dict[str, Application] = {}

    async def alert(reason: str) -> None:
        await _alert_admins(built["application"], settings.admin_ids, reason)

    # Made here, not in post_init, so the final save at shutdown exists even if start-up failed.
    persistence.saver = StateSaver(store, alert)
    executor = ThreadPoolExecutor(max_workers=settings.thread_count, thread_name_prefix="engine")
    background: dict[str, asyncio.Task] = {}

    async def post_init(application: Application) -> None:
        application.bot_data["services"] = Services(
            settings=settings, engine=engine, executor=executor, saver=persistence.saver,
            limiter=UserRateLimiter(settings.rate_limit_per_minute),
            update_limiter=UserRateLimiter(settings.rate_limit_per_minute * UPDATES_PER_QUESTION))
        await _register_commands(application, settings.admin_ids)
        background["retention"] = asyncio.create_task(retention_loop(application, settings.retention_days))
        background["save"] = asyncio.create_task(save_loop(persistence, application, PERSIST_EVERY))
        log.info("bot @%s ready", application.bot.username)

    async def post_stop(application: Application) -> None:
        for task in background.values():
            task.cancel()
        background.clear()

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
    built["application"] = application
    register_handlers(application)
    return application


def _webhook_secret(settings) -> str:
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    # setWebhook is called by us, so a fresh random secret per start is as good as a configured one.
    log.warning("WEBHOOK_SECRET is not set; using a random secret for this run")
    return secrets.token_urlsafe(32)


def load_engine(settings):
    """The answer engine; a missing index or invalid knowledge/ is one clear line and exit 2."""
    from bot.engine import Engine
    from ingest.corpus import CorpusError
    from ingest.reader import IndexMissingError

    try:
        return Engine.from_settings(settings)
    except IndexMissingError as exc:
        _fail(f"the search index cannot be opened: {exc}")
    except CorpusError as exc:
        _fail(f"the knowledge base is invalid: {exc}")


def _fail(message: str, code: int = 2):
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def run_telegram(settings) -> None:
    """Run the bot until SIGINT/SIGTERM. Long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.logging_setup import setup_logging

    if not logging.getLogger().handlers:
        setup_logging(settings)
    if settings.telegram_bot_token is None:
        _fail("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather, see docs/telegram.md)")
    try:
        store = open_state_store(settings)   # before the slow engine load: fail fast
    except StateFileError as exc:
        _fail(str(exc))
    engine = load_engine(settings)
    application = build_application(settings, engine, store)
    if settings.webhook_url:
        path = urlparse(settings.webhook_url).path.strip("/")
        log.info("starting in webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
                                webhook_url=settings.webhook_url, secret_token=_webhook_secret(settings),
                                allowed_updates=Update.ALL_TYPES)
    else:
        log.info("starting in long-polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    rescued = application.persistence.saver.rescued_to
    if rescued is not None:
        _fail(f"state could not be written to {settings.persistence_path}; a copy is in {rescued}: "
              f"move it there once the cause is fixed", code=1)
