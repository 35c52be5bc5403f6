"""On PostgreSQL, library search is full-text search."""

import pytest

from tests.library.test_search import slugs
from tests.postgres import postgres_only

pytestmark = [pytest.mark.django_db, *postgres_only]


def test_postgres_uses_full_text_search(world):
    assert slugs(world, "thou rec") == {"thought-record"}, "prefixes match while typing"
    assert "thought-record" in slugs(world, "records"), "stemmed: records finds record"
    assert slugs(world, "!!!") == slugs(world, ""), "no words: no filter"
