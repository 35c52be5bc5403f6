"""Library search: every word must match title, summary, rationale or tags. On PostgreSQL it is
full-text search (prefixes while typing, stemmed words); on SQLite, substrings."""

import pytest

from accounts.models import Membership
from core.tenancy import practice_scope
from library.selectors import global_activities, search_words

pytestmark = pytest.mark.django_db


def slugs(world, q, **filters):
    with practice_scope(world.practice_a):
        membership = Membership.objects.get(user=world.therapist_a)
        return {c.slug for c in global_activities(membership, q=q, **filters)}


def test_search_words_are_plain_words():
    assert search_words("  Thought-RECORD; drop table!") == ["thought", "record", "drop", "table"]
    assert len(search_words("a " * 50)) == 8


def test_every_word_must_match(world):
    assert slugs(world, "thought record") == {"thought-record"}
    assert slugs(world, "thought record sleep") == set()
    assert "sleep-diary" in slugs(world, "sleep")


def test_tag_filters_match_whole_tags(world):
    ocd = slugs(world, "", problem="OCD")
    assert "exposure-hierarchy" in ocd and "sleep-diary" not in ocd
    assert slugs(world, "", approach="DB") == set(), "a tag is matched whole, not as a prefix"
