"""Command-line front end: `python -m bot …`, the console chat and the advice tools' CLI."""
from bot.cli.main import main

__all__ = ["main"]
