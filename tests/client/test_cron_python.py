"""reqless.cron: zone names turned into offset transitions, and next_fire_times
through the sync and the asyncio client."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis import Redis

from reqless.aio import AsyncClient
from reqless.aio.cron import next_fire_times as async_next_fire_times
from reqless.client import Client
from reqless.cron import fire_times_call, next_fire_times, zone_offsets
from reqless.exceptions import ArgumentError, CoreError
from reqless.server import LocalServer
from tests.helpers import snapshot

BERLIN = ZoneInfo("Europe/Berlin")
Y2026 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A sync client of `server`, on the database `redis` flushed."""
    made = Client(server.url)
    yield made
    made.database.close()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Mars/Olympus_Mons", "timezone 'Mars/Olympus_Mons' is not a known IANA zone name"),
        ("Europe", "timezone 'Europe' is not a known IANA zone name"),
        ("../etc/passwd", "timezone '../etc/passwd' is not a known IANA zone name"),
        ("/usr/share/zoneinfo/UTC", "is not a known IANA zone name"),
        ("", "timezone must be a non-empty IANA zone name, not ''"),
        (None, "timezone must be a non-empty IANA zone name, not None"),
        (3600, "timezone must be a non-empty IANA zone name, not 3600"),
    ],
)
def test_zone_offsets_refuses_a_name_zoneinfo_does_not_know(name: object, problem: str) -> None:
    with pytest.raises(ArgumentError, match="timezone") as info:
        zone_offsets(name, Y2026)  # type: ignore[arg-type]
    assert problem in str(info.value)


@pytest.mark.parametrize("start", [float("nan"), float("inf"), "2026", True])
def test_zone_offsets_refuses_a_start_that_is_not_a_finite_number(start: object) -> None:
    with pytest.raises(ArgumentError, match="start must be a finite number"):
        zone_offsets("UTC", start)  # type: ignore[arg-type]


def test_zone_offsets_lists_each_change_from_a_day_before_start_for_fifty_years() -> None:
    pairs = json.loads(zone_offsets("Europe/Berlin", Y2026))
    assert pairs[0] == [Y2026 - 86400, 3600]
    # 2026-03-29T01:00Z to summer time, 2026-10-25T01:00Z back.
    assert pairs[1:3] == [[1774746000, 7200], [1792890000, 3600]]
    assert len(pairs) == 1 + 2 * 50
    for (at, offset), (following, other) in itertools.pairwise(pairs):
        assert following > at and other != offset
        zone_then = datetime.fromtimestamp(following - 1, BERLIN).utcoffset()
        assert zone_then == timedelta(seconds=offset)
        assert datetime.fromtimestamp(following, BERLIN).utcoffset() == timedelta(seconds=other)
    assert 49 * 365 * 86400 < pairs[-1][0] - Y2026 < 50 * 366 * 86400


def test_zone_offsets_of_a_zone_without_changes_is_one_entry() -> None:
    assert json.loads(zone_offsets("Asia/Kolkata", Y2026)) == [[Y2026 - 86400, 19800]]
    assert json.loads(zone_offsets("UTC", Y2026 + 0.5)) == [[Y2026 - 86400, 0]]


def test_next_fire_times_are_aware_datetimes_in_the_zone(client: Client) -> None:
    after = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    times = next_fire_times(client, "30 2 * * *", timezone="Europe/Berlin", after=after, count=3)
    assert times == [
        datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN),
        datetime(2026, 3, 30, 2, 30, tzinfo=BERLIN),
        datetime(2026, 3, 31, 2, 30, tzinfo=BERLIN),
    ]
    assert all(t.tzinfo == BERLIN for t in times)
    assert [t.utcoffset() for t in times[:2]] == [timedelta(hours=2)] * 2


def test_next_fire_times_takes_seconds_and_defaults_to_utc_five_times_from_now(
    client: Client,
) -> None:
    assert next_fire_times(client, "@daily", after=Y2026, count=1) == [
        datetime(2026, 1, 2, tzinfo=ZoneInfo("UTC"))
    ]
    before = time.time()
    times = next_fire_times(client, "* * * * *")
    assert len(times) == 5 and before < times[0].timestamp() <= time.time() + 60


def test_next_fire_times_refuses_bad_arguments_before_sending(client: Client, redis: Redis) -> None:
    before = snapshot(redis)
    bad = [
        ({"count": 0}, "count must be a whole number from 1 to 100, not 0"),
        ({"count": 101}, "count must be a whole number from 1 to 100"),
        ({"count": True}, "count must be a whole number from 1 to 100"),
        ({"after": datetime(2026, 1, 1)}, "after must be a timezone-aware datetime"),
        ({"after": -1}, "after must be a finite number >= 0"),
        ({"after": 1e12}, "after must be a time before the year 10000"),
        ({"timezone": "Nowhere/Town"}, "timezone 'Nowhere/Town' is not a known"),
    ]
    for kwargs, problem in bad:
        with pytest.raises(ArgumentError, match=problem):
            next_fire_times(client, "* * * * *", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="expression must be a non-empty string"):
        fire_times_call("")
    assert snapshot(redis) == before


def test_a_bad_expression_is_the_servers_refusal_naming_the_field(client: Client) -> None:
    with pytest.raises(CoreError, match='field "hour" value "25" out of range 0-23'):
        next_fire_times(client, "0 25 * * *")


def test_the_asyncio_client_gives_the_same_times(server: LocalServer, client: Client) -> None:
    after = datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN)

    async def scenario() -> list[datetime]:
        async with AsyncClient(server.url) as aclient:
            return await async_next_fire_times(
                aclient, "0 * * * *", timezone="Europe/Berlin", after=after, count=4
            )

    times = asyncio.run(scenario())
    assert times == next_fire_times(
        client, "0 * * * *", timezone="Europe/Berlin", after=after, count=4
    )
    # 02:00 twice: summer time, then winter time (a wildcard hour follows the clock).
    assert [(t.hour, t.utcoffset()) for t in times] == [
        (1, timedelta(hours=2)),
        (2, timedelta(hours=2)),
        (2, timedelta(hours=1)),
        (3, timedelta(hours=1)),
    ]
