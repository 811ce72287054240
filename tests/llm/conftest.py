"""Fixtures for the LLM answer path: the real corpus and an OpenAI-compatible stub on 127.0.0.1."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.config import Settings
from ingest.corpus import load_corpus


@dataclass
class Hit:
    """Duck-typed stand-in for ingest.index.SearchHit (same attributes)."""
    chunk_id: str
    text: str
    metadata: dict = field(default_factory=dict)
    score: float = 1.0


def regulation_hit(corpus, doc_id: str, article: str, part: int = 1) -> Hit:
    doc = corpus.document(doc_id)
    found = corpus.article(doc_id, article)
    chunk_id = f"reg:{doc_id}:{found.label}" + (f"#p{part}" if part > 1 else "")
    meta = {**doc.metadata(), "source": "regulation", "article": found.label,
            "article_number": found.number, "article_suffix": found.suffix, "path": " > ".join(found.path)}
    return Hit(chunk_id, f"《{doc.short_title}》{found.display}\n{found.text}", meta)


def card_hit(card_id: str, text: str, intent: str = "contact_rights") -> Hit:
    return Hit(f"card:{card_id}", text, {"source": "card", "card_id": card_id, "intent": intent,
                                         "topic": card_id, "cites": "[]"})


def guidance_hit(n: int, text: str) -> Hit:
    return Hit(f"guide:{n}", text, {"source": "guidance", "doc_id": "citic-overdue-contacts",
                                    "heading_path": "联系人"})


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
        self._release.set()          # let any hanging handler from a previous test finish
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


@pytest.fixture(scope="session")
def corpus():
    return load_corpus("knowledge")


@pytest.fixture(scope="session")
def _stub_server():
    stub = StubLLM()
    yield stub
    stub.close()


@pytest.fixture
def stub(_stub_server):
    _stub_server.reset()
    yield _stub_server
    _stub_server.reset()


@pytest.fixture
def make_settings(stub):
    def make(**overrides) -> Settings:
        values = {"llm_model": "stub-model", "llm_base_url": stub.base_url,
                  "llm_api_key": "sk-test-123", "llm_timeout": 5.0, **overrides}
        return Settings(_env_file=None, **values)
    return make


@pytest.fixture
def answerer(make_settings, corpus):
    from bot.llm import LLMAnswerer
    return LLMAnswerer(make_settings(), corpus)
