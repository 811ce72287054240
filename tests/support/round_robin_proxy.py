"""A small reverse proxy on 127.0.0.1 in front of several webhook listeners (what nginx/Caddy do).

Requests go to the backends in turn; `pin(i)` sends the following requests to backend i only, so a
test can say which replica handles an update. A backend that refuses or drops the connection
gets the request answered with 502, so the sender (the fake Bot API) delivers it again.
"""
from __future__ import annotations

import asyncio
import itertools
import threading

import aiohttp
from aiohttp import web


class RoundRobinProxy:
    def __init__(self, backends: list[str], host: str = "127.0.0.1"):
        self.backends = backends
        self.host = host
        self.port = 0
        self.pinned: int | None = None
        self.handled: list[tuple[int, int]] = []     # (backend index, status) per request
        self._turn = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def pin(self, backend: int | None) -> None:
        self.pinned = backend

    def start(self) -> RoundRobinProxy:
        threading.Thread(target=self._run, name="round-robin-proxy", daemon=True).start()
        if not self._ready.wait(15):
            raise RuntimeError("proxy did not start")
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _close(self) -> None:
        await self._session.close()
        await self._runner.cleanup()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._serve())
        self._loop.run_forever()

    async def _serve(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application()
        app.router.add_route("POST", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()

    async def _forward(self, request: web.Request) -> web.Response:
        index = self.pinned if self.pinned is not None else next(self._turn) % len(self.backends)
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}}
        try:
            async with self._session.post(f"{self.backends[index]}{request.path}", data=body,
                                          headers=headers) as response:
                status, payload = response.status, await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            status, payload = 502, b"bad gateway"
        self.handled.append((index, status))
        return web.Response(status=status, body=payload)
