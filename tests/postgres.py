"""Mark tests that need PostgreSQL (row locks with SKIP LOCKED, triggers, row-level security).

They are skipped on SQLite; CI runs on PostgreSQL with REQUIRE_POSTGRES_TESTS=1 and fails if
none of them passed (see tests/conftest.py).
"""

import pytest
from django.db import connection

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def needs_postgres(test):
    """``postgres_only`` for one test of a module whose other tests run everywhere."""
    for mark in postgres_only:
        test = mark(test)
    return test
