"""Hours as CSV: the import template, all-or-nothing import, and export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from airm_training.access.supervision import held_on, supervision_periods
from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.core.csv_upload import ImportRejected, RowProblem, read_rows
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursImport, HoursStatus
from airm_training.hours.notices import notify_hours_submitted
from airm_training.hours.rules import EntryContext, EntryInput, entry_problems, is_late
from airm_training.hours.services import minutes_by_day, oldest_session, stage_codes
from airm_training.people.models import Person
from airm_training.privacy.scan import TextFindings, all_labels, scan_texts
from airm_training.privacy.services import record_confirmation
from airm_training.programme.models import HoursCategory
from airm_training.programme.services import taxonomy

IMPORT_COLUMNS = (
    "session_date",
    "duration_minutes",
    "category",
    "supervisor_email",
    "stages",
    "modalities",
    "group_size",
    "note",
)
REQUIRED_COLUMNS = ("session_date", "duration_minutes", "category", "supervisor_email")
LIST_SEPARATOR = ";"
# Codes and labels each have their own column; timestamps are ISO 8601 in the centre's
# time zone, with its UTC offset.
EXPORT_COLUMNS = (
    *IMPORT_COLUMNS,
    "category_name",
    "status",
    "status_label",
    "late",
    "submitted_at",
    "signed_by",
    "signed_by_email",
    "signed_at",
    "return_reason",
    "amends_entry",
    "entry_id",
)
_FIELD_TO_COLUMN = {
    "session_date": "session_date",
    "minutes": "duration_minutes",
    "category": "category",
    "supervisor": "supervisor_email",
    "stages": "stages",
    "modalities": "modalities",
    "group_size": "group_size",
    "note": "note",
}


def template_csv() -> str:
    example = {
        "session_date": today().isoformat(),
        "duration_minutes": "60",
        "category": "individual-consultation",
        "supervisor_email": "supervisor@example.org",
        "stages": "attachment-awareness;disruption-detachment",
        "modalities": "EMDR;ACT",
        "group_size": "",
        "note": "Consultation on pacing stage 2 (no client-identifying information)",
    }
    return _write([example], IMPORT_COLUMNS)


def _write(rows: list[dict], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _neutralise(value) for key, value in row.items()})
    return buffer.getvalue()


_FORMULA_STARTS = frozenset("=+-@\t\r")


def _neutralise(value) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


EXPORT_CHUNK = 1000  # rows written at a time


def export_rows(person_id: int, filters) -> list[sa.Row]:
    """A person's entries as plain rows for the CSV export, newest session first: one
    query, no ORM objects. Lists and timestamps come as the database's text, turned into
    cells by ``_Cells`` (each distinct value once)."""
    supervisor, signer = aliased(Person), aliased(Person)
    statement = filters.apply(
        sa.select(
            sa.cast(HoursEntry.session_date, sa.Text),
            HoursEntry.minutes,
            HoursCategory.code,
            supervisor.email,
            sa.cast(HoursEntry.stages, sa.Text),
            sa.cast(HoursEntry.modalities, sa.Text),
            HoursEntry.group_size,
            HoursEntry.note,
            HoursCategory.name,
            HoursEntry.status,
            sa.type_coerce(HoursEntry.late, sa.Integer),  # 0 or 1: no conversion per row
            sa.cast(HoursEntry.submitted_at, sa.Text),
            signer.full_name,
            signer.email,
            sa.cast(HoursEntry.signed_at, sa.Text),
            HoursEntry.return_reason,
            HoursEntry.amends_id,
            HoursEntry.id,
        )
        .join(HoursCategory, HoursCategory.id == HoursEntry.category_id)
        .outerjoin(supervisor, supervisor.id == HoursEntry.supervisor_id)
        .outerjoin(signer, signer.id == HoursEntry.signed_by_id)
        .where(HoursEntry.person_id == person_id)
        .order_by(HoursEntry.session_date.desc(), HoursEntry.id.desc())
    )
    return db.session.connection().execute(statement).all()


def export_csv(rows: list[sa.Row]) -> Iterator[str]:
    """The export's CSV text (``EXPORT_COLUMNS``) in chunks of ``EXPORT_CHUNK`` rows, for
    a streamed response. The centre's time zone is read now: the chunks are written after
    the request's context has gone."""
    zone = current_app.config.get("TIMEZONE")
    return _export_chunks(rows, _Cells(ZoneInfo(zone) if zone else UTC))


def _export_chunks(rows: list[sa.Row], cells: _Cells) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for start in range(0, len(rows), EXPORT_CHUNK):
        writer.writerows(cells.row(row) for row in rows[start : start + EXPORT_CHUNK])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


_STATUS_LABELS = {status.value: status.label for status in HoursStatus}


