"""The export's cells (``csv_io._Cells``), worked out once per distinct value, equal the
plain conversion of each value: timestamps in the centre's zone around every change of
offset, including one in the middle of a UTC hour, lists, the categories' and people's
names by id, and neutralised text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from airm_training.hours.csv_io import _Cells, _in_zone

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
    cells = _Cells(zone, ())
    moments = list(_around_changes(zone))
    assert len(moments) > 500  # the zone changes its offset in 2026
    for moment in moments:
        stored = moment.isoformat(sep=" ")
        assert cells.moments[stored] == _in_zone(moment, zone), stored
        assert cells.moments[stored] == _in_zone(moment, zone)  # the kept cell too


def test_an_hour_that_holds_a_change_of_offset_is_converted_timestamp_by_timestamp():
    zone = ZoneInfo("America/St_Johns")  # 2026-03-08 02:00 local is 05:30 UTC
    cells = _Cells(zone, ())
    before, after = cells.moments["2026-03-08 05:29:59"], cells.moments["2026-03-08 05:30:00"]
    assert before == "2026-03-08T01:59:59-03:30"
    assert after == "2026-03-08T03:00:00-02:30"
    assert cells.hours["2026-03-08 05"] is None


NAMES = (
    ("category", 1, "individual-consultation", "Consultation"),
    ("category", 2, "=cat", "+Named"),
    ("person", 7, "s@example.org", "Sam Supervisor"),
    ("person", 8, "-g@example.org", "=Signer"),
)


def test_empty_timestamps_lists_and_names():
    cells = _Cells(UTC, NAMES)
    assert cells.moments[None] == "" and cells.moments[""] == ""
    assert cells.moments["2026-12-01 18:30:00.123456"] == "2026-12-01T18:30:00+00:00"
    assert cells.lists['["a", "b"]'] == "a;b"
    assert cells.lists["[]"] == "" and cells.lists[None] == ""
    assert cells.lists['["=cmd"]'] == "'=cmd"
    assert (cells.codes[2], cells.category_names[2]) == ("'=cat", "'+Named")
    assert (cells.emails[8], cells.full_names[8]) == ("'-g@example.org", "'=Signer")
    assert cells.emails[None] == "" and cells.full_names[None] == ""
    for value in (0, None):
        assert cells.counts[value] is None
    assert cells.counts[3] == 3


def _written(cells: _Cells, stored: tuple) -> list[str]:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(cells.rows([stored]))
    return next(csv.reader(io.StringIO(buffer.getvalue())))


def test_a_row_written_out_gives_every_cell_as_text_and_absent_values_empty():
    """Numbers and absent values go to ``csv.writer`` as they are; what it writes is the
    same text as each value's plain conversion, formulas neutralised."""
    stored = (
        "2026-11-30", 50, 1, None, '["=a", "b"]', None, 0, "=HYPERLINK(1)", "returned", 1,
        "2026-11-30 10:00:00", None, None, "-too short", None, 41,
    )  # fmt: skip
    assert _written(_Cells(UTC, NAMES), stored) == [
        "2026-11-30", "50", "individual-consultation", "", "'=a;b", "",
        "", "'=HYPERLINK(1)", "Consultation", "returned", "Returned", "yes",
        "2026-11-30T10:00:00+00:00", "", "", "", "'-too short", "", "41",
    ]  # fmt: skip
    plain = (
        "2026-11-29", 30, 2, 7, "[]", '["EMDR"]', 3, "a note", "signed", 0,
        "2026-11-29 09:00:00", 8, "2026-11-29 12:00:00", None, 7, 42,
    )  # fmt: skip
    assert _written(_Cells(UTC, NAMES), plain) == [
        "2026-11-29", "30", "'=cat", "s@example.org", "", "EMDR",
        "3", "a note", "'+Named", "signed", "Signed", "no",
        "2026-11-29T09:00:00+00:00", "'=Signer", "'-g@example.org", "2026-11-29T12:00:00+00:00",
        "", "7", "42",
    ]  # fmt: skip


def test_people_first_seen_in_a_partition_are_named_then_once():
    asked = []

    def people_named(ids):
        asked.append(sorted(ids))
        return [("person", i, f"p{i}@example.org", f"Person {i}") for i in ids]

    cells = _Cells(UTC, NAMES[:2], people_named)

    def entry(supervisor, signer) -> tuple:
        return ("2026-11-29", 30, 1, supervisor, "[]", "[]", 0, None, "signed", 0,
                "2026-11-29 09:00:00", signer, None, None, None, 1)  # fmt: skip

    rows = [list(cells.rows([entry(31, 32), entry(31, None)])), list(cells.rows([entry(31, 33)]))]
    list(cells.rows([entry(33, 32)]))  # everyone already named
    assert asked == [[31, 32], [33]]
    assert rows[0][0][3] == "p31@example.org" and rows[0][1][13:15] == ("", "")
    assert rows[1][0][13:15] == ("Person 33", "p33@example.org")
