"""Reply texts of the evidence features, from bot/data/evidence_messages.yaml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.tools.common import say

MESSAGES_PATH = Path(__file__).resolve().parent.parent / "data" / "evidence_messages.yaml"


@lru_cache(maxsize=1)
def _messages() -> dict:
    return yaml.safe_load(MESSAGES_PATH.read_text(encoding="utf-8"))


def msg(key: str, lang: str, **params) -> str:
    entry = _messages()[key]
    return say(entry["zh"], entry["en"], lang).format(**params)
