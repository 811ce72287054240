"""Ingest's data files (ingest/data/*.yaml): what training and text normalisation read.

The bot's wording stays in bot/data/; these are the files ingest needs without the bot
(typos, Cantonese forms, rule patterns, training phrasings and cases, training settings).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
# libyaml's parser when PyYAML was built with it: the same safe loading, several times quicker
# (a one-off question reads dozens of YAML files); the pure-Python one otherwise.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml when available. Malformed YAML raises the pure-Python loader's
    error, whose wording and line numbers the error messages of `python -m ingest` quote."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def data_path(name: str) -> Path:
    return DATA_DIR / name


def read_yaml(source: str | Path, folder: Path, empty: Any = None) -> Any:
    """Parsed YAML of folder/<source> (a bare name) or of the file at `source`; `empty` for an empty file.

    The one YAML reader: bot.datafiles uses it for bot/data/ too."""
    path = folder / source if isinstance(source, str) and "/" not in source else Path(source)
    data = parse_yaml(path.read_text(encoding="utf-8"))
    return empty if data is None else data


def load_yaml(source: str | Path, empty: Any = None) -> Any:
    """Parsed YAML of ingest/data/<source> (a bare name) or of the file at `source`."""
    return read_yaml(source, DATA_DIR, empty)


__all__ = ["DATA_DIR", "data_path", "load_yaml", "parse_yaml", "read_yaml"]
