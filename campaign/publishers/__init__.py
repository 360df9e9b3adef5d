"""Publishers: one module per platform (named by its row in :mod:`campaign.platforms`) behind the
seam in ``base`` (the Protocol, the error tree, the registry). The platform modules share code only
through ``common`` (BasePublisher, text helpers), ``http`` (sessions, transport errors, rate-limit
headers) and ``redaction`` (secrets out of logs and errors; installed by the CLI and the workers)."""

from .base import (AuthFailed, Context, OutcomeUnknown, Post, Published, Publisher, PublishError,
                   RateLimited, Rejected, Transient, get_publisher)

__all__ = ["AuthFailed", "Context", "OutcomeUnknown", "Post", "Published", "Publisher", "PublishError",
           "RateLimited", "Rejected", "Transient", "get_publisher"]
