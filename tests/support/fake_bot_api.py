"""A fake Telegram Bot API server on 127.0.0.1 (real HTTP, aiohttp) for end-to-end tests and the load benchmark.

It speaks the parts of the Bot API the bot uses, validates what Telegram validates
(HTML entities, 4096-character texts, 64-byte callback data) and records every
call. Unknown methods and rejected requests are recorded in `unknown` / `errors`
so a test can fail loudly on them.

Tests feed updates with `send_text`, `send_command`, `press`, `send_sticker` …
(thread-safe, from any thread) and read the bot's calls with `wait_for`.

Options (all off by default, so older tests see the same server):
- `deliver_webhooks`: once the bot called setWebhook, updates are POSTed to its URL with the secret
  header, like Telegram: in order per chat, at most `max_connections` at once, and redelivered
  after `redeliver_after` seconds while the call fails or returns non-2xx (`deliveries` counts them).
- `flood_limit`: at most this many messages per second (sendMessage, sendDocument,
  editMessageText); more get 429 with retry_after, like Telegram's flood control.
- `inject_429`: this fraction of sendMessage calls gets 429 with retry_after anyway.
Throttled calls are kept in `throttled`, not in `calls` or `errors`.
"""
from __future__ import annotations

import asyncio
import collections
import html
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

BOT_ID = 7000001
BOT_USERNAME = "zhiquan_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "知权", "username": BOT_USERNAME,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False}

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
                "code", "pre", "blockquote", "tg-emoji"}
# Parameters PTB sends JSON-encoded; everything else is a plain string (text must stay text).
JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "scope", "entities", "caption_entities",
               "link_preview_options", "reply_parameters", "chat_id", "message_id", "offset", "limit",
               "timeout", "user_id", "max_connections", "drop_pending_updates", "show_alert", "cache_time",
               "disable_notification", "protect_content", "message_thread_id"}
FLOOD_METHODS = {"sendmessage", "senddocument", "editmessagetext"}
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class BadRequest(Exception):
    pass


@dataclass
class Call:
    index: int
    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, key):
        return self.params[key]

    def get(self, key, default=None):
        return self.params.get(key, default)

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def buttons(self) -> list[dict]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


