"""A Celery app for fault tests: the real app and tasks, with the outbox publisher wrapped so a
test can stop a worker at a named point of a publish and SIGKILL it there.

Only workers started with ``-A tests.fault_app`` load this. Environment:

    CAMPAIGN_TEST_BLOCK       before_write | after_write   where to stop
    CAMPAIGN_TEST_BLOCK_POST  the post id to stop on (others publish normally)
    CAMPAIGN_TEST_BLOCK_MARK  a file created when the worker reaches the point
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from campaign.publishers import base
from campaign.publishers.outbox import OutboxPublisher
from workers.app import app  # noqa: F401  (the app celery -A loads)
import workers.tasks  # noqa: F401  (register the real tasks)


class BlockingOutbox(OutboxPublisher):
    """The real outbox publisher, which hangs at ``CAMPAIGN_TEST_BLOCK`` for one post."""

    def _block(self, point: str, post_id: str) -> None:
        if os.environ.get("CAMPAIGN_TEST_BLOCK") == point and os.environ.get("CAMPAIGN_TEST_BLOCK_POST") == post_id:
            Path(os.environ["CAMPAIGN_TEST_BLOCK_MARK"]).touch()
            time.sleep(3600)

    def publish(self, post):  # type: ignore[no-untyped-def]
        self._block("before_write", post.id)
        published = super().publish(post)
        self._block("after_write", post.id)
        return published


base.register("outbox")(BlockingOutbox)  # this worker process builds outbox publishers as BlockingOutbox
