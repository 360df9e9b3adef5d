"""A fake Telegram Bot API: ``POST /bot<token>/<method>``.

``sendPhoto`` (multipart ``chat_id``, ``photo`` file, ``caption`` at most 1024 UTF-16 units),
``getMe``, ``getChat``, ``getChatMember``. Errors in the Bot API's shape
``{"ok": false, "error_code", "description", "parameters"}``; 429 carries
``parameters.retry_after``. Fault endpoints: ``sendPhoto``, ``getMe``, ``getChat``,
``getChatMember``; extra fault kind ``forbidden`` (the bot was removed from the channel).
"""

from __future__ import annotations

import time
from typing import Any

from .server import FakeServer, Request, Response, problem


def _error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


class FakeTelegram(FakeServer):
    """One bot (``token``) that administers one channel."""

    def __init__(self, token: str = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ", channel: str = "@freethemall_kh",
                 admin: bool = True) -> None:
        super().__init__()
        self.token, self.channel, self.admin = token, channel, admin
        self.chat = {"id": -1001234567890, "title": "Free Them All", "username": channel.lstrip("@"), "type": "channel"}
        self.bot = {"id": 123456, "is_bot": True, "first_name": "Campaign", "username": "campaign_bot"}

    def call(self, request: Request) -> Response:
        token, method = request.match.groups() if request.match else ("", "")
        if token != self.token:
            raise problem(401, _error(401, "Unauthorized"))
        handler = {"sendPhoto": self.send_photo, "getMe": self.get_me, "getChat": self.get_chat,
                   "getChatMember": self.get_chat_member}.get(method)
        if handler is None:
            raise problem(404, _error(404, "Not Found"))
        return Response(200, {"ok": True, "result": handler(request)})

    def _chat(self, request: Request) -> None:
        if request.form.get("chat_id") not in (self.channel, str(self.chat["id"])):
            raise problem(400, _error(400, "Bad Request: chat not found"))

    def send_photo(self, request: Request) -> dict[str, Any]:
        self._chat(request)
        if "photo" not in request.files:
            raise problem(400, _error(400, "Bad Request: there is no photo in the request"))
        width, height = _dimensions(request.files["photo"][2])
        if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
            raise problem(400, _error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS"))
        caption = request.form.get("caption", "")
        if len(caption.encode("utf-16-le")) // 2 > 1024:
            raise problem(400, _error(400, "Bad Request: message caption is too long"))
        message = {"message_id": self.next_id(), "chat": self.chat, "date": int(time.time()), "caption": caption,
                   "photo": [{"file_id": f"AgAC{self.next_id()}", "file_size": len(request.files["photo"][2]),
                              "width": width, "height": height}]}
        with self.lock:
            self.posted.append({**message, "text": caption})
        return message

    def get_me(self, request: Request) -> dict[str, Any]:
        return self.bot

    def get_chat(self, request: Request) -> dict[str, Any]:
        self._chat(request)
        return self.chat

    def get_chat_member(self, request: Request) -> dict[str, Any]:
        self._chat(request)
        status = "administrator" if self.admin else "left"
        return {"user": self.bot, "status": status, "can_post_messages": self.admin}

    routes = [("POST", r"/bot([^/]+)/(\w+)", "bot", call)]

    def _route(self, request: Request) -> Any:
        found = super()._route(request)
        if found is None or request.match is None:
            return found
        return request.match.group(2), found[1]  # faults are queued per Bot API method

    def fault(self, kind: str, request: Request, endpoint: str) -> Response:
        if kind == "429":
            return Response(429, _error(429, "Too Many Requests: retry after 7", retry_after=7))
        if kind == "401":
            return Response(401, _error(401, "Unauthorized"))
        if kind == "forbidden":
            return Response(403, _error(403, "Forbidden: bot is not a member of the channel chat"))
        if kind in ("500", "503"):
            return Response(int(kind), _error(int(kind), "Internal Server Error"))
        if kind == "duplicate":
            return Response(400, _error(400, "Bad Request: message caption is too long"))
        return super().fault(kind, request, endpoint)


def _dimensions(photo: bytes) -> tuple[int, int]:
    """A photo's width and height (sendPhoto: width + height at most 10,000, ratio at most 20)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(photo)) as img:
        return img.size
