"""Advice tools: plain-Python wizards (script, complain, contact) and the message checker.

Importing the package registers every wizard in `bot.tools.wizard.WIZARDS`.
"""
from bot.tools import complaint, contact_guide, script  # noqa: F401  (registers the wizards)
from bot.tools.wizard import WIZARDS, Step, ToolResult, Wizard

__all__ = ["WIZARDS", "Step", "ToolResult", "Wizard"]
