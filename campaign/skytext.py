"""Bluesky's text rules, as Bluesky itself applies them: which ``#words`` become tags (atproto's
``detect_facets``). Used by the publisher to mark tags, and by validate to warn of a hashtag that
would go out as plain text. atproto (about 0.4 s to import) is imported on first use."""

from __future__ import annotations


def tags_in(text: str) -> list[tuple[int, int, str]]:
    """Each hashtag as (start, end, tag), by Bluesky's own rule (atproto's ``detect_facets``, a port
    of @atproto/api's TAG_REGEX): a tag starts with # after a space or the start, ends at a space
    (U+200B, which Khmer puts between words, included) and drops its trailing punctuation; one of
    only digits and punctuation, or of more than 64 graphemes, is no tag (it stays text)."""
    from atproto import client_utils, models

    data = text.encode()
    out = []
    for facet in client_utils.detect_facets(text):
        for feature in facet.features:
            if isinstance(feature, models.AppBskyRichtextFacet.Tag) and not feature.tag.startswith("$"):
                start = len(data[:facet.index.byte_start].decode())
                out.append((start, len(data[:facet.index.byte_end].decode()), feature.tag))
    return out


__all__ = ["tags_in"]
