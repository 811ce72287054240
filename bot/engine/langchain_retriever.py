"""The hybrid retriever as a LangChain `BaseRetriever`: `HybridRetriever.as_langchain()`.

For LangChain chains and tools (`invoke`, callbacks, tracing). A module of its own because
importing LangChain's retriever machinery takes about half a second, which answering a question
does not need: the engine calls `HybridRetriever.search` directly.
"""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from bot.engine.query import build_query


class LangChainRetriever(BaseRetriever):
    hybrid: Any     # bot.engine.retrieval.HybridRetriever

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self.hybrid.search(build_query(query))


__all__ = ["LangChainRetriever"]
