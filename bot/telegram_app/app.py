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
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, MessageHandler,
                          PersistenceInput, PicklePersistence, filters)

from bot.i18n import t
from bot.telegram_app import admin, handlers
from bot.telegram_app.flows import tools_conversation
from bot.telegram_app.ratelimit import UserRateLimiter
from bot.telegram_app.services import PerUserUpdateProcessor, Services
from bot.telegram_app.userdata import retention_loop

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "help", "contact", "borrower", "script", "check", "complain", "sources",
                   "lang", "privacy", "forget", "cancel")
ADMIN_COMMANDS = (("reload", "重建知识库索引（管理员）"), ("stats", "运行统计（管理员）"))
ENGINE_THREADS = 2          # the machine has few cores; more threads only contend
MAX_RUNNING_UPDATES = 64    # updates being handled at once (waiting for the same user's turn is not counted)
MAX_PENDING_UPDATES = 1024  # updates accepted and not finished, across all users
SEND_RETRIES = 5            # a 429 RetryAfter from Telegram is waited out and the call retried
WEBHOOK_CONNECTIONS = 100   # Telegram's maximum; each update's call lasts until it is answered
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


def redis_client(settings):
    """The asyncio Redis client for REDIS_URL, or None in single-process mode."""
    if settings.redis_url is None:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url.get_secret_value(), decode_responses=True)


def _persistence(settings, shared: bool):
    if shared:
        from bot.telegram_app.shared import SharedStatePersistence

        return SharedStatePersistence()
    settings.persistence_path.parent.mkdir(parents=True, exist_ok=True)
    return PicklePersistence(
        filepath=settings.persistence_path,
        store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
        update_interval=PERSIST_EVERY,
    )


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


def _bot_api_limiter(calls_per_second: float) -> AIORateLimiter:
    """Evenly spaced calls (one per 1/rate s, no bursts: a burst of 30 at once trips Telegram's
    flood control, and every 429 pauses all sending); a 429 RetryAfter is waited out and retried."""
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / calls_per_second, max_retries=SEND_RETRIES)


def build_application(settings, engine, redis=None) -> Application:
    token = settings.telegram_bot_token.get_secret_value()
    shared = redis is not None
    executor = ThreadPoolExecutor(max_workers=ENGINE_THREADS, thread_name_prefix="engine")
    # Shared hits are compared across machines, so they are wall-clock times.
    limiter = UserRateLimiter(settings.rate_limit_per_minute, clock=time.time if shared else time.monotonic)
    processor = PerUserUpdateProcessor(MAX_RUNNING_UPDATES, MAX_PENDING_UPDATES)
    background: dict[str, asyncio.Task] = {}

    async def post_init(application: Application) -> None:
        application.bot_data["services"] = Services(settings=settings, engine=engine, executor=executor,
                                                    limiter=limiter)
        if not settings.webhook_url:
            await register_commands(application, settings.admin_ids)
        if not shared:   # in Redis, retention is the keys' TTL
            background["retention"] = asyncio.create_task(retention_loop(application, settings.retention_days))
        if settings.index_watch_seconds > 0:
            background["index"] = asyncio.create_task(_follow_index(application))
        log.info("bot @%s ready", application.bot.username)

    async def post_stop(application: Application) -> None:
        for task in background.values():
            task.cancel()
        background.clear()

    async def post_shutdown(application: Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)
        application.bot_data["services"].reload_executor.shutdown(wait=False, cancel_futures=True)
        if redis is not None:
            await redis.aclose()

    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(file_base_url(settings.telegram_base_url))
        .rate_limiter(_bot_api_limiter(settings.telegram_calls_per_second))
        .persistence(_persistence(settings, shared))
        .concurrent_updates(processor)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    if shared:
        from bot.shared_state.userstate import RedisUserStateStore
        from bot.telegram_app.shared import SharedUserState

        store = RedisUserStateStore(redis, settings.redis_prefix, settings.retention_days,
                                    lock_seconds=settings.update_lease_seconds)
        processor.shared = SharedUserState(store, application, limiter)
    return application


async def _webhook_secret(settings, leader) -> str:
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    if leader is not None:    # every replica must verify the same secret
        return await leader.shared_secret()
    # setWebhook is called by us, so a fresh random secret per start is as good as a configured one.
    log.warning("WEBHOOK_SECRET is not set; using a random secret for this run")
    return secrets.token_urlsafe(32)


async def _run_webhook(settings, engine) -> None:
    """Webhook mode: N replicas may listen behind one reverse proxy when REDIS_URL is set."""
    from bot.shared_state.leader import StartupLeader
    from bot.shared_state.ledger import UpdateLedger
    from bot.telegram_app.webhook import serve_webhook

    redis = redis_client(settings)
    application = build_application(settings, engine, redis)
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
    if settings.webhook_url:
        asyncio.run(_run_webhook(settings, engine))
    else:
        log.info("starting in long-polling mode")
        build_application(settings, engine, redis_client(settings)).run_polling(allowed_updates=Update.ALL_TYPES)