def visible_html(text: str) -> str:
    """Check Telegram-HTML like Telegram does; return the visible text or raise BadRequest."""
    out, stack, pos = [], [], 0
    for m in re.finditer(r"<[^>]*>|&[^;\s<>&]*;?|[<>&]", text):
        out.append(text[pos:m.start()])
        pos = m.end()
        token = m.group(0)
        if token.startswith("<"):
            tag = re.fullmatch(r"<(/?)([a-zA-Z-]+)(\s[^>]*)?>", token)
            if not tag or tag.group(2).lower() not in ALLOWED_TAGS:
                raise BadRequest(f"can't parse entities: unsupported start tag {token[:20]!r}")
            name = tag.group(2).lower()
            if tag.group(1):
                if not stack or stack[-1] != name:
                    raise BadRequest(f"can't parse entities: unmatched end tag {name!r}")
                stack.pop()
            else:
                stack.append(name)
        elif token.startswith("&"):
            if not re.fullmatch(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);", token):
                raise BadRequest(f"can't parse entities: bad entity {token[:10]!r}")
            out.append(html.unescape(token))
        else:
            raise BadRequest(f"can't parse entities: unescaped {token!r}")
    out.append(text[pos:])
    if stack:
        raise BadRequest(f"can't parse entities: unclosed tags {stack}")
    return "".join(out)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotAPI:
    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0, long_poll_cap: float = 2.0, *,
                 deliver_webhooks: bool = False, redeliver_after: float = 0.5, flood_limit: float | None = None,
                 inject_429: float = 0.0, retry_after: int = 1, seed: int = 11):
        self.token = token
        self.deliver_webhooks = deliver_webhooks
        self.redeliver_after = redeliver_after
        self.flood_limit = flood_limit
        self.inject_429 = inject_429
        self.retry_after = retry_after
        self._random = random.Random(seed)
        self._sent_times: collections.deque[float] = collections.deque()
        self.throttled: list[Call] = []
        self.deliveries = {"attempts": 0, "failed": 0}
        self._chat_tails: dict[object, asyncio.Future] = {}
        self._session: aiohttp.ClientSession | None = None
        self._webhook_slots: asyncio.Semaphore | None = None
        self.webhook_max_connections = 40
        self.host = host
        self.port = port
        # Long polls return after at most this long, so a stopping bot never waits 10 s.
        self.long_poll_cap = long_poll_cap
        self.calls: list[Call] = []
        self.unknown: list[Call] = []
        self.errors: list[tuple[Call, str]] = []
        self.documents: list[dict] = []
        self.files: dict[str, bytes] = {}          # file_id -> bytes, served by getFile + the file URL
        self.downloads: list[str] = []             # file paths fetched through the file URL
        self.webhook: dict = {}
        self.commands: dict[str, list] = {}
        self._cond = threading.Condition()
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._sent: dict[tuple[int, int], dict] = {}
        self._received: dict[tuple[int, int], dict] = {}   # users' messages, for replies to them
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    def start(self) -> FakeBotAPI:
        self._thread = threading.Thread(target=self._run, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("fake Bot API server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._session.close(), self._loop).result(10)
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.run_forever()
        self._loop.close()

    async def _serve(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        self._ready.set()

    # --- feeding updates (any thread) ---------------------------------------------------

    def push_update(self, payload: dict) -> dict:
        if self.deliver_webhooks and self.webhook.get("url"):
            update = self.make_update(payload)
            asyncio.run_coroutine_threadsafe(self._deliver(update), self._loop)
            return update
        with self._cond:
            update = {"update_id": next(self._update_ids), **payload}
            self._updates.append(update)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return update

    def make_update(self, payload: dict) -> dict:
        """An update with a fresh id that is NOT queued (for posting to a webhook)."""
        return {"update_id": next(self._update_ids), **payload}

    @staticmethod
    def user(user_id: int, language_code: str = "zh-hans") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": language_code}

    def message(self, user_id: int, text: str | None = None, *, chat: dict | None = None,
                language_code: str = "zh-hans", **extra) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": chat or {"id": user_id, "type": "private", "first_name": f"用户{user_id}"},
                   "from": self.user(user_id, language_code)}
        if text is not None:
            message["text"] = text
        message.update(extra)
        self._received[(message["chat"]["id"], message["message_id"])] = message
        return message

    def send_text(self, user_id: int, text: str, **kwargs) -> dict:
        return self.push_update({"message": self.message(user_id, text, **kwargs)})

    def send_command(self, user_id: int, command: str, **kwargs) -> dict:
        name = command.split()[0]
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(name)}]
        return self.push_update({"message": self.message(user_id, command, entities=entities, **kwargs)})

    def send_forwarded(self, user_id: int, text: str, sender: str = "催收专员") -> dict:
        origin = {"type": "hidden_user", "sender_user_name": sender, "date": int(time.time()) - 60}
        return self.push_update({"message": self.message(user_id, text, forward_origin=origin)})

    def send_sticker(self, user_id: int) -> dict:
        sticker = {"file_id": "CAACAgQAAxkBAAIB", "file_unique_id": "AgADsticker", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "😀"}
        return self.push_update({"message": self.message(user_id, sticker=sticker)})

    def add_file(self, data: bytes) -> str:
        """Store bytes as an uploaded file; return its file_id."""
        with self._cond:
            file_id = f"AgACAgFile{len(self.files) + 1:04d}"
            self.files[file_id] = data
        return file_id

    def send_photo(self, user_id: int, data: bytes, **kwargs) -> dict:
        """A photo message: Telegram sends several sizes; all point at the same bytes here."""
        file_id = self.add_file(data)
        sizes = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": w, "height": w * 2,
                  "file_size": len(data)} for w in (90, 320, 1080)]
        return self.push_update({"message": self.message(user_id, photo=sizes, **kwargs)})

    def send_image_document(self, user_id: int, data: bytes, name: str = "screenshot.png",
                            mime_type: str = "image/png", **kwargs) -> dict:
        file_id = self.add_file(data)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
                    "mime_type": mime_type, "file_size": len(data)}
        return self.push_update({"message": self.message(user_id, document=document, **kwargs)})

    def send_voice(self, user_id: int) -> dict:
        voice = {"file_id": "AwACAgVoice", "file_unique_id": "uvoice", "duration": 3, "mime_type": "audio/ogg"}
        return self.push_update({"message": self.message(user_id, voice=voice)})

    def press(self, user_id: int, message: dict | Call, data: str) -> dict:
        """Press an inline button under a message the bot sent."""
        if isinstance(message, Call):
            message = self.sent_message(message)
        query = {"id": str(next(self._callback_ids)), "from": self.user(user_id), "message": message,
                 "chat_instance": f"ci{user_id}", "data": data}
        return self.push_update({"callback_query": query})

    # --- webhook delivery (the server's loop) ---------------------------------------------------

    @staticmethod
    def _chat_of(update: dict) -> object:
        for kind in ("message", "edited_message", "callback_query"):
            item = update.get(kind)
            if item:
                chat = (item.get("message") or item).get("chat") or {}
                return chat.get("id", (item.get("from") or {}).get("id"))
        return None

    async def _deliver(self, update: dict) -> None:
        """POST `update` to the webhook until a 2xx comes back (in order per chat)."""
        chat = self._chat_of(update)
        previous = self._chat_tails.get(chat)
        mine = self._loop.create_future()
        self._chat_tails[chat] = mine
        try:
            if previous is not None:
                await previous
            while not await self._post_once(update):
                await asyncio.sleep(self.redeliver_after)
        finally:
            mine.set_result(None)
            if self._chat_tails.get(chat) is mine:
                del self._chat_tails[chat]

    async def _post_once(self, update: dict) -> bool:
        if self._webhook_slots is None:
            self._webhook_slots = asyncio.Semaphore(self.webhook_max_connections)
        headers = {SECRET_HEADER: self.webhook.get("secret_token") or ""}
        async with self._webhook_slots:
            self.deliveries["attempts"] += 1
            try:
                async with self._session.post(self.webhook["url"], json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            self.deliveries["failed"] += 1
            return False

    # --- observing calls (any thread) ------------------------------------------------------

    def mark(self) -> int:
        with self._cond:
            return len(self.calls)

    def wait_for(self, method: str | None = None, predicate=None, *, after: int = 0, timeout: float = 60,
                 chat_id: int | None = None) -> Call:
        """The first call at index >= after matching method/chat_id/predicate; waits up to `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[after:]:
                    if method and call.method != method:
                        continue
                    if chat_id is not None and call.params.get("chat_id") != chat_id:
                        continue
                    if predicate and not predicate(call):
                        continue
                    return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.params.get("chat_id")) for c in self.calls[after:]][-20:]
                    raise TimeoutError(f"no {method or 'call'} for chat {chat_id} within {timeout}s; "
                                       f"last calls: {seen}")
                self._cond.wait(remaining)

    def calls_to(self, method: str, chat_id: int | None = None, after: int = 0) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[after:] if c.method == method
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def sent_message(self, call: Call) -> dict:
        return self._sent[(call.params["chat_id"], call.params["_message_id"])]

    @property
    def pending_updates(self) -> int:
        with self._cond:
            return len(self._updates)

    # --- HTTP ------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict:
        params: dict = dict(request.query)
        if request.content_type == "application/json":
            body = await request.read()
            if body:
                params.update(json.loads(body))
            return params
        if request.method == "POST":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "bytes": value.file.read()}
                elif key in JSON_PARAMS:
                    try:
                        params[key] = json.loads(value)
                    except ValueError:
                        params[key] = value
                else:
                    params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        with self._cond:
            call = Call(len(self.calls), method, params)
        if request.match_info["token"] != self.token:
            return self._record(call, error=(401, "Unauthorized"))
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is not None and self._throttle(method.lower()):
            with self._cond:
                self.throttled.append(call)
            description = f"Too Many Requests: retry after {self.retry_after}"
            return web.json_response({"ok": False, "error_code": 429, "description": description,
                                      "parameters": {"retry_after": self.retry_after}}, status=429)
        if handler is None:
            with self._cond:
                self.unknown.append(call)
            return self._record(call, error=(404, f"Not Found: method {method} is not implemented"))
        try:
            result = await handler(params)
        except BadRequest as exc:
            return self._record(call, error=(400, f"Bad Request: {exc}"))
        return self._record(call, result=result)

    def _throttle(self, method: str) -> bool:
        """True when this call gets a 429 (injected, or over the flood limit)."""
        if method == "sendmessage" and self.inject_429 and self._random.random() < self.inject_429:
            return True
        if self.flood_limit is None or method not in FLOOD_METHODS:
            return False
        now = time.monotonic()
        while self._sent_times and now - self._sent_times[0] >= 1.0:
            self._sent_times.popleft()
        if len(self._sent_times) >= self.flood_limit:
            return True
        self._sent_times.append(now)
        return False

    def _record(self, call: Call, result=None, error: tuple[int, str] | None = None) -> web.Response:
        with self._cond:
            call.index = len(self.calls)
            self.calls.append(call)
            if error:
                self.errors.append((call, error[1]))
            self._cond.notify_all()
        if error:
            return web.json_response({"ok": False, "error_code": error[0], "description": error[1]},
                                     status=error[0])
        return web.json_response({"ok": True, "result": result})

    # --- Bot API methods ------------------------------------------------------------------------

    async def _m_getme(self, params):
        return BOT_USER

    async def _m_getupdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), self.long_poll_cap)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                # Like Telegram: an offset confirms every update before it.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
                self._new_update.clear()
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return ready
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _check_text(self, text: str, parse_mode: str | None, what: str = "message text") -> str:
        visible = visible_html(text) if parse_mode == "HTML" else text
        if not visible.strip():
            raise BadRequest(f"{what} is empty")
        if utf16_len(visible) > (4096 if what == "message text" else 1024):
            raise BadRequest(f"{what} is too long")
        return visible

    @staticmethod
    def _check_markup(markup) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise BadRequest("BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise BadRequest("button text is empty")

    def _new_message(self, params: dict, **content) -> dict:
        chat_id = params["chat_id"]
        message_id = next(self._message_ids)
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, **content}
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        replied = self._replied(chat_id, params.get("reply_parameters"))
        if replied is not None:
            # Like Telegram: the replied-to message, without its own reply_to_message.
            message["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        params["_message_id"] = message_id
        self._sent[(chat_id, message_id)] = message
        return message

    def _replied(self, chat_id: int, reply: dict | None) -> dict | None:
        if not isinstance(reply, dict):
            return None
        key = (reply.get("chat_id", chat_id), reply.get("message_id"))
        replied = self._received.get(key) or self._sent.get(key)
        if replied is None and not reply.get("allow_sending_without_reply"):
            raise BadRequest("message to be replied not found")
        return replied

    async def _m_sendmessage(self, params):
        visible = self._check_text(params.get("text", ""), params.get("parse_mode"))
        self._check_markup(params.get("reply_markup"))
        params["_visible"] = visible
        return self._new_message(params, text=visible)

    async def _m_senddocument(self, params):
        document = params.get("document")
        if not isinstance(document, dict) or not document.get("bytes"):
            raise BadRequest("there is no document in the request")
        if params.get("caption"):
            self._check_text(params["caption"], params.get("parse_mode"), "caption")
        self.documents.append({"chat_id": params["chat_id"], **document})
        doc = {"file_id": f"doc{len(self.documents)}", "file_unique_id": f"u{len(self.documents)}",
               "file_name": document["filename"], "file_size": len(document["bytes"])}
        return self._new_message(params, document=doc, caption=params.get("caption", ""))

    async def _edited(self, params, **changes):
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._sent.get(key)
        if message is None:
            raise BadRequest("message to edit not found")
        message.update(changes)
        if "reply_markup" in params:
            self._check_markup(params["reply_markup"])
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    async def _m_editmessagetext(self, params):
        visible = self._check_text(params.get("text", ""), params.get("parse_mode"))
        params["_visible"] = visible
        return await self._edited(params, text=visible)

    async def _m_editmessagereplymarkup(self, params):
        return await self._edited(params)

    async def _m_sendchataction(self, params):
        return True

    async def _m_answercallbackquery(self, params):
        return True

    async def _m_setmycommands(self, params):
        commands = params.get("commands") or []
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c["command"]) or not 1 <= len(c["description"]) <= 256:
                raise BadRequest("BOT_COMMAND_INVALID")
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[f"{scope}|{params.get('language_code', '')}"] = commands
        return True

    async def _m_getmycommands(self, params):
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get(f"{scope}|{params.get('language_code', '')}", [])

    async def _m_getfile(self, params):
        file_id = params.get("file_id")
        data = self.files.get(file_id)
        if data is None:
            raise BadRequest("invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                "file_path": f"photos/{file_id}.img"}

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        file_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        data = self.files.get(file_id)
        with self._cond:
            self.downloads.append(path)
            self._cond.notify_all()
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _m_deletewebhook(self, params):
        self.webhook = {}
        return True

    async def _m_setwebhook(self, params):
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        self.webhook_max_connections = int(params.get("max_connections") or 40)
        self._webhook_slots = None
        return True

    async def _m_getwebhookinfo(self, params):
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _m_deletemessage(self, params):
        return True

    async def _m_close(self, params):
        return True

    async def _m_logout(self, params):
        return True
