"""Telegram through the Bot API: ``sendPhoto`` to a channel, caption at most 1024 characters.

Credential: ``token`` (from @BotFather), or a single reference; ``channel`` is ``@name`` or
``-100...``; the bot must be an administrator of the channel allowed to post. The token is
part of every URL, so it is redacted from logs and from every error (see redaction.py). Telegram
has no alt text and no idempotency key. Errors::

    429 (parameters.retry_after)                 RateLimited
    401, 404 (bad token), 403 (not in channel),
    400 chat not found / migrated                AuthFailed
    400 otherwise (caption too long, bad photo)  Rejected
    5xx, connect failures                        Transient
    timeout after sending the photo              OutcomeUnknown
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from ..definition import Account
from .base import AuthFailed, Context, Post, Published, PublishError, RateLimited, Rejected, Transient, register
from .common import BasePublisher
from .http import RateLimitInfo, reset_after


class TelegramPublisher(BasePublisher):
    """Posts a card with its caption to one Telegram channel."""

    platform: ClassVar[str] = "telegram"
    default_base_url: ClassVar[str | None] = "https://api.telegram.org"

    def call(self, method: str, *, step: str, posting: bool = False, **kwargs: Any) -> Any:
        """One Bot API method; returns its ``result`` or raises the mapped error."""
        url = f"{self.base_url}/bot{self.secret('token')}/{method}"
        response = self.request("POST", url, step=step, posting=posting, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and body.get("ok"):
            return body.get("result")
        self.fail(self._error(response.status_code, body, step))

    def publish(self, post: Post) -> Published:
        self.check(post)
        message = self.call("sendPhoto", step="post", posting=True,
                            data={"chat_id": self.account.channel, "caption": post.text},
                            files={"photo": (post.card_name, post.image, post.image_type)})
        message_id = str(message["message_id"])
        chat = message.get("chat") or {}
        username = chat.get("username") or (self.account.channel or "").lstrip("@")
        url = f"https://t.me/{username}/{message_id}" if username and not username.lstrip("-").isdigit() else None
        return Published(remote_id=f"{chat.get('id', self.account.channel)}:{message_id}", url=url)

    def lookup(self, post: Post) -> Published | None:
        raise NotImplementedError(
            "Telegram's Bot API cannot read a channel's past messages: open the channel and check by hand")

    def whoami(self) -> str:
        bot = self.call("getMe", step="who-am-I")
        chat = self.call("getChat", step="who-am-I", data={"chat_id": self.account.channel})
        member = self.call("getChatMember", step="who-am-I", data={"chat_id": self.account.channel, "user_id": bot["id"]})
        if member.get("status") not in ("administrator", "creator") or member.get("can_post_messages") is False:
            raise AuthFailed(f"{self.account.id}: @{bot.get('username')} may not post in {self.account.channel}; "
                             "make the bot an administrator allowed to post messages")
        return f"@{bot.get('username')} in {chat.get('title') or self.account.channel}"

    def _error(self, status: int, body: dict[str, Any], step: str) -> PublishError:
        what = self.what(step)
        code = int(body.get("error_code") or status)
        description = str(body.get("description") or f"HTTP {status}")
        parameters = body.get("parameters") or {}
        if code == 429:
            reset = reset_after(parameters.get("retry_after"), timedelta(minutes=1))
            self.note_rate_limit(RateLimitInfo(None, 0, reset))
            return RateLimited(reset, f"{what}: {description}")
        if code in (401, 404):
            return AuthFailed(f"{what}: Telegram refused the bot token ({description}); get a new one from @BotFather")
        if code == 403:
            return AuthFailed(f"{what}: {description}; add the bot to {self.account.channel} as an administrator")
        if "migrate_to_chat_id" in parameters:
            return AuthFailed(f"{what}: the chat moved to {parameters['migrate_to_chat_id']}; update 'channel'")
        if code == 400 and "chat not found" in description.lower():
            return AuthFailed(f"{what}: {description}; check 'channel' ({self.account.channel}) and that the bot is in it")
        if code >= 500:
            return Transient(f"{what}: {description}")
        return Rejected(f"{what}: {description}")


@register("telegram")
def _factory(account: Account, context: Context) -> TelegramPublisher:
    return TelegramPublisher(account, context)
