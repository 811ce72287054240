"""The bot's data files (bot/data/*.yaml): wording and rules kept out of the code.

`load_yaml` is the one reader: a bare name is looked up in bot/data/, a path is read as
given (tests and `python -m bot.eval --questions` pass their own files).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.datafiles import read_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    return DATA_DIR / name


def load_yaml(source: str | Path, empty: Any = None) -> Any:
    """Parsed YAML of bot/data/<source> (a bare name) or of the file at `source`; `empty` for an empty file."""
    return read_yaml(source, DATA_DIR, empty)


__all__ = ["DATA_DIR", "data_path", "load_yaml"]
