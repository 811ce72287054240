"""Building and running the Telegram Application (polling by default, webhook when WEBHOOK_URL is set)."""
from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.messages import t
from bot.telegram_app import admin, evidence, handlers
from bot.telegram_app.flood import FloodPacer
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
MAX_RUNNING_UPDATES = 64    # updates being handled at once (waiting for the same user's turn is not counted)
MAX_PENDING_UPDATES = 1024  # updates accepted and not finished, across all users
SEND_RETRIES = 5            # a 429 RetryAfter from Telegram is waited out and the call retried
WEBHOOK_CONNECTIONS = 100   # Telegram's maximum; each update's call lasts until it is answered
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


async def register_commands(application: Application, admin_ids: list[int]) -> None:
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


def redis_client(settings):
    """The asyncio Redis client for REDIS_URL, or None in single-process mode."""
    if settings.redis_url is None:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url.get_secret_value(), decode_responses=True)


async def _alert_admins(application: Application, admin_ids: list[int], reason: str) -> None:
    for admin_id in admin_ids:
        try:
            await application.bot.send_message(admin_id, t("state_save_failed", "zh-Hans", reason=reason))
        except TelegramError as exc:
            log.warning("state alert not delivered to one admin: %s", type(exc).__name__)


async def _follow_index(application: Application) -> None:
    """Reload when another host or replica switched DATA_DIR/CURRENT (beside the answer threads)."""
    from bot.shared_state.index_watch import watch_index

    svc: Services = application.bot_data["services"]

    async def reload() -> None:
        if svc.reload_lock.locked():     # our own /reload is switching it right now
            return
        async with svc.reload_lock:
            await svc.run_reload(svc.engine.reload)

    await watch_index(svc.settings.data_dir, lambda: svc.engine.index.version, reload,
                      svc.settings.index_watch_seconds)


def _file_persistence(settings, store: FileUserStateStore | None, alert) -> StorePersistence:
    persistence = StorePersistence(store or open_state_store(settings), update_interval=PERSIST_EVERY)
    # Made here, not in post_init, so the final save at shutdown exists even if start-up failed.
    persistence.saver = StateSaver(persistence.store, alert)
    return persistence


def build_application(settings, engine, store: FileUserStateStore | None = None, redis=None) -> Application:
    """The bot. State in the state file (`store`, default PERSISTENCE_PATH), or in Redis when
    `redis` is given: then every update loads and saves its user's state (`shared.py`)."""
    token = settings.telegram_bot_token.get_secret_value()
    shared = redis is not None
    built: dict[str, Application] = {}

    async def alert(reason: str) -> None:
        await _alert_admins(built["application"], settings.admin_ids, reason)

    if shared:
        from bot.telegram_app.shared import SharedStatePersistence

        persistence = SharedStatePersistence()
    else:
        persistence = _file_persistence(settings, store, alert)
    executor = ThreadPoolExecutor(max_workers=settings.thread_count, thread_name_prefix="engine")
    # Shared hits are compared across machines, so they are wall-clock times.
    clock = time.time if shared else time.monotonic
    limiter = UserRateLimiter(settings.rate_limit_per_minute, clock=clock)
    update_limiter = UserRateLimiter(settings.rate_limit_per_minute * UPDATES_PER_QUESTION, clock=clock)
    processor = PerUserUpdateProcessor(MAX_RUNNING_UPDATES, MAX_PENDING_UPDATES)
    background: dict[str, asyncio.Task] = {}

    async def post_init(application: Application) -> None:
        application.bot_data["services"] = Services(
            settings=settings, engine=engine, executor=executor, saver=None if shared else persistence.saver,
            limiter=limiter, update_limiter=update_limiter)
        if not settings.webhook_url:    # in webhook mode one replica registers (see _run_webhook)
            await register_commands(application, settings.admin_ids)
        if not shared:   # in Redis, retention is the keys' TTL
            background["retention"] = asyncio.create_task(retention_loop(application, settings.retention_days))
            background["save"] = asyncio.create_task(save_loop(persistence, application, PERSIST_EVERY))
        if settings.index_watch_seconds > 0:
            background["index"] = asyncio.create_task(_follow_index(application))
        log.info("bot @%s ready", application.bot.username)

    async def post_stop(application: Application) -> None:
        for task in background.values():
            task.cancel()
        background.clear()

    async def post_shutdown(application: Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)
        svc = application.bot_data.get("services")
        if svc is not None:
            svc.reload_executor.shutdown(wait=False, cancel_futures=True)
        if redis is not None:
            await redis.aclose()

    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url or file_base_url(settings.telegram_base_url))
        .rate_limiter(FloodPacer(settings.telegram_calls_per_second, SEND_RETRIES))
        .persistence(persistence)
        .concurrent_updates(processor)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    built["application"] = application
    register_handlers(application)
    if shared:
        from bot.shared_state.userstate import RedisUserStateStore
        from bot.telegram_app.shared import SharedUserState

        user_store = RedisUserStateStore(redis, settings.redis_prefix, settings.retention_days,
                                         lock_seconds=settings.update_lease_seconds)
        processor.shared = SharedUserState(user_store, application, {"questions": limiter, "updates": update_limiter})
    return application


