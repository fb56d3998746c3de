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


def test_a_row_written_out_gives_every_cell_as_text_and_absent_values_empty():
    """Numbers and absent values go to ``csv.writer`` as they are; what it writes is the
    same text as each value's plain conversion, formulas neutralised."""
    import csv
    import io

    stored = (
        "2026-11-30", 50, "individual-consultation", None, '["=a", "b"]', None,
        0, "=HYPERLINK(1)", "Consultation", "returned", 1, "2026-11-30 10:00:00",
        None, None, None, "-too short", None, 41,
    )  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(_Cells(UTC).row(stored))
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        "2026-11-30", "50", "individual-consultation", "", "'=a;b", "",
        "", "'=HYPERLINK(1)", "Consultation", "returned", "Returned", "yes",
        "2026-11-30T10:00:00+00:00", "", "", "", "'-too short", "", "41",
    ]  # fmt: skip
    plain = (*stored[:6], 3, "a note", *stored[8:10], 0, None, None, None, None, None, 7, 42)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(_Cells(UTC).row(plain))
    written = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert (written[6], written[7], written[11], written[12], written[16:]) == (
        "3", "a note", "no", "", ["", "7", "42"],
    )  # fmt: skip
