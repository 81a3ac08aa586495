"""A fake webhook receiver on 127.0.0.1: records every request and answers from a script."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    raw_query: str
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    base: str
    requests: list[Received] = field(default_factory=list)
    # Answers to give, in order: (status, body); when used up, 200 {"errcode":0}.
    script: list[tuple[int, str]] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"{self.base}{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            rec = state["r"]
            rec.requests.append(Received(path=parts.path, query=parse_qs(parts.query), raw_query=parts.query,
                                         body=self.rfile.read(length), headers=dict(self.headers.items())))
            status, body = rec.script.pop(0) if rec.script else (200, '{"errcode":0,"errmsg":"ok"}')
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(base=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