async def _webhook_secret(settings, leader) -> str:
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    if leader is not None:    # every replica must verify the same secret
        return await leader.shared_secret()
    # setWebhook is called by us, so a fresh random secret per start is as good as a configured one.
    log.warning("WEBHOOK_SECRET is not set; using a random secret for this run")
    return secrets.token_urlsafe(32)


async def _run_webhook(settings, engine, store: FileUserStateStore | None) -> Application:
    """Webhook mode: N replicas may listen behind one reverse proxy when REDIS_URL is set."""
    from bot.shared_state.leader import StartupLeader
    from bot.shared_state.ledger import UpdateLedger
    from bot.telegram_app.webhook import serve_webhook

    redis = redis_client(settings)
    application = build_application(settings, engine, store, redis)
    leader = StartupLeader(redis, settings.redis_prefix) if redis is not None else None
    ledger = UpdateLedger(redis, settings.redis_prefix, settings.update_lease_seconds) if redis is not None else None
    secret = await _webhook_secret(settings, leader)

    async def register_all() -> None:
        await application.bot.set_webhook(settings.webhook_url, secret_token=secret,
                                          allowed_updates=Update.ALL_TYPES, max_connections=WEBHOOK_CONNECTIONS)
        await register_commands(application, settings.admin_ids)

    async def register() -> None:
        if leader is None:
            await register_all()
        elif not await leader.run_once(f"{settings.webhook_url}|{secret}|{sorted(settings.admin_ids)}", register_all):
            log.info("webhook and commands already registered by another replica")

    await serve_webhook(application, listen=settings.webhook_listen, port=settings.webhook_port,
                        path=urlparse(settings.webhook_url).path.strip("/"), secret=secret, register=register,
                        ledger=ledger, lease_seconds=settings.update_lease_seconds)
    return application


# One question per reply language: answering them at start loads what the answer path reads
# lazily (reply wording, English cards, script conversion), which otherwise costs the first
# users about 2 s of CPU each, all at once after a restart under load.
WARM_UP_QUESTIONS = ("催收打电话给我的家人合法吗？", "催收說要起訴我，怎麼辦？", "Can a debt collector call my family?")


def warm_answers(engine) -> None:
    for question in WARM_UP_QUESTIONS:
        engine.answer(question)


def load_engine(settings):
    """The answer engine; a missing index or invalid knowledge/ is one clear line and exit 2."""
    from bot.engine import Engine
    from ingest.corpus import CorpusError
    from ingest.reader import IndexMissingError

    try:
        engine = Engine.from_settings(settings)
        engine.warm_up()     # a service fails at start on a broken index, and its first user does not wait
        if not settings.llm_enabled:   # with an LLM, a warm-up answer would be a (paid, maybe slow) LLM call
            warm_answers(engine)
        return engine
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
    store = None
    if settings.redis_url is None:
        try:
            store = open_state_store(settings)   # before the slow engine load: fail fast
        except StateFileError as exc:
            _fail(str(exc))
    engine = load_engine(settings)
    if settings.webhook_url:
        application = asyncio.run(_run_webhook(settings, engine, store))
    else:
        log.info("starting in long-polling mode")
        application = build_application(settings, engine, store, redis_client(settings))
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    saver = application.persistence.saver if store is not None else None
    if saver is not None and saver.rescued_to is not None:
        _fail(f"state could not be written to {settings.persistence_path}; a copy is in {saver.rescued_to}: "
              f"move it there once the cause is fixed", code=1)
