"""The optional LLM path: the model writes from retrieved articles, code checks every citation."""
from bot.engine.llm.answerer import LLMAnswerer, LLMError

__all__ = ["LLMAnswerer", "LLMError"]