class _Cells:
    """The cells of one export. Names, codes, lists, days and timestamps repeat from row
    to row (entries submitted or signed together share their moment), so each distinct
    one is written once; a timestamp's offset is worked out once per hour of the day (per
    timestamp in an hour that holds a change of offset)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.texts: dict = {}
        self.lists: dict[str | None, str] = {}
        self.moments: dict[str | None, str] = {None: "", "": ""}
        self.hours: dict[str, tuple | None] = {}

    def text(self, value) -> str:
        cell = self.texts.get(value)
        if cell is None:
            cell = self.texts[value] = _neutralise(value)
        return cell

    def joined(self, stored: str | None) -> str:
        """A stored JSON list as ``a;b``."""
        cell = self.lists.get(stored)
        if cell is None:
            items = json.loads(stored) if stored else None
            cell = self.lists[stored] = _neutralise(LIST_SEPARATOR.join(items or []))
        return cell

    def moment(self, stored: str | None) -> str:
        cell = self.moments.get(stored)
        if cell is None:
            cell = self.moments[stored] = self._moment(stored)
        return cell

    def _moment(self, stored: str) -> str:
        """A stored (naive UTC) timestamp as ISO 8601 time in the zone, with its offset."""
        moment = datetime.fromisoformat(stored)
        hour = stored[:13]
        if hour not in self.hours:
            self.hours[hour] = self._hour(moment)
        known = self.hours[hour]
        if known is None:  # the offset changes within this hour
            return _in_zone(moment, self.zone)
        offset, suffix = known
        return (moment + offset).isoformat(timespec="seconds") + suffix

    def _hour(self, moment: datetime) -> tuple | None:
        start = moment.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
        first = start.astimezone(self.zone)
        last = (start + timedelta(minutes=59, seconds=59)).astimezone(self.zone)
        if first.utcoffset() != last.utcoffset():
            return None
        return first.utcoffset(), first.isoformat(timespec="seconds")[19:]

    def row(self, row) -> list:
        """One entry's cells. Numbers stay numbers and absent ones None: ``csv.writer``
        writes them (None as an empty cell) faster than they are turned into text here."""
        day, minutes, category, supervisor, stages, modalities, group_size, note = row[:8]
        category_name, status, late, submitted_at, signed_by, signed_by_email = row[8:14]
        signed_at, return_reason, amends_id, entry_id = row[14:]
        texts, lists, moments = self.texts, self.lists, self.moments
        return [
            day,  # the database's ISO text of the date
            minutes,
            texts.get(category) or self.text(category),
            texts.get(supervisor) or self.text(supervisor),
            lists.get(stages) or self.joined(stages),
            lists.get(modalities) or self.joined(modalities),
            group_size or None,
            _neutralise(note) if note else None,
            texts.get(category_name) or self.text(category_name),
            status,
            _STATUS_LABELS[status],
            "yes" if late else "no",
            moments.get(submitted_at) or self.moment(submitted_at),
            texts.get(signed_by) or self.text(signed_by),
            texts.get(signed_by_email) or self.text(signed_by_email),
            moments.get(signed_at) or self.moment(signed_at),
            _neutralise(return_reason) if return_reason else None,
            amends_id,
            entry_id,
        ]


def _in_zone(moment: datetime | None, zone: tzinfo) -> str:
    """A stored (naive UTC) timestamp as ISO 8601 time in ``zone`` with its offset."""
    return (
        moment.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds") if moment else ""
    )


# --- import ------------------------------------------------------------------------------
def import_csv(
    person: Person, raw: bytes, *, filename: str = "", confirmed_private: bool = False
) -> HoursImport:
    """Validate every row, then submit all of them for sign-off, or none. Notes that may
    identify a client stop the import unless ``confirmed_private`` (then audited)."""
    checksum = hashlib.sha256(raw).hexdigest()
    limit = current_app.config["HOURS_CSV_MAX_ROWS"]
    rows = read_rows(
        raw,
        columns=IMPORT_COLUMNS,
        required=REQUIRED_COLUMNS,
        limit=limit,
        too_many=f"Import at most {limit:,} rows at a time.",
    )
    previous = db.session.scalar(
        sa.select(HoursImport).where(
            HoursImport.person_id == person.id, HoursImport.checksum == checksum
        )
    )
    if previous is not None:
        raise ImportRejected(
            [
                RowProblem(
                    None,
                    None,
                    f"This file was already imported on {previous.imported_at:%Y-%m-%d %H:%M} UTC.",
                )
            ]
        )
    inputs, problems = _parse_rows(rows, person)
    flagged = _flagged_notes(rows)
    if flagged and not confirmed_private:
        problems = sorted([*problems, *_privacy_problems(flagged)], key=lambda p: p.row or 0)
    if problems:
        raise ImportRejected(problems, flagged)
    batch = HoursImport(
        person_id=person.id, checksum=checksum, filename=filename[:255], row_count=len(inputs)
    )
    db.session.add(batch)
    db.session.flush()
    _insert(person, inputs, batch)
    record_event(
        "hours.imported",
        "hours_import",
        batch.id,
        actor_id=person.id,
        after={"rows": len(inputs), "checksum": checksum, "filename": batch.filename},
    )
    record_confirmation(flagged, "hours_import", batch.id, actor_id=person.id)
    notify_hours_submitted(person, [data.supervisor_id for data in inputs])
    return batch


def _flagged_notes(rows: list[dict[str, str]]) -> list[TextFindings]:
    notes = {str(line): (f"Row {line}", row.get("note")) for line, row in enumerate(rows, 2)}
    return scan_texts(notes)


def _privacy_problems(flagged: list[TextFindings]) -> list[RowProblem]:
    return [
        RowProblem(
            int(part.name),
            "note",
            f"The note may identify a client ({', '.join(all_labels([part]))}). Edit it, or "
            "tick the confirmation and upload the file again.",
        )
        for part in flagged
    ]


def _parse_rows(rows: list[dict[str, str]], person: Person):
    categories = {c.code: c for c in db.session.scalars(sa.select(HoursCategory))}
    emails = {(row.get("supervisor_email") or "").strip().lower() for row in rows} - {""}
    supervisors = (
        {p.email: p for p in db.session.scalars(sa.select(Person).where(Person.email.in_(emails)))}
        if emails
        else {}
    )
    periods = supervision_periods({p.id for p in supervisors.values()})
    day = today()
    stages, modalities, oldest = stage_codes(), taxonomy().modalities, oldest_session(day)
    problems: list[RowProblem] = []
    parsed: list[tuple[int, EntryInput]] = []
    for line, row in enumerate(rows, start=2):
        data, row_problems = _parse_row(row, line, supervisors)
        problems += row_problems
        if data is not None:
            parsed.append((line, data))
    logged = minutes_by_day(person.id, {data.session_date for _, data in parsed})
    in_file: dict[date, int] = defaultdict(int)
    inputs = []
    for line, data in parsed:
        sup_periods = periods.get(data.supervisor_id, []) if data.supervisor_id else []
        ctx = EntryContext(
            person_id=person.id,
            today=day,
            category=categories.get(data.category_code),
            supervisor_held_on_session_date=held_on(sup_periods, data.session_date),
            supervisor_held_today=held_on(sup_periods, day),
            other_minutes_that_day=logged.get(data.session_date, 0) + in_file[data.session_date],
            stage_codes=stages,
            modality_names=modalities,
            oldest_session=oldest,
        )
        for field, reason in entry_problems(data, ctx, submitting=True):
            problems.append(RowProblem(line, _FIELD_TO_COLUMN.get(field, field), reason))
        in_file[data.session_date] += max(data.minutes, 0)
        inputs.append(data)
    problems.sort(key=lambda p: p.row or 0)
    return inputs, problems


def _parse_row(row: dict[str, str], line: int, supervisors: dict[str, Person]):
    if None in row:  # more cells than columns
        return None, [RowProblem(line, None, "This row has more cells than the header.")]
    value = {key: (row.get(key) or "").strip() for key in IMPORT_COLUMNS}
    problems = []
    try:
        session_date = date.fromisoformat(value["session_date"])
    except ValueError:
        problems.append(RowProblem(line, "session_date", "Write the date as YYYY-MM-DD."))
        session_date = None
    minutes = _int(value["duration_minutes"])
    if minutes is None:
        problems.append(
            RowProblem(line, "duration_minutes", "Write the duration in whole minutes.")
        )
    group_size = _int(value["group_size"]) if value["group_size"] else None
    if value["group_size"] and group_size is None:
        problems.append(RowProblem(line, "group_size", "Write the group size as a whole number."))
    supervisor = None
    if value["supervisor_email"]:
        supervisor = supervisors.get(value["supervisor_email"].lower())
        if supervisor is None:
            problems.append(
                RowProblem(line, "supervisor_email", "No supervisor has this e-mail address.")
            )
    if problems:
        return None, problems
    return EntryInput(
        session_date=session_date,
        minutes=minutes,
        category_code=value["category"],
        supervisor_id=supervisor.id if supervisor else None,
        stages=_list(value["stages"]),
        modalities=_list(value["modalities"]),
        group_size=group_size,
        note=value["note"],
    ), []


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def _insert(person: Person, inputs: list[EntryInput], batch: HoursImport) -> None:
    categories = {c.code: c.id for c in db.session.scalars(sa.select(HoursCategory))}
    now = utcnow()
    day = today()
    window = current_app.config["LATE_ENTRY_DAYS"]
    db.session.execute(
        sa.insert(HoursEntry),
        [
            {
                "person_id": person.id,
                "session_date": data.session_date,
                "minutes": data.minutes,
                "category_id": categories[data.category_code],
                "supervisor_id": data.supervisor_id,
                "stages": sorted(set(data.stages)),
                "modalities": sorted(set(data.modalities)),
                "group_size": data.group_size,
                "note": data.note,
                "status": HoursStatus.SUBMITTED.value,
                "late": is_late(data.session_date, day, window),
                "import_id": batch.id,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for data in inputs
        ],
    )
