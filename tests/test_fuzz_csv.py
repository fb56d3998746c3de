"""The hours CSV import fed hostile files (encodings, BOMs, delimiters, huge fields,
broken quoting, hostile cells): never a server error, all rows or none; and the export
neutralises cells that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.csv_io import IMPORT_COLUMNS, import_csv
from airm_training.hours.models import HoursEntry
from tests.factories import login, make_candidate, make_supervisor
from tests.hostile import (
    SIDE_EFFECTS,
    changed_tables,
    example_savepoint,
    hostile_scalar,
    table_checksums,
)

FORMULAS = ("=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def _row(supervisor_email: str, **overrides) -> dict[str, str]:
    return {
        "session_date": (today() - timedelta(days=2)).isoformat(),
        "duration_minutes": "60",
        "category": "individual-consultation",
        "supervisor_email": supervisor_email,
        "stages": "attachment-awareness",
        "modalities": "CBT",
        "group_size": "",
        "note": "Consultation on pacing",
        **overrides,
    }


def _csv(rows: list[dict], columns=IMPORT_COLUMNS, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@st.composite
def hostile_csv(draw, supervisor_email: str) -> bytes:
    """A CSV file as bytes: good rows with hostile cells, odd headers and delimiters,
    other encodings, raw garbage."""
    rows = [
        {
            column: draw(st.one_of(st.just(value), st.just(value), hostile_scalar))
            for column, value in _row(supervisor_email).items()
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    columns = draw(
        st.sampled_from(
            [
                IMPORT_COLUMNS,
                IMPORT_COLUMNS[:4],
                (*IMPORT_COLUMNS, "status"),
                (*IMPORT_COLUMNS, "note"),
                tuple(reversed(IMPORT_COLUMNS)),
                ("x" * 200_000, *IMPORT_COLUMNS),
            ]
        )
    )
    rows = [{c: row.get(c, "") for c in columns} for row in rows]
    text = _csv(rows, columns, draw(st.sampled_from([",", ",", ";", "\t", "|"])))
    text = draw(
        st.sampled_from(
            [
                text,
                text.replace("\r\n", "\n"),
                text.replace("\r\n", "\r"),
                text + '"unterminated,quote\r\n',
                text + "a,b,c,d,e,f,g,h,i,j,k\r\n",
                text[: len(text) // 2],
            ]
        )
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    raw = text.encode(encoding, errors="replace")
    return draw(
        st.one_of(
            st.just(raw),
            st.just(raw),
            st.binary(max_size=2000),
            st.just(b"\xef\xbb\xbf" * 3 + raw),
            st.just(raw.replace(b",", b"\x00", 1)),
        )
    )


@pytest.fixture
def importer(app):
    supervisor = make_supervisor()
    candidate = make_candidate()
    client = app.test_client()
    login(client, candidate)
    return client, candidate, supervisor


def _hours_of(person) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(HoursEntry).where(HoursEntry.person_id == person.id)
    )


def _upload(client, token: str, raw: bytes, filename: str = "hours.csv"):
    return client.post(
        "/hours/import",
        data={"csrf_token": token, "file": (io.BytesIO(raw), filename)},
        content_type="multipart/form-data",
    )


def test_hostile_csv_files_import_whole_or_not_at_all(app, importer):
    client, candidate, supervisor = importer
    token = client.form_token("/hours/import")

    @given(raw=hostile_csv(supervisor.email), filename=st.sampled_from(["h.csv", "h.CSV", "h"]))
    def upload(raw, filename):
        with example_savepoint(app):
            before, entries_before = table_checksums(), _hours_of(candidate)
            response = _upload(client, token, raw, filename)
            assert response.status_code < 500
            changed = changed_tables(before, table_checksums())
            if response.status_code == 302:  # imported
                assert changed - SIDE_EFFECTS == {"hours_entry", "hours_import", "audit_event"}
                rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
                assert _hours_of(candidate) - entries_before == len(rows)
            else:
                assert changed == set()

    upload()


@pytest.mark.parametrize(
    ("cell", "column"),
    [("\u00b2", "duration_minutes"), ("\u00b9\u00b2", "group_size"), ("x" * 200_000, None)],
    ids=["superscript-minutes", "superscript-group-size", "huge-header-cell"],
)
def test_odd_cells_and_huge_fields_are_problems_not_errors(app, importer, cell, column):
    """Regression: "²" passed str.isdigit() and int() then raised (500); a header cell
    over the csv module's field limit raised outside the error handling."""
    client, candidate, supervisor = importer
    if column:
        text = _csv([_row(supervisor.email, **{column: cell})])
    else:
        text = cell + "," + _csv([_row(supervisor.email)])
    response = _upload(client, client.form_token("/hours/import"), text.encode())
    assert response.status_code == 200
    assert _hours_of(candidate) == 0


def test_a_bom_and_crlf_file_from_a_spreadsheet_imports(app, importer):
    client, candidate, supervisor = importer
    raw = b"\xef\xbb\xbf" + _csv([_row(supervisor.email)] * 2).encode()
    response = _upload(client, client.form_token("/hours/import"), raw)
    assert response.status_code == 302
    assert _hours_of(candidate) == 2


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_export_neutralises_formulas(app, importer, formula):
    client, candidate, supervisor = importer
    import_csv(candidate, _csv([_row(supervisor.email, note=formula + " pacing")]).encode())
    db.session.commit()
    exported = client.get("/hours/export.csv").get_data(as_text=True)
    (row,) = list(csv.DictReader(io.StringIO(exported)))
    assert row["note"].startswith("'")
    assert row["note"][1:].strip() == (formula + " pacing").strip()
    for cell in row.values():
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
