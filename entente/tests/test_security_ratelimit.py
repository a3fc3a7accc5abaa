"""The API rate limit counted in the database cache, as in production (settings.CACHES);
test_security_server.py shows two servers sharing it."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

import entente.settings as production
from entente.core.models import CacheEntry

# 30 seconds into a minute: the window cannot turn during a test.
START = dt.datetime(2026, 3, 2, 8, 0, 30, tzinfo=dt.UTC)
ME = "/api/v1/me"


@pytest.fixture
def database_cache(settings, db):
    settings.CACHES = production.CACHES
    settings.API_RATE_LIMIT = 3
    with time_machine.travel(START, tick=False) as clock:
        yield clock
    cache.clear()


def test_the_production_cache_is_the_database():
    assert production.CACHES["default"]["BACKEND"] == (
        "django.core.cache.backends.db.DatabaseCache"
    )
    assert production.CACHES["default"]["LOCATION"] == CacheEntry._meta.db_table


def test_rate_limit_counts_in_the_database(client, database_cache):
    assert [client.get(ME).status_code for _ in range(4)] == [401, 401, 401, 429]
    response = client.get(ME)
    assert (response.status_code, response["Retry-After"]) == (429, "30")
    # One counter, in the table every server process reads.
    assert [entry.cache_key for entry in CacheEntry.objects.all()] == [
        f":1:entente:api-rate:addr:127.0.0.1:{int(START.timestamp()) // 60}"
    ]


def test_next_minute_starts_a_new_budget(client, database_cache):
    assert [client.get(ME).status_code for _ in range(4)] == [401, 401, 401, 429]
    database_cache.shift(dt.timedelta(seconds=30))
    assert [client.get(ME).status_code for _ in range(4)] == [401, 401, 401, 429]


def test_each_identity_has_its_own_budget(client, cast, database_cache):
    assert [client.get(ME).status_code for _ in range(4)] == [401, 401, 401, 429]
    client.force_login(cast.a_reader)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]
