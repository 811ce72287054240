"""Follow index rebuilds made elsewhere (another replica's /reload, `python -m ingest` on any host).

The serving version is named in DATA_DIR/CURRENT (on a volume the replicas share; the vectors are
on the Chroma server). Each replica compares it with the version its engine serves and reloads
when they differ, so a rebuild on one host reaches every replica without a restart.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from ingest.build import read_current

log = logging.getLogger(__name__)


def current_version(data_dir: Path) -> str | None:
    current = read_current(data_dir)
    return current.get("version") if current else None


async def watch_index(data_dir: Path, serving: Callable[[], str], reload: Callable[[], Awaitable[None]],
                      every: float) -> None:
    """Poll CURRENT every `every` seconds; call `reload` when it names another version."""
    while True:
        await asyncio.sleep(every)
        try:
            latest = current_version(data_dir)
            if latest and latest != serving():
                log.info("index version changed to %s; reloading", latest)
                await reload()
        except Exception as exc:  # a failed check or reload is retried next round; we keep serving
            log.error("index watch failed: %s", type(exc).__name__)
