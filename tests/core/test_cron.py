"""cron.next: cron expressions parsed and their fire times computed inside the core.

The reference is cronsim (a test dependency only): random expressions, starts and
zones must give the same 20 fire times, and every DST rule of docs/cron.md is
checked in two or more zones, against cronsim too.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reqless.cron import zone_offsets
from tests.helpers import Core

# 2026-01-01T00:00:00Z, and the end of 2028.
Y2026, Y2029 = 1767225600, 1861920000
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@functools.cache
def _zone(name: str) -> str:
    # Transitions from the start of 2026 hold for every later start (50 years).
    return zone_offsets(name, Y2026)


def _next(
    core: Core, expression: str, after: float, zone: str = "UTC", count: int = 20
) -> list[int]:
    times: list[int] = core.json("cron.next", 0, expression, count, after, _zone(zone))
    return times


def _local(times: list[int], zone: str) -> list[str]:
    return [datetime.fromtimestamp(t, ZoneInfo(zone)).isoformat() for t in times]


def _at(text: str, zone: str = "UTC") -> int:
    """UTC seconds of an ISO time, read in `zone` unless it has an offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return int(moment.timestamp())


def _reference(expression: str, after: int, zone: str, count: int = 20) -> list[int]:
    """cronsim's fire times after `after`. Started inside the second run of a
    repeated hour, cronsim 2.9 hands back a fixed time of the first run, which is
    before its start; reqless never goes back (docs/cron.md), so those are dropped."""
    found = CronSim(expression, datetime.fromtimestamp(after, ZoneInfo(zone)))
    times = [int(next(found).timestamp()) for _ in range(count)]
    return [t for t in times if t > after]


def _agrees(core: Core, expression: str, after: int, zone: str) -> list[str]:
    """Our fire times after `after` (checked against cronsim's), as local times."""
    ours = _next(core, expression, after, zone)
    reference = _reference(expression, after, zone)
    assert ours[: len(reference)] == reference
    return _local(ours, zone)


# -- syntax -------------------------------------------------------------------

SYNTAX = [
    ("* * * * *", "2026-01-01T00:00:30", ["00:01", "00:02", "00:03"]),
    ("*/20 * * * *", "2026-01-01T00:00", ["00:20", "00:40", "01:00"]),
    ("5/20 * * * *", "2026-01-01T00:00", ["00:05", "00:25", "00:45"]),
    ("10-20/5 3 * * *", "2026-01-01T00:00", ["03:10", "03:15", "03:20"]),
    ("0,30 9-10 * * *", "2026-01-01T00:00", ["09:00", "09:30", "10:00"]),
    ("0 12 * * mon-WED", "2026-01-01T00:00", ["01-05T12:00", "01-06T12:00", "01-07T12:00"]),
    ("0 12 * * 7", "2026-01-01T00:00", ["01-04T12:00", "01-11T12:00", "01-18T12:00"]),
    ("0 12 * * 5-7", "2026-01-05T00:00", ["01-09T12:00", "01-10T12:00", "01-11T12:00"]),
    ("0 0 1 Feb,dec *", "2026-01-01T00:00", ["02-01T00:00", "12-01T00:00", "2027-02-01"]),
    ("0 0 29 2 *", "2026-01-01T00:00", ["2028-02-29", "2032-02-29", "2036-02-29"]),
    # Both day fields restricted: either matches (the 13th, and every Friday).
    ("0 0 13 * 5", "2026-02-01T00:00", ["02-06T00:00", "02-13T00:00", "02-20T00:00"]),
    # Day-of-month starting with `*`: both must match (odd days that are Mondays).
    ("0 0 */2 * 1", "2026-06-01T00:00", ["06-15T00:00", "06-29T00:00", "07-13T00:00"]),
    ("@hourly", "2026-01-01T00:00", ["01:00", "02:00", "03:00"]),
    ("@daily", "2026-01-01T00:00", ["01-02T00:00", "01-03T00:00", "01-04T00:00"]),
    ("@midnight", "2026-01-01T00:00", ["01-02T00:00", "01-03T00:00", "01-04T00:00"]),
    ("@weekly", "2026-01-01T00:00", ["01-04T00:00", "01-11T00:00", "01-18T00:00"]),
    ("@monthly", "2026-01-01T00:00", ["02-01T00:00", "03-01T00:00", "04-01T00:00"]),
    ("@yearly", "2026-01-01T00:00", ["2027-01-01", "2028-01-01", "2029-01-01"]),
    (" @Annually ", "2026-01-01T00:00", ["2027-01-01", "2028-01-01", "2029-01-01"]),
]


