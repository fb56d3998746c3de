"""The export's cells (``csv_io._Cells``), worked out once per distinct value, equal the
plain conversion of each value: timestamps in the centre's zone around every change of
offset, including one in the middle of a UTC hour, lists and neutralised text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from airm_training.hours.csv_io import _Cells, _in_zone, _neutralise

ZONES = ("America/Los_Angeles", "America/St_Johns", "Australia/Lord_Howe", "Europe/London")


def _around_changes(zone: ZoneInfo, year: int = 2026):
    """Stored timestamps every 7 minutes and 13 seconds over the two days around each
    change of the zone's offset in ``year``."""
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        later = moment + timedelta(hours=6)
        if moment.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            step = moment - timedelta(days=1)
            while step < later + timedelta(days=1):
                yield step.replace(tzinfo=None)
                step += timedelta(minutes=7, seconds=13, microseconds=1234)
        moment = later


@pytest.mark.parametrize("name", ZONES)
def test_timestamps_equal_their_plain_conversion_around_each_change_of_offset(name):
    zone = ZoneInfo(name)
    cells = _Cells(zone)
    moments = list(_around_changes(zone))
    assert len(moments) > 500  # the zone changes its offset in 2026
    for moment in moments:
        stored = moment.isoformat(sep=" ")
        assert cells.moment(stored) == _in_zone(moment, zone), stored
        assert cells.moment(stored) == _in_zone(moment, zone)  # the kept cell too


def test_an_hour_that_holds_a_change_of_offset_is_converted_timestamp_by_timestamp():
    zone = ZoneInfo("America/St_Johns")  # 2026-03-08 02:00 local is 05:30 UTC
    cells = _Cells(zone)
    before, after = cells.moment("2026-03-08 05:29:59"), cells.moment("2026-03-08 05:30:00")
    assert before == "2026-03-08T01:59:59-03:30"
    assert after == "2026-03-08T03:00:00-02:30"
    assert cells.hours["2026-03-08 05"] is None


def test_empty_timestamps_lists_and_text():
    cells = _Cells(UTC)
    assert cells.moment(None) == "" and cells.moment("") == ""
    assert cells.moment("2026-12-01 18:30:00.123456") == "2026-12-01T18:30:00+00:00"
    assert cells.joined('["a", "b"]') == "a;b"
    assert cells.joined("[]") == "" and cells.joined(None) == ""
    assert cells.joined('["=cmd"]') == "'=cmd"
    for value in ("=1+1", "+x", "-y", "@z", "plain", None):
        assert cells.text(value) == _neutralise(value)
        assert cells.text(value) == _neutralise(value)
