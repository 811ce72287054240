"""Ingest's data files (ingest/data/*.yaml): what training and text normalisation read.

The bot's wording stays in bot/data/; these are the files ingest needs without the bot
(typos, Cantonese forms, rule patterns, training phrasings and cases, training settings).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    return DATA_DIR / name


def read_yaml(source: str | Path, folder: Path, empty: Any = None) -> Any:
    """Parsed YAML of folder/<source> (a bare name) or of the file at `source`; `empty` for an empty file.

    The one YAML reader: bot.datafiles uses it for bot/data/ too."""
    path = folder / source if isinstance(source, str) and "/" not in source else Path(source)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return empty if data is None else data


def load_yaml(source: str | Path, empty: Any = None) -> Any:
    """Parsed YAML of ingest/data/<source> (a bare name) or of the file at `source`."""
    return read_yaml(source, DATA_DIR, empty)


__all__ = ["DATA_DIR", "data_path", "load_yaml", "read_yaml"]
