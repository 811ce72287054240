"""Helpers for the LLM tests: hits made by the real chunker, and an OpenAI-compatible stub server.

A uniquely named module (not conftest) so `import` cannot pick up another directory's conftest.
"""
from __future__ import annotations

import json
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ingest.cards import load_cards
from ingest.chunks import article_chunks, card_chunks, guidance_chunks
from ingest.guidance import load_guidance
from ingest.reader import SearchHit

KNOWLEDGE = "knowledge"


def _hit(chunk) -> SearchHit:
    return SearchHit(chunk_id=chunk.id, text=chunk.text, metadata=dict(chunk.metadata), score=1.0)


def regulation_hit(corpus, doc_id: str, article: str, part: int = 1) -> SearchHit:
    found = corpus.article(doc_id, article)
    return _hit(article_chunks(corpus.document(doc_id), found)[part - 1])


@lru_cache(maxsize=1)
def _card_chunks(corpus) -> dict:
    return {c.metadata["card_id"]: c for c in card_chunks(load_cards(KNOWLEDGE, corpus), corpus)}


def card_hit(corpus, card_id: str) -> SearchHit:
    return _hit(_card_chunks(corpus)[card_id])


def guidance_hit() -> SearchHit:
    return _hit(guidance_chunks(load_guidance(KNOWLEDGE))[0])


def completion(content: str) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "stub-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class StubLLM:
    """Serves POST /v1/chat/completions over real HTTP with a canned behaviour; records requests."""

    def __init__(self):
        self.requests: list[dict] = []
        self._release = threading.Event()
        self.reset()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "json": json.loads(raw or b"{}")})
                status, body, hang = stub.behaviour
                if hang:
                    stub._release.wait(10)  # longer than any client timeout in the tests
                if self.path != "/v1/chat/completions":
                    status, body = 404, b'{"error": {"message": "not found"}}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reset(self):
        self._release.set()          # let a handler still hanging from the previous test finish
        self._release = threading.Event()
        self.requests.clear()
        self.reply("")

    def reply(self, content: str):
        self.behaviour = (200, json.dumps(completion(content), ensure_ascii=False).encode(), False)

    def fail(self, status: int, body: bytes = b'{"error": {"message": "upstream exploded"}}'):
        self.behaviour = (status, body, False)

    def raw(self, body: bytes):
        self.behaviour = (200, body, False)

    def hang(self):
        self.behaviour = (200, json.dumps(completion("too late [S1]")).encode(), True)

    def last_messages(self) -> list[dict]:
        return self.requests[-1]["json"]["messages"]

    def close(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
