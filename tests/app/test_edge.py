"""sla_review.app.edge on its own (no server): which Host and Origin headers pass, and what the ASGI guard
answers. The running server is checked in tests/e2e/test_server_edge.py."""

from __future__ import annotations

import asyncio

import pytest

from sla_review.app.edge import EdgeGuard, host_allowed, origin_allowed

HOSTS = ("localhost", "127.0.0.1")


@pytest.mark.parametrize("host, ok", [
    ("localhost:8501", True), ("127.0.0.1:8501", True), ("LOCALHOST:8501", True), ("localhost.:8501", True),
    ("localhost", True), ("evil.example:8501", False), ("localhost.evil.example:8501", False),
    ("127.0.0.1.nip.io:8501", False), ("user@localhost:8501", False), ("localhost:99999", False),
    ("localhost:abc", False), ("localhost/x", False), ("", False), (None, False), ("[::1]:8501", False),
])
def test_host_allowed_by_hostname_ports_ignored(host, ok):
    assert host_allowed(host, HOSTS) is ok


def test_host_patterns_and_the_empty_list():
    assert host_allowed("dash.example.com", ["*.example.com"]) and not host_allowed("example.org", ["*.example.com"])
    assert host_allowed("anything:1", ["*"]) and host_allowed("anything:1", [])  # [] is Streamlit's own default
    assert not host_allowed("bad host:1", [])


@pytest.mark.parametrize("origin, host, ok", [
    (None, "127.0.0.1:8501", True),
    ("http://127.0.0.1:8501", "127.0.0.1:8501", True),
    ("http://localhost:8501", "localhost:8501", True),
    ("https://dash.example.com", "dash.example.com", True),  # TLS ended at the proxy, default port dropped
    ("https://dash.example.com:443", "dash.example.com", True),
    ("http://localhost:8502", "localhost:8501", False),  # another local port
    ("http://127.0.0.1:8502", "127.0.0.1:8501", False),
    ("http://localhost:8501", "127.0.0.1:8501", False),  # another name is another origin
    ("http://evil.example:8501", "127.0.0.1:8501", False),
    ("null", "127.0.0.1:8501", False), ("file://", "127.0.0.1:8501", False), ("", "127.0.0.1:8501", False),
])
def test_origin_must_be_the_page_itself(origin, host, ok):
    assert origin_allowed(origin, host) is ok


def test_an_exactly_listed_origin_passes_and_only_that_one():
    listed = ["https://portal.example.com"]
    assert origin_allowed("https://portal.example.com", "dash.example.com", listed)
    assert not origin_allowed("http://portal.example.com", "dash.example.com", listed)
    assert not origin_allowed("https://portal.example.com:8443", "dash.example.com", listed)


def _call(scope_type: str, headers: dict[str, str]) -> tuple[list[dict], bool]:
    sent: list[dict] = []
    reached = []

    async def inner(scope, receive, send):
        reached.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": scope_type, "path": "/_stcore/stream",
             "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(EdgeGuard(inner, HOSTS)(scope, receive, send))
    return sent, bool(reached)


def test_the_guard_answers_403_or_closes_the_websocket_before_streamlit_sees_it():
    sent, reached = _call("http", {"host": "evil.example:8501"})
    assert not reached and sent[0]["status"] == 403 and b"host" in sent[1]["body"]
    sent, reached = _call("websocket", {"host": "127.0.0.1:8501", "origin": "http://localhost:9999"})
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]
    sent, reached = _call("http", {"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"})
    assert reached and (b"content-security-policy", b"frame-ancestors 'self'") in sent[0]["headers"]
