"""The answer engine: question in, verified answer out (no front-end code here).

`Engine` is exported lazily: the advice tools import `bot.engine.citations` and
`bot.engine.answers` and must not pay for loading the retriever stack.
"""
from __future__ import annotations

from bot.engine.answers import Answer, Citation
from bot.engine.citations import CitationError, make_citation, verify

__all__ = ["Answer", "Citation", "CitationError", "Engine", "make_citation", "verify"]


def __getattr__(name: str):
    if name == "Engine":
        from bot.engine.engine import Engine

        return Engine
    raise AttributeError(f"module 'bot.engine' has no attribute {name!r}")
