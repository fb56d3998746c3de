"""An issued verification drawn from its stored snapshot: the PDF's plain data and the same
data as CSV (one row per signed session, then the totals), so both always agree."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from airm_training.core.clock import local_datetime_text
from airm_training.core.urls import external_url
from airm_training.documents.hours_verification import HoursVerificationData, SupervisorRecord
from airm_training.records.models import HoursVerification

CSV_COLUMNS = (
    "record",
    "session_date",
    "category",
    "category_name",
    "minutes",
    "sessions",
    "supervisor",
    "signed_at",
    "attestation",
    "entry_id",
    "verification_code",
    "version",
)


def hours(minutes: int) -> str:
    """Minutes as decimal hours: 90 → "1.5"."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def _licence_line(licence: dict) -> str:
    state = "verified" if licence["verified"] else "not verified"
    return (
        f"{licence['type']} {licence['number']}, {licence['jurisdiction']}, "
        f"expires {licence['expires_on']} ({state})"
    )


def _moment(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M %Z").strip()


def verification_url(verification: HoursVerification) -> str:
    return external_url("records_public.show", code=verification.code)


def pdf_data(verification: HoursVerification) -> HoursVerificationData:
    s = verification.snapshot
    totals = s["totals"]
    return HoursVerificationData(
        organisation=s["organisation"],
        holder_name=s["holder"]["name"],
        holder_licences=tuple(_licence_line(x) for x in s["holder"]["licences"]),
        starts_on=s["starts_on"],
        ends_on=s["ends_on"],
        issued_at=local_datetime_text(verification.issued_at),
        version=verification.version,
        code=verification.code,
        verification_url=verification_url(verification),
        total_hours=hours(totals["minutes"]),
        session_count=totals["sessions"],
        by_category=tuple(
            (g["name"], hours(g["minutes"]), g["sessions"]) for g in totals["by_category"]
        ),
        by_supervisor=tuple(
            (g["name"], hours(g["minutes"]), g["sessions"]) for g in totals["by_supervisor"]
        ),
        sessions=tuple(
            (x["date"], x["category_name"], x["minutes"], x["supervisor"], _moment(x["signed_at"]))
            for x in s["sessions"]
        ),
        supervisors=tuple(
            SupervisorRecord(
                name=r["name"],
                licences=tuple(_licence_line(x) for x in r["licences"]),
                airt_s=tuple(f"{p['from']} to {p['through'] or 'no expiry'}" for p in r["airt_s"]),
                sign_offs=r["sign_offs"],
                hours=hours(r["minutes"]),
                first_signed_at=_moment(r["first_signed_at"]),
                last_signed_at=_moment(r["last_signed_at"]),
                attestations=tuple(r["attestations"]),
                entry_ids=", ".join(f"#{i}" for i in r["entry_ids"]),
            )
            for r in s["supervisors"]
        ),
    )


def verification_csv(verification: HoursVerification) -> str:
    """Sessions (``record`` = session), then totals by category, by supervisor, and overall."""
    s = verification.snapshot
    common = {"verification_code": verification.code, "version": verification.version}
    rows = [
        {
            "record": "session",
            "session_date": x["date"],
            "category": x["category"],
            "category_name": x["category_name"],
            "minutes": x["minutes"],
            "sessions": 1,
            "supervisor": x["supervisor"],
            "signed_at": x["signed_at"],
            "attestation": x["attestation"],
            "entry_id": x["entry_id"],
        }
        for x in s["sessions"]
    ]
    rows += [
        {
            "record": "category_total",
            "category": g["category"],
            "category_name": g["name"],
            "minutes": g["minutes"],
            "sessions": g["sessions"],
        }
        for g in s["totals"]["by_category"]
    ]
    rows += [
        {
            "record": "supervisor_total",
            "supervisor": g["name"],
            "minutes": g["minutes"],
            "sessions": g["sessions"],
        }
        for g in s["totals"]["by_supervisor"]
    ]
    rows.append(
        {
            "record": "total",
            "minutes": s["totals"]["minutes"],
            "sessions": s["totals"]["sessions"],
            "session_date": f"{s['starts_on']}/{s['ends_on']}",
        }
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _neutralise(v) for k, v in {**row, **common}.items()})
    return buffer.getvalue()


def _neutralise(value) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
