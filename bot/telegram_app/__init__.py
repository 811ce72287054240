"""Telegram front end (python-telegram-bot v22). The only package that imports `telegram`."""
from bot.telegram_app.app import build_application, run_telegram

__all__ = ["build_application", "run_telegram"]
