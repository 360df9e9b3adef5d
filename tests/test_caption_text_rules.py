"""What a post's caption is made of (campaign/captions.py): only its own kind's variants, and, when
``campaign validate`` measures a variant, the campaign's own hashtags; and what a platform name
that is not in the table says (campaign/platforms.py). Written against the mutants ``make mutate``
found alive; the campaign is tests/fields_fixtures.py's (Belarus, not the example)."""

from __future__ import annotations

import pytest

from campaign.captions import MissingCaptions, caption_text
from campaign.checks.caption_lints import caption_problems
from campaign.definition import Campaign
from campaign.platforms import NAMES, TABLE, spec
from campaign.plan import plan
from campaign.roster import facts

from .fields_fixtures import models

C, R = models()


@pytest.mark.parametrize("kind", ["finale", "released"])
def test_a_post_whose_kind_has_no_captions_says_which_captions_to_add(kind: str) -> None:
    slot = next(s for s in plan(C, R) if s.kind == kind and s.account == "two-fr")
    bare = C.model_copy(update={"captions": {**C.captions, "fr": C.captions["fr"].model_copy(update={kind: None})}})
    people = R.by_id()
    with pytest.raises(MissingCaptions) as err:
        caption_text(bare, slot, [facts(people[p], slot.date) for p in slot.people])
    assert str(err.value) == (f"captions.fr has no {kind} captions, and a {kind} post never borrows a weekly caption; "
                              f"add captions.fr.{kind}")


def _too_long(c: Campaign) -> list[str]:
    return [p for p in caption_problems(c) if "so it will be shortened" in p]


def test_a_variant_with_hashtags_is_measured_with_the_campaigns_own_hashtags() -> None:
    tags = ["#" + "FreePoliticalPrisoners" * 4, "#" + "StandWithBelarus" * 5]  # 89 and 81 characters
    x = [a.model_copy(update={"platform": "x", "credentials": {"api_key": "env:A", "api_secret": "env:B",
                                                               "access_token": "env:C", "access_secret": "env:D"}})
         for a in C.accounts if a.id == "one-en"]
    captions = {"en": C.captions["en"].model_copy(update={"weekly": [
        "{name}, {role}, held for {duration}: free every prisoner of conscience in Belarus now. {hashtags}"],
                                                          "released": None, "finale": None})}
    c = C.model_copy(update={"accounts": x, "captions": captions})
    assert _too_long(c.model_copy(update={"hashtags": tags[:1]})) == []  # about 215 of X's 280 with typical names
    assert [p.split(":")[0] for p in _too_long(c.model_copy(update={"hashtags": tags}))] == ["captions.en.weekly[0]"]


def test_an_unknown_platform_is_refused_naming_every_known_one() -> None:
    assert spec("mastodon") is TABLE["mastodon"]
    with pytest.raises(KeyError) as err:
        spec("twitter")
    assert err.value.args[0] == f"no platform 'twitter'; known: {', '.join(NAMES)}"
    assert "x, mastodon, bluesky, telegram, facebook, outbox" in err.value.args[0]
