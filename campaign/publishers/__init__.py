"""Publishers: one module per platform behind the Protocol in ``base``."""

from .base import (AuthFailed, Context, OutcomeUnknown, Post, Published, Publisher, PublishError,
                   RateLimited, Rejected, Transient, get_publisher)

__all__ = ["AuthFailed", "Context", "OutcomeUnknown", "Post", "Published", "Publisher", "PublishError",
           "RateLimited", "Rejected", "Transient", "get_publisher"]
