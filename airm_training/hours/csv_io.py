"""Hours as CSV: the import template, all-or-nothing import, and export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

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


EXPORT_CHUNK = 250  # rows fetched and written at a time (faster here than 1,000 or 5,000)
_STATUS_LABELS = {status.value: status.label for status in HoursStatus}
_YES_NO = ("no", "yes")  # late: 0 or 1


def export_query(person_id: int, filters) -> sa.Select:
    """A person's entries for the CSV export, newest session first, as plain rows of the
    entries' own columns: their categories and people by id (named by ``_Cells``), lists
    and timestamps as the database's text (each distinct one turned into its cell once)."""
    return filters.apply(
        sa.select(
            sa.cast(HoursEntry.session_date, sa.Text),
            HoursEntry.minutes,
            HoursEntry.category_id,
            HoursEntry.supervisor_id,
            sa.cast(HoursEntry.stages, sa.Text),
            sa.cast(HoursEntry.modalities, sa.Text),
            HoursEntry.group_size,
            HoursEntry.note,
            HoursEntry.status,
            sa.type_coerce(HoursEntry.late, sa.Integer),  # 0 or 1: no conversion per row
            sa.cast(HoursEntry.submitted_at, sa.Text),
            HoursEntry.signed_by_id,
            sa.cast(HoursEntry.signed_at, sa.Text),
            HoursEntry.return_reason,
            HoursEntry.amends_id,
            HoursEntry.id,
        )
        .where(HoursEntry.person_id == person_id)
        .order_by(HoursEntry.session_date.desc(), HoursEntry.id.desc())
    )


def export_csv(query: sa.Select) -> Iterator[str]:
    """The export's CSV text (``EXPORT_COLUMNS``), a chunk per ``EXPORT_CHUNK`` rows. The
    query is run when the first chunk is asked for, in the session of the context the
    chunks are read in (a streamed response's, once the view has returned), and its rows
    are fetched a partition at a time as they are written (through a server-side cursor
    where the database has one), so that a long export never holds all its rows."""
    zone = current_app.config.get("TIMEZONE")
    return _export_chunks(query, ZoneInfo(zone) if zone else UTC)


def _export_chunks(query: sa.Select, zone: tzinfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    cells = _Cells(zone, db.session.execute(_CATEGORY_NAMES), _people_named)
    rows = db.session.connection().execute(query, execution_options={"yield_per": EXPORT_CHUNK})
    for partition in rows.partitions(EXPORT_CHUNK):
        writer.writerows(cells.rows(partition))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


_CATEGORY, _PERSON = "category", "person"
# Every hours category's code and name, tagged (a handful of rows).
_CATEGORY_NAMES = sa.select(
    sa.literal(_CATEGORY), HoursCategory.id, HoursCategory.code, HoursCategory.name
)


def _people_named(ids: set[int]) -> sa.Result:
    """The e-mail and name of each of the people ``ids``, tagged: the supervisors and
    signers of an export's rows, asked for as they first appear (a person has few)."""
    return db.session.execute(
        sa.select(sa.literal(_PERSON), Person.id, Person.email, Person.full_name).where(
            Person.id.in_(sorted(ids))
        )
    )


class _Kept(dict):
    """Cells by value, each made once (by ``make``) the first time its value is looked up;
    looking up one already made runs no Python."""

    def __init__(self, make, known: dict | None = None) -> None:
        super().__init__(known or {})
        self.make = make

    def __missing__(self, value):
        cell = self[value] = self.make(value)
        return cell


class _Cells:
    """The cells of one export, a partition of rows at a time, column by column. The
    categories' and people's cells are made once, by id, from ``names`` and, for people
    first seen in a partition, ``people_named``;
    lists, group sizes and timestamps repeat from row to row (entries submitted or signed
    together share their moment), so each distinct one is written once; a timestamp's
    offset is worked out once per hour of the day (per timestamp in an hour that holds a
    change of offset)."""

    def __init__(
        self,
        zone: tzinfo,
        names: Iterable[tuple],
        people_named: Callable[[set[int]], Iterable[tuple]] | None = None,
    ) -> None:
        self.zone = zone
        # Each category's code and name, each person's e-mail and name, by id ("" for none);
        # people not among ``names`` are asked of ``people_named`` as their rows come.
        self.codes: dict = {}
        self.category_names: dict = {}
        self.emails: dict = {None: ""}
        self.full_names: dict = {None: ""}
        self.people_named = people_named
        self._name(names)

    def _name(self, names: Iterable[tuple]) -> None:
        for kind, key, code_or_email, name in names:
            first, second = (
                (self.codes, self.category_names)
                if kind == _CATEGORY
                else (self.emails, self.full_names)
            )
            first[key], second[key] = _neutralise(code_or_email), _neutralise(name)
        self.lists = _Kept(_joined)
        self.moments = _Kept(self._moment, {None: "", "": ""})
        self.counts = _Kept(lambda count: count or None)  # no group size: an empty cell
        self.hours: dict[str, tuple | None] = {}

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

    def rows(self, partition: Sequence) -> Iterator[tuple]:
        """The entries' rows of cells, in ``EXPORT_COLUMNS`` order. Each column is turned
        into cells as a whole (by lookups of kept cells, with no Python call per row where
        the value was seen before). Numbers stay numbers and absent ones None:
        ``csv.writer`` writes them (None as an empty cell) faster than they are turned
        into text here."""
        (
            days,  # the database's ISO text of each date
            minutes,
            categories,
            supervisors,
            stages,
            modalities,
            group_sizes,
            notes,
            statuses,
            late,
            submitted,
            signers,
            signed,
            return_reasons,
            amended,
            entry_ids,
        ) = zip(*partition, strict=True)
        unnamed = {*supervisors, *signers} - self.emails.keys()
        if unnamed and self.people_named is not None:
            self._name(self.people_named(unnamed))
        joined, moment = self.lists.__getitem__, self.moments.__getitem__
        email, full_name = self.emails.__getitem__, self.full_names.__getitem__
        return zip(
            days,
            minutes,
            map(self.codes.__getitem__, categories),
            map(email, supervisors),
            map(joined, stages),
            map(joined, modalities),
            map(self.counts.__getitem__, group_sizes),
            map(_written, notes),
            map(self.category_names.__getitem__, categories),
            statuses,
            map(_STATUS_LABELS.__getitem__, statuses),
            map(_YES_NO.__getitem__, late),
            map(moment, submitted),
            map(full_name, signers),
            map(email, signers),
            map(moment, signed),
            map(_written, return_reasons),
            amended,
            entry_ids,
            strict=True,
        )


def _joined(stored: str | None) -> str:
    """A stored JSON list as ``a;b``."""
    items = json.loads(stored) if stored else None
    return _neutralise(LIST_SEPARATOR.join(items or []))


def _written(text: str | None) -> str | None:
    """Free text as written (neutralised), None for none."""
    return _neutralise(text) if text else None


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
