"""Wire formats of the group-bot webhooks, their signatures, and the one HTTP POST they share.

No ORM here: a message and a channel's URL and secret go in, a URL, a JSON body and an outcome come
out, so the formats are tested byte for byte against a fake receiver. The formats follow each
vendor's documentation (cited in docs/notifications.md):

- 企业微信 WeCom group bot: POST {"msgtype": "markdown", "markdown": {"content": …}} to the webhook
  URL (the URL's `key` is the credential; there is no signature). Content at most 4096 bytes.
- 钉钉 DingTalk custom robot with 加签: sign = urlencode(base64(HmacSHA256(key=secret,
  msg=timestamp + "\\n" + secret))), timestamp in milliseconds, appended as &timestamp=…&sign=….
- 飞书 Feishu custom bot with 签名校验: sign = base64(HmacSHA256(key=timestamp + "\\n" + secret,
  msg="")), timestamp in seconds, both sent in the JSON body next to msg_type and content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

WECOM_MAX_BYTES = 4096
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    url: str = ""  # absolute link to the page the message is about, or ""


@dataclass(frozen=True)
class Request:
    url: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Response:
    code: int | None  # HTTP status; None when no answer came (timeout, refused)
    body: str
    error: str = ""
    duration_ms: int = 0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retry: bool  # worth trying again later: no answer, HTTP 5xx or 429, or a rate-limit error code


def _truncate_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _markdown(msg: Message, heading: str) -> str:
    lines = [f"{heading} {msg.title}", "", msg.text]
    if msg.url:
        lines += ["", f"[查看详情 / Open]({msg.url})"]
    return "\n".join(lines)


# --- WeCom ---------------------------------------------------------------------------------------


def wecom_request(webhook_url: str, msg: Message) -> Request:
    content = _truncate_bytes(_markdown(msg, "###"), WECOM_MAX_BYTES)
    return Request(webhook_url, {"msgtype": "markdown", "markdown": {"content": content}})


# --- DingTalk ------------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HmacSHA256(secret, timestamp + "\\n" + secret)), before URL encoding."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_request(webhook_url: str, secret: str, msg: Message, *, now: float | None = None) -> Request:
    url = webhook_url
    if secret:
        timestamp_ms = int((now if now is not None else time.time()) * 1000)
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"
    payload = {"msgtype": "markdown", "markdown": {"title": msg.title, "text": _markdown(msg, "####")}}
    return Request(url, payload)


# --- Feishu --------------------------------------------------------------------------------------


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """base64(HmacSHA256(key=timestamp + "\\n" + secret, message=empty))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def feishu_request(webhook_url: str, secret: str, msg: Message, *, now: float | None = None) -> Request:
    text = f"{msg.title}\n{msg.text}" + (f"\n{msg.url}" if msg.url else "")
    payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
    if secret:
        timestamp_s = int(now if now is not None else time.time())
        payload = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **payload}
    return Request(webhook_url, payload)


def bot_request(kind: str, webhook_url: str, secret: str, msg: Message, *, now: float | None = None) -> Request:
    if kind == "wecom":
        return wecom_request(webhook_url, msg)
    if kind == "dingtalk":
        return dingtalk_request(webhook_url, secret, msg, now=now)
    if kind == "feishu":
        return feishu_request(webhook_url, secret, msg, now=now)
    raise ValueError(f"not a bot channel: {kind}")


# --- the POST and what its answer means ----------------------------------------------------------


def post_json(url: str, payload: dict[str, Any], *, timeout: float) -> Response:
    """POST JSON; never raises for network trouble (the answer says what happened)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return Response(None, "", error=f"unsupported URL scheme: {scheme or '-'}")
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(  # noqa: S310 — scheme checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 — scheme checked above
            body = resp.read(4096).decode("utf-8", errors="replace")
            code = resp.status
    except urllib.error.HTTPError as exc:
        body = exc.read(4096).decode("utf-8", errors="replace") if exc.fp is not None else ""
        return Response(exc.code, body[:EXCERPT_CHARS], duration_ms=_ms(started))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Response(None, "", error=f"{type(exc).__name__}: {reason}"[:300], duration_ms=_ms(started))
    return Response(code, body[:EXCERPT_CHARS], duration_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# Error codes the bots answer with HTTP 200 that mean "too many messages, try later".
RATE_LIMIT_CODES = {45009, 130101, 11232, 9499}


def interpret(response: Response) -> Outcome:
    """Sent, failed for good, or worth a retry. The bots answer HTTP 200 with an error code in the
    body for application errors (a bad signature, a wrong key): those are not retried."""
    if response.code is None:
        return Outcome(ok=False, retry=True)
    if response.code == 429 or response.code >= 500:
        return Outcome(ok=False, retry=True)
    if not 200 <= response.code < 300:
        return Outcome(ok=False, retry=False)
    try:
        data = json.loads(response.body) if response.body.strip() else {}
    except ValueError:
        return Outcome(ok=True, retry=False)
    if not isinstance(data, dict):
        return Outcome(ok=True, retry=False)
    for key in ("errcode", "code", "StatusCode"):
        if key in data and data[key] not in (0, "0", None):
            try:
                code = int(data[key])
            except (TypeError, ValueError):
                code = -1
            return Outcome(ok=False, retry=code in RATE_LIMIT_CODES)
    return Outcome(ok=True, retry=False)