@pytest.mark.parametrize(("expression", "after", "shown"), SYNTAX)
def test_every_syntax_form_fires_when_it_says(
    core: Core, expression: str, after: str, shown: list[str]
) -> None:
    times = _local(_next(core, expression, _at(after), count=3), "UTC")
    assert all(part in time for part, time in zip(shown, times, strict=True)), times
    if not expression.strip().startswith("@"):
        assert times == _local(_reference(expression, _at(after), "UTC", 3), "UTC")


def test_the_next_time_is_strictly_after_and_fractions_round_up(core: Core) -> None:
    on_the_minute = _at("2026-01-01T10:00")
    assert _next(core, "* * * * *", on_the_minute, count=2) == [
        on_the_minute + 60,
        on_the_minute + 120,
    ]
    assert _next(core, "* * * * *", on_the_minute - 0.5, count=1) == [on_the_minute]


def test_no_zone_is_utc(core: Core) -> None:
    after = _at("2026-01-01T00:00")
    assert core.json("cron.next", 0, "0 9 * * *", 2, after) == _next(
        core, "0 9 * * *", after, count=2
    )
    assert core.json("cron.next", 0, "0 9 * * *", 1, after, "[[0,0]]") == [after + 9 * 3600]


BAD_EXPRESSIONS = [
    ("0 25 * * *", 'Cron(): field "hour" value "25" out of range 0-23 in "0 25 * * *"'),
    ("60 * * * *", 'field "minute" value "60" out of range 0-59'),
    ("0 0 0 * *", 'field "day-of-month" value "0" out of range 1-31'),
    ("0 0 * 13 *", 'field "month" value "13" out of range 1-12'),
    ("0 0 * * 8", 'field "day-of-week" value "8" out of range 0-7'),
    ("x * * * *", 'field "minute" value "x" is not a number in "x * * * *"'),
    ("-1 * * * *", 'field "minute" range "-1" is not a-b'),
    ("0x1 * * * *", 'field "minute" value "0x1" is not a number'),
    ("0 0 * * jan", 'field "day-of-week" value "jan" is not a number'),
    ("0 0 * mon *", 'field "month" value "mon" is not a number'),
    ("5-2 * * * *", 'field "minute" range "5-2" runs backwards'),
    ("0 0 * * sat-sun", 'field "day-of-week" range "sat-sun" runs backwards'),
    ("1-2-3 * * * *", 'field "minute" range "1-2-3" is not a-b'),
    ("*/0 * * * *", 'field "minute" step "0" is not a whole number of at least 1'),
    ("*/x * * * *", 'field "minute" step "x" is not a whole number of at least 1'),
    ("1,,2 * * * *", 'field "minute" has an empty list item in "1,,2 * * * *"'),
    ("0 0 * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
    ("0 0 * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6"),
    ("   ", "Cron(): the expression is empty"),
    ("@reboot", 'Cron(): unknown macro "@reboot"'),
    ("0 0 30 2 *", 'Cron(): "0 0 30 2 *" never fires (no date matches its day and month fields)'),
    ("0 0 31 4,6,9,11 *", '"0 0 31 4,6,9,11 *" never fires'),
]


@pytest.mark.parametrize(("expression", "message"), BAD_EXPRESSIONS)
def test_a_bad_expression_is_refused_naming_the_field_and_changes_nothing(
    core: Core, expression: str, message: str
) -> None:
    core.fails("cron.next", 0, expression, 1, 0, match=message)


BAD_ARGUMENTS: list[tuple[tuple[str | int | float, ...], str]] = [
    ((), 'Cron(): Arg "expression" missing'),
    (("* * * * *",), 'Cron(): Arg "count" must be a whole number from 1 to 100: nil'),
    (("* * * * *", 0, 0), 'Arg "count" must be a whole number from 1 to 100: 0'),
    (("* * * * *", 101, 0), 'Arg "count" must be a whole number from 1 to 100: 101'),
    (("* * * * *", 1.5, 0), 'Arg "count" must be a whole number from 1 to 100: 1.5'),
    (("* * * * *", "x", 0), 'Arg "count" must be a whole number from 1 to 100: x'),
    (("* * * * *", 1), 'Cron(): Arg "after" must be a time from 0 to 253402300799: nil'),
    (("* * * * *", 1, "soon"), 'Arg "after" must be a time from 0 to 253402300799: soon'),
    (("* * * * *", 1, -1), 'Arg "after" must be a time from 0 to 253402300799: -1'),
    (("* * * * *", 1, "inf"), 'Arg "after" must be a time from 0 to 253402300799: inf'),
    (("* * * * *", 1, 1e12), 'Arg "after" must be a time from 0 to 253402300799: 1'),
    (("* * * * *", 1, 0, "nope"), 'Cron(): Arg "zone" is not a non-empty JSON array'),
    (("* * * * *", 1, 0, "[]"), 'Arg "zone" is not a non-empty JSON array of [utc_seconds'),
    (("* * * * *", 1, 0, '{"a":1}'), 'Arg "zone" is not a non-empty JSON array'),
    (("* * * * *", 1, 0, "[[0,0],5]"), 'Arg "zone" entry 2 is not a pair of whole numbers'),
    (("* * * * *", 1, 0, "[[0,0,0]]"), 'Arg "zone" entry 1 is not a pair of whole numbers'),
    (("* * * * *", 1, 0, '[[0,"0"]]'), 'Arg "zone" entry 1 is not a pair of whole numbers'),
    (("* * * * *", 1, 0, "[[0,0.5]]"), 'Arg "zone" entry 1 is not a pair of whole numbers'),
    (("* * * * *", 1, 0, "[[1e999,0]]"), 'Arg "zone" entry 1 is not a pair of whole numbers'),
    (("* * * * *", 1, 0, "[[0,86400]]"), 'Arg "zone" entry 1 has an offset beyond a day'),
    (("* * * * *", 1, 0, "[[5,0],[5,3600]]"), 'Arg "zone" entry 2 is not after entry 1'),
]


@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_a_bad_argument_is_refused_naming_it_and_changes_nothing(
    core: Core, args: tuple[str | int | float, ...], message: str
) -> None:
    core.fails("cron.next", 0, *args, match=message)


def test_the_zone_error_shows_the_argument(core: Core) -> None:
    error = core.fails("cron.next", 0, "* * * * *", 1, 0, "[[9,0],[3,0]]", match="entry 2")
    assert "[[9,0],[3,0]]" in str(error)


def test_a_hundred_times_come_back_in_order(core: Core) -> None:
    times = _next(core, "*/7 * * * *", Y2026, count=100)
    assert len(times) == 100 and times == sorted(set(times)) and times[0] > Y2026


def test_a_time_before_the_zone_list_uses_its_first_offset(core: Core) -> None:
    assert core.json("cron.next", 0, "0 9 * * *", 1, 0, "[[86400,3600]]") == [8 * 3600]


def test_a_leap_day_a_century_on_skips_the_year_2100(core: Core) -> None:
    after = _at("2096-03-01T00:00")
    assert _local(_next(core, "0 0 29 2 *", after, count=1), "UTC") == ["2104-02-29T00:00:00+00:00"]


# -- daylight saving (docs/cron.md) ------------------------------------------------------
# Spring forward: Berlin 2026-03-29 02:00 -> 03:00, New York 2026-03-08 02:00 -> 03:00,
# Sydney 2026-10-04 02:00 -> 03:00. Fall back: Berlin 2026-10-25 03:00 -> 02:00, New
# York 2026-11-01 02:00 -> 01:00, Sydney 2026-04-05 03:00 -> 02:00.
SPRING = {
    "Europe/Berlin": ("2026-03-29", "02"),
    "America/New_York": ("2026-03-08", "02"),
    "Australia/Sydney": ("2026-10-04", "02"),
}
FALL = {
    "Europe/Berlin": ("2026-10-25", "02", "+02:00", "+01:00"),
    "America/New_York": ("2026-11-01", "01", "-04:00", "-05:00"),
    "Australia/Sydney": ("2026-04-05", "02", "+11:00", "+10:00"),
}


@pytest.mark.parametrize("zone", sorted(SPRING))
def test_spring_forward_a_fixed_time_that_does_not_exist_fires_once_at_the_change(
    core: Core, zone: str
) -> None:
    day, hour = SPRING[zone]
    after = _at(f"{day}T00:00", zone)
    times = _agrees(core, f"30 {hour} * * *", after, zone)
    assert times[0] == f"{day}T03:00:00{times[0][-6:]}"
    assert times[1].startswith(f"{day[:-2]}{int(day[-2:]) + 1:02d}T{hour}:30")
    # Two fixed times in the missing hour and one at its end: one run at 03:00.
    both = _agrees(core, f"0,30 {hour},3 * * *", after, zone)
    assert [t[11:16] for t in both[:3]] == ["03:00", "03:30", f"{hour}:00"]


@pytest.mark.parametrize("zone", sorted(SPRING))
def test_spring_forward_a_wildcard_hour_or_minute_skips_the_missing_times(
    core: Core, zone: str
) -> None:
    day, hour = SPRING[zone]
    after = _at(f"{day}T01:00", zone)
    assert [t[11:16] for t in _agrees(core, "*/30 * * * *", after, zone)[:3]] == [
        "01:30",
        "03:00",
        "03:30",
    ]
    assert [t[11:16] for t in _agrees(core, "15 * * * *", after, zone)[:2]] == ["01:15", "03:15"]
    # A wildcard minute in the missing hour: nothing that day.
    assert not _agrees(core, f"*/15 {hour} * * *", after, zone)[0].startswith(day)


@pytest.mark.parametrize("zone", sorted(FALL))
def test_fall_back_a_fixed_time_fires_in_the_first_run_of_the_hour_only(
    core: Core, zone: str
) -> None:
    day, hour, summer, winter = FALL[zone]
    after = _at(f"{day}T00:00", zone)
    times = _agrees(core, f"30 {hour} * * *", after, zone)
    assert times[:2] == [
        f"{day}T{hour}:30:00{summer}",
        f"{day[:-2]}{int(day[-2:]) + 1:02d}T{hour}:30:00{winter}",
    ]
    # `0-59/30` is a fixed minute list, though it covers the whole hour.
    assert _agrees(core, f"0-59/30 {hour} * * *", after, zone)[:3] == [
        f"{day}T{hour}:00:00{summer}",
        f"{day}T{hour}:30:00{summer}",
        f"{day[:-2]}{int(day[-2:]) + 1:02d}T{hour}:00:00{winter}",
    ]


@pytest.mark.parametrize("zone", sorted(FALL))
def test_fall_back_a_wildcard_hour_or_minute_fires_in_both_runs(core: Core, zone: str) -> None:
    day, hour, summer, winter = FALL[zone]
    after = _at(f"{day}T00:30", zone)
    hourly = _agrees(core, "0 * * * *", after, zone)
    assert f"{day}T{hour}:00:00{summer}" in hourly and f"{day}T{hour}:00:00{winter}" in hourly
    assert len(hourly) == len(set(hourly))
    halves = _agrees(core, f"*/30 {hour} * * *", after, zone)
    assert halves[:4] == [
        f"{day}T{hour}:00:00{summer}",
        f"{day}T{hour}:30:00{summer}",
        f"{day}T{hour}:00:00{winter}",
        f"{day}T{hour}:30:00{winter}",
    ]


def test_fall_back_started_in_the_second_run_a_fixed_time_waits_for_the_next_day(
    core: Core,
) -> None:
    # 02:22 in the second run (+01:00): 02:30's one run (+02:00) is already past.
    after = _at("2027-10-31T01:22:10", "UTC")
    times = _local(_next(core, "30 1-3 * * 0,6", after, "Europe/Berlin", 2), "Europe/Berlin")
    assert times == ["2027-10-31T03:30:00+01:00", "2027-11-06T01:30:00+01:00"]
    assert _reference("30 1-3 * * 0,6", after, "Europe/Berlin")[0] == _at(times[0])


def test_a_zone_without_daylight_saving_keeps_its_half_hour_offset(core: Core) -> None:
    times = _agrees(core, "0 9 * * *", _at("2026-03-01T00:00", "Asia/Kolkata"), "Asia/Kolkata")
    assert all(t.endswith("T09:00:00+05:30") for t in times)


# -- against the reference -----------------------------------------------------


def _field(low: int, high: int) -> st.SearchStrategy[str]:
    value = st.integers(low, high)
    step = st.integers(1, high - low + 1)
    ranged = st.tuples(value, value).map(sorted)
    item = st.one_of(
        value.map(str),
        ranged.map(lambda r: f"{r[0]}-{r[1]}"),
        st.tuples(ranged, step).map(lambda rs: f"{rs[0][0]}-{rs[0][1]}/{rs[1]}"),
    )
    return st.one_of(
        st.just("*"),
        step.map(lambda n: f"*/{n}"),
        st.lists(item, min_size=1, max_size=3).map(",".join),
    )


EXPRESSIONS = st.tuples(
    _field(0, 59), _field(0, 23), _field(1, 31), _field(1, 12), _field(0, 7)
).map(" ".join)


def _fires(expression: str) -> bool:
    try:
        CronSim(expression, datetime(2026, 1, 1))
    except ValueError:  # CronSimError: a day that never comes (31 February)
        return False
    return True


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(
    expression=EXPRESSIONS.filter(_fires),
    after=st.integers(Y2026, Y2029),
    zone=st.sampled_from(ZONES),
)
def test_fire_times_agree_with_cronsim(core: Core, expression: str, after: int, zone: str) -> None:
    ours = _next(core, expression, after, zone)
    reference = _reference(expression, after, zone)
    assert len(reference) >= 19
    assert ours[: len(reference)] == reference, (_local(ours, zone), _local(reference, zone))
