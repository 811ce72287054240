"""The webhook listener: an update is processed *before* Telegram gets its 200.

PTB's own webhook server acknowledges an update as soon as it is queued, so a replica that dies
mid-update loses it. Here the HTTP response waits for the update's handlers; a replica that dies
returns nothing (or the proxy answers 502) and Telegram redelivers the update, to any replica.
With the update ledger (REDIS_URL), a redelivery of an answered update is acknowledged without
being answered twice, and one still held by a live replica gets 503 (Telegram retries later).
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from bot.shared_state.ledger import Claim, UpdateLedger

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN_SECONDS = 20.0    # on SIGTERM, updates in progress get this long to finish


class UpdateReceiver:
    def __init__(self, application: Application, ledger: UpdateLedger | None = None,
                 lease_seconds: float = 30.0):
        self.application = application
        self.ledger = ledger
        self.lease_seconds = lease_seconds
        self.in_flight = 0

    async def receive(self, payload: dict) -> int:
        """HTTP status for Telegram: 200 = done (or done before), 503/500 = deliver again."""
        update = Update.de_json(payload, self.application.bot)
        token = None
        if self.ledger is not None:
            claim, token = await self.ledger.claim(update.update_id)
            if claim is Claim.DONE:
                return 200
            if claim is Claim.BUSY:
                return 503
        self.in_flight += 1
        heartbeat = asyncio.create_task(self._keep_lease(update.update_id, token)) if token else None
        try:
            processor = self.application.update_processor
            await processor.process_update(update, self.application.process_update(update))
        except Exception as exc:  # our failure: let Telegram deliver it again
            log.error("update processing failed: %s", type(exc).__name__)
            if token:
                await self.ledger.release(update.update_id, token)
            return 500
        finally:
            self.in_flight -= 1
            if heartbeat:
                heartbeat.cancel()
        if self.ledger is not None:
            await self.ledger.finish(update.update_id)
        return 200

    async def _keep_lease(self, update_id: int, token: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await self.ledger.renew(update_id, token)


class _WebhookHandler(tornado.web.RequestHandler):
    def initialize(self, receiver: UpdateReceiver, secret: str) -> None:
        self.receiver = receiver
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            payload = json.loads(self.request.body)
        except ValueError:
            self.set_status(400)
            return
        if not isinstance(payload, dict) or "update_id" not in payload:
            self.set_status(400)
            return
        self.set_status(await self.receiver.receive(payload))

    def log_exception(self, typ, value, tb) -> None:
        # Tornado's default would log the request body, which may quote the user.
        log.error("webhook request failed: %s", typ.__name__ if typ else "?")


def _quiet_access_log() -> None:
    logging.getLogger("tornado.access").setLevel(logging.WARNING)


async def serve_webhook(application: Application, *, listen: str, port: int, path: str, secret: str,
                        register, ledger: UpdateLedger | None, lease_seconds: float) -> None:
    """Run the application behind our webhook listener until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    _quiet_access_log()
    receiver = UpdateReceiver(application, ledger, lease_seconds)
    web_app = tornado.web.Application([(f"/{path}", _WebhookHandler, {"receiver": receiver, "secret": secret})])
    server = tornado.httpserver.HTTPServer(web_app, xheaders=True)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        server.listen(port, address=listen)
        await application.start()
        await register()
        log.info("starting in webhook mode on %s:%d", listen, port)
        await stop.wait()
        log.info("stopping: no new updates, waiting for %d in progress", receiver.in_flight)
        server.stop()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(_drained(receiver), DRAIN_SECONDS)
        await server.close_all_connections()
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _drained(receiver: UpdateReceiver) -> None:
    while receiver.in_flight:
        await asyncio.sleep(0.05)
