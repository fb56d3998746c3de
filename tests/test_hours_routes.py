"""Hours pages: logging through the real form, the life cycle, CSV and the supervisor's
pages, including the forbidden cases and constant query counts."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from airm_training.core.clock import today, utcnow
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursImport, HoursStatus
from airm_training.programme.models import HoursCategory
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.query_count import count_queries


@pytest.fixture
def yesterday():
    return (today() - timedelta(days=1)).isoformat()


@pytest.fixture
def pair():
    """A candidate and a current supervisor."""
    director = make_director()
    return make_candidate(director=director), make_supervisor(director=director)


def form_data(signer, day, **changes):
    data = {
        "session_date": day,
        "duration_hours": "1",
        "duration_minutes": "30",
        "category": "individual-consultation",
        "supervisor": str(signer.id),
        "stages": ["attachment-awareness"],
        "modalities": ["EMDR"],
        "note": "Worked on pacing the first stage.",
        "submit_entry": "Submit for sign-off",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def entries_of(person) -> list[HoursEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(HoursEntry).where(HoursEntry.person_id == person.id).order_by(HoursEntry.id)
        )
    )


def log(client, signer, day, **changes):
    return client.submit("/hours/new", form_data(signer, day, **changes))


def insert_entries(person, supervisor, count, status=HoursStatus.SUBMITTED):
    """Many entries at once, straight into the table (for query-count tests)."""
    category_id = db.session.scalar(
        sa.select(HoursCategory.id).where(HoursCategory.code == "direct-clinical")
    )
    now = utcnow()
    db.session.execute(
        sa.insert(HoursEntry),
        [
            {
                "person_id": person.id,
                "session_date": today() - timedelta(days=1 + i % 300),
                "minutes": 30,
                "category_id": category_id,
                "supervisor_id": supervisor.id,
                "stages": [],
                "modalities": [],
                "note": "",
                "status": status.value,
                "late": False,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ],
    )
    db.session.commit()


# --- logging --------------------------------------------------------------------------------
def test_candidate_logs_and_submits_hours(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    response = log(client, supervisor, yesterday)
    assert response.status_code == 302
    (entry,) = entries_of(candidate)
    assert entry.minutes == 90
    assert entry.status == "submitted"
    assert entry.supervisor_id == supervisor.id
    assert entry.stages == ["attachment-awareness"]
    assert entry.modalities == ["EMDR"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for sign-off" in page


def test_saving_a_draft_needs_no_supervisor_for_direct_clinical(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    response = log(
        client,
        supervisor,
        yesterday,
        category="direct-clinical",
        supervisor="",
        submit_entry=None,
        save_draft="Save as draft",
    )
    assert response.status_code == 302
    assert entries_of(candidate)[0].status == "draft"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"session_date": (today() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"duration_hours": "0", "duration_minutes": "0"}, "between 1 minute and 12 hours"),
        ({"supervisor": ""}, "Choose the supervisor"),
        ({"category": "group-consultation"}, "how many clinicians took part"),
        ({"group_size": "4"}, "Group size applies only to group categories"),
    ],
)
def test_bad_entries_are_refused_with_a_message(client, pair, yesterday, changes, message):
    candidate, supervisor = pair
    login(client, candidate)
    response = log(client, supervisor, yesterday, **changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert entries_of(candidate) == []


def test_a_candidate_cannot_choose_themselves_as_supervisor(client, yesterday):
    supervisor = make_supervisor()
    other_supervisor = make_supervisor()
    login(client, supervisor)
    response = log(client, supervisor, yesterday)
    assert response.status_code == 200
    assert entries_of(supervisor) == []
    assert log(client, other_supervisor, yesterday).status_code == 302


def test_notes_that_look_identifying_need_confirmation(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    note = "Client DOB 03/14/1985, reach at 206-555-0123"
    warned = log(client, supervisor, yesterday, note=note)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "may identify a client" in page
    assert "a phone number" in page and "a date of birth" in page
    assert entries_of(candidate) == []
    confirmed = log(client, supervisor, yesterday, note=note, confirm_no_identifiers="y")
    assert confirmed.status_code == 302
    assert len(entries_of(candidate)) == 1


def test_the_form_says_notes_must_not_identify_clients(client, pair):
    login(client, pair[0])
    page = client.get("/hours/new").get_data(as_text=True)
    assert "not a clinical record" in page
    assert "Never write anything that could identify a client" in page


def test_logging_needs_csrf(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    response = client.post("/hours/new", data=form_data(supervisor, yesterday))
    assert response.status_code == 400
    assert entries_of(candidate) == []


# --- the life cycle through the pages ---------------------------------------------------------
def test_return_fix_resubmit_and_sign(app, pair, yesterday):
    candidate, supervisor = pair
    cand, sup = app.test_client(), app.test_client()
    login(cand, candidate)
    login(sup, supervisor)
    log(cand, supervisor, yesterday)
    (entry,) = entries_of(candidate)

    missing_reason = sup.submit(
        f"/hours/{entry.id}/return",
        {"reason": ""},
        form_path=f"/hours/{entry.id}",
        follow_redirects=True,
    )
    assert "Say what needs to change" in missing_reason.get_data(as_text=True)
    assert entries_of(candidate)[0].status == "submitted"

    sup.submit(
        f"/hours/{entry.id}/return",
        {"reason": "Add the modality you used."},
        form_path=f"/hours/{entry.id}",
    )
    returned = entries_of(candidate)[0]
    assert returned.status == "returned"
    assert "Add the modality you used." in cand.get(f"/hours/{entry.id}").get_data(as_text=True)

    cand.submit(
        f"/hours/{entry.id}/edit", form_data(supervisor, yesterday, modalities=["EMDR", "ACT"])
    )
    resubmitted = entries_of(candidate)[0]
    assert resubmitted.status == "submitted"
    assert resubmitted.modalities == ["ACT", "EMDR"]

    sup.submit("/hours/sign", {"entry": [str(entry.id)], "attest": "y"}, form_path="/hours/queue")
    signed = entries_of(candidate)[0]
    assert signed.status == "signed"
    assert signed.signed_by_id == supervisor.id
    assert signed.attestation


def test_signed_entries_cannot_be_edited_or_deleted(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    log(client, supervisor, yesterday)
    (entry,) = entries_of(candidate)
    entry.status = HoursStatus.SIGNED.value
    db.session.commit()
    edit = client.submit(
        f"/hours/{entry.id}/edit",
        form_data(supervisor, yesterday, note="x"),
        form_path=f"/hours/{entry.id}",
    )
    assert edit.status_code == 302
    delete = client.submit(
        f"/hours/{entry.id}/delete", form_path=f"/hours/{entry.id}", follow_redirects=True
    )
    assert "Only drafts and returned entries can be deleted" in delete.get_data(as_text=True)
    after = entries_of(candidate)[0]
    assert after.status == "signed"
    assert after.note == "Worked on pacing the first stage."


def test_amendment_through_the_pages(app, pair, yesterday):
    candidate, supervisor = pair
    cand, sup = app.test_client(), app.test_client()
    login(cand, candidate)
    login(sup, supervisor)
    log(cand, supervisor, yesterday)
    (original,) = entries_of(candidate)
    sup.submit(
        "/hours/sign", {"entry": [str(original.id)], "attest": "y"}, form_path="/hours/queue"
    )
    response = cand.submit(
        f"/hours/{original.id}/amend", form_data(supervisor, yesterday, duration_minutes="45")
    )
    assert response.status_code == 302
    first, amendment = entries_of(candidate)
    assert (first.status, amendment.status, amendment.amends_id) == (
        "signed",
        "submitted",
        first.id,
    )
    sup.submit(
        "/hours/sign", {"entry": [str(amendment.id)], "attest": "y"}, form_path="/hours/queue"
    )
    first, amendment = entries_of(candidate)
    assert (first.status, amendment.status) == ("superseded", "signed")
    assert first.minutes == 90 and amendment.minutes == 105
    page = cand.get(f"/hours/{first.id}").get_data(as_text=True)
    assert f"Entry {amendment.id}" in page  # both versions stay visible


def test_withdraw_and_delete(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    log(client, supervisor, yesterday)
    (entry,) = entries_of(candidate)
    client.submit(f"/hours/{entry.id}/withdraw", form_path=f"/hours/{entry.id}")
    assert entries_of(candidate)[0].status == "draft"
    client.submit(f"/hours/{entry.id}/delete", form_path=f"/hours/{entry.id}")
    assert entries_of(candidate) == []


# --- forbidden cases -------------------------------------------------------------------------
def test_another_candidates_entry_is_out_of_reach(app, pair, yesterday):
    candidate, supervisor = pair
    owner = app.test_client()
    login(owner, candidate)
    log(owner, supervisor, yesterday, submit_entry=None, save_draft="Save as draft")
    (entry,) = entries_of(candidate)
    intruder = app.test_client()
    login(intruder, make_candidate())
    token = intruder.form_token("/hours/new")
    assert intruder.get(f"/hours/{entry.id}").status_code == 403
    assert intruder.get(f"/hours/{entry.id}/edit").status_code == 403
    for action in ("submit", "withdraw", "delete"):
        response = intruder.post(f"/hours/{entry.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 403, action
    assert entries_of(candidate)[0].status == "draft"


def test_a_supervisor_cannot_sign_what_was_not_logged_with_them(app, pair, yesterday):
    candidate, supervisor = pair
    cand = app.test_client()
    login(cand, candidate)
    log(cand, supervisor, yesterday)
    (entry,) = entries_of(candidate)
    stranger = app.test_client()
    login(stranger, make_supervisor())
    assert stranger.get(f"/hours/{entry.id}").status_code == 403
    response = stranger.submit(
        "/hours/sign",
        {"entry": [str(entry.id)], "attest": "y"},
        form_path="/hours/queue",
        follow_redirects=True,
    )
    assert "it was not logged with you" in response.get_data(as_text=True)
    returned = stranger.submit(
        f"/hours/{entry.id}/return", {"reason": "no"}, form_path="/hours/queue"
    )
    assert returned.status_code == 403
    assert entries_of(candidate)[0].status == "submitted"


def test_signing_needs_csrf_and_the_attestation(app, pair, yesterday):
    candidate, supervisor = pair
    cand, sup = app.test_client(), app.test_client()
    login(cand, candidate)
    login(sup, supervisor)
    log(cand, supervisor, yesterday)
    (entry,) = entries_of(candidate)
    assert (
        sup.post("/hours/sign", data={"entry": [str(entry.id)], "attest": "y"}).status_code == 400
    )
    unattested = sup.submit(
        "/hours/sign", {"entry": [str(entry.id)]}, form_path="/hours/queue", follow_redirects=True
    )
    assert "Confirm the attestation" in unattested.get_data(as_text=True)
    assert entries_of(candidate)[0].status == "submitted"


def test_candidates_cannot_open_the_supervisor_pages(client, pair):
    login(client, pair[0])
    assert client.get("/hours/queue").status_code == 403
    assert client.get("/hours/supervisees").status_code == 403
    token = client.form_token("/hours/new")
    assert client.post("/hours/sign", data={"csrf_token": token}).status_code == 403


def test_posting_fields_the_form_does_not_offer_changes_nothing(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    log(
        client,
        supervisor,
        yesterday,
        status="signed",
        signed_by_id=str(supervisor.id),
        person_id="1",
        late="y",
    )
    (entry,) = entries_of(candidate)
    assert entry.status == "submitted"
    assert entry.signed_by_id is None
    assert entry.person_id == candidate.id


# --- lists and filters -----------------------------------------------------------------------
def test_my_hours_filters_and_totals(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    log(client, supervisor, yesterday)
    log(
        client,
        supervisor,
        yesterday,
        category="didactic",
        duration_hours="2",
        duration_minutes="0",
        stages=[],
        modalities=[],
    )
    page = client.get("/hours/?category=didactic").get_data(as_text=True)
    assert "1 entry" in page
    assert ">2 h<" in page
    everything = client.get("/hours/").get_data(as_text=True)
    assert "2 entries" in everything
    bad = client.get("/hours/?date_from=yesterday").get_data(as_text=True)
    assert "not understood" in bad


def test_my_hours_paginates(client, pair):
    candidate, supervisor = pair
    insert_entries(candidate, supervisor, 30)
    login(client, candidate)
    first = client.get("/hours/").get_data(as_text=True)
    assert "30 entries" in first
    assert client.get("/hours/?page=2").status_code == 200


def test_queue_groups_by_supervisee_and_flags_late_entries(app, yesterday):
    supervisor = make_supervisor()
    first, second = make_candidate(), make_candidate()
    long_ago = (today() - timedelta(days=45)).isoformat()
    for person, day, category in (
        (first, yesterday, "individual-consultation"),
        (second, long_ago, "didactic"),
    ):
        c = app.test_client()
        login(c, person)
        assert log(c, supervisor, day, category=category).status_code == 302
    sup = app.test_client()
    login(sup, supervisor)
    page = sup.get("/hours/queue").get_data(as_text=True)
    assert first.full_name in page and second.full_name in page
    assert "Late" in page
    late_only = sup.get("/hours/queue?late=1").get_data(as_text=True)
    assert f'id="supervisee-{second.id}"' in late_only
    assert f'id="supervisee-{first.id}"' not in late_only
    supervisees = sup.get("/hours/supervisees").get_data(as_text=True)
    assert "1 h 30</span> pending" in supervisees


# --- CSV ---------------------------------------------------------------------------------------
HEADER = "session_date,duration_minutes,category,supervisor_email,stages,modalities,group_size,note"


def csv_rows(supervisor, n, day):
    return [f"{day},30,didactic,{supervisor.email},,,,Workshop {i}" for i in range(n)]


def upload(client, content: bytes, name="hours.csv", **kwargs):
    token = client.form_token("/hours/import")
    return client.post(
        "/hours/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        **kwargs,
    )


def test_template_and_export(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    template = client.get("/hours/template.csv")
    assert template.headers["Content-Type"].startswith("text/csv")
    assert template.get_data(as_text=True).splitlines()[0] == HEADER
    log(client, supervisor, yesterday)
    (entry,) = entries_of(candidate)
    entry.status, entry.signed_by_id, entry.signed_at = "signed", supervisor.id, utcnow()
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/hours/export.csv").get_data(as_text=True))))
    assert len(rows) == 1
    assert (rows[0]["status"], rows[0]["status_label"]) == ("signed", "Signed")
    assert (rows[0]["category"], rows[0]["category_name"]) == (
        entry.category.code,
        entry.category.name,
    )
    assert rows[0]["signed_by"] == supervisor.full_name
    assert rows[0]["signed_by_email"] == supervisor.email
    assert rows[0]["duration_minutes"] == "90"
    assert rows[0]["session_date"] == entry.session_date.isoformat()  # the database's text
    # ISO 8601 with the centre's offset, the same moment the page shows
    signed_at = datetime.fromisoformat(rows[0]["signed_at"])
    assert signed_at.utcoffset() is not None
    assert signed_at.astimezone(UTC).replace(tzinfo=None) == entry.signed_at.replace(microsecond=0)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    assert signed_at.utcoffset() == entry.signed_at.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def test_import_all_rows(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    content = "\n".join([HEADER, *csv_rows(supervisor, 3, yesterday)]).encode()
    response = upload(client, content, follow_redirects=True)
    assert "Imported 3 entries" in response.get_data(as_text=True)
    assert [e.status for e in entries_of(candidate)] == ["submitted"] * 3


def test_import_is_all_or_nothing_with_a_bad_row_in_the_middle(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    rows = csv_rows(supervisor, 4, yesterday)
    rows.insert(2, f"{yesterday},ninety,didactic,{supervisor.email},,,,bad")
    response = upload(client, "\n".join([HEADER, *rows]).encode())
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert re.search(r"<td>4</td><td>duration_minutes</td><td>Write the duration", page)
    assert entries_of(candidate) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"   \n", "The file is empty"),
        (b"date,minutes\n2026-01-01,30\n", "The header row does not match the template"),
        (HEADER.encode() + b"\n", "has a header but no rows"),
        (
            "\n".join([HEADER, "2026-01-01,30,didactic,x@y.z,,,,Caf\u00e9"]).encode("utf-16"),
            "not UTF-8",
        ),
        (
            "\n".join([HEADER, "2026-01-01,30,didactic,x@y.z,,,,Caf\u00e9"]).encode("latin-1"),
            "not UTF-8",
        ),
    ],
    ids=["zero bytes", "blank", "wrong header", "no rows", "utf-16", "latin-1"],
)
def test_import_rejects_bad_files(client, pair, content, message):
    candidate, _ = pair
    login(client, candidate)
    response = upload(client, content)
    assert message in response.get_data(as_text=True)
    assert entries_of(candidate) == []


def test_import_without_a_file_asks_for_one(client, pair):
    login(client, pair[0])
    token = client.form_token("/hours/import")
    response = client.post("/hours/import", data={"csrf_token": token})
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_the_same_file_cannot_be_imported_twice(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    content = "\n".join([HEADER, *csv_rows(supervisor, 2, yesterday)]).encode()
    upload(client, content)
    again = upload(client, content)
    assert "already imported" in again.get_data(as_text=True)
    assert len(entries_of(candidate)) == 2


def test_import_of_ten_thousand_rows(client, pair):
    candidate, supervisor = pair
    login(client, candidate)
    days = [(today() - timedelta(days=1 + i % 400)).isoformat() for i in range(10_000)]
    rows = [f"{day},30,didactic,{supervisor.email},,,,Row {i}" for i, day in enumerate(days)]
    started = time.perf_counter()
    response = upload(client, "\n".join([HEADER, *rows]).encode(), follow_redirects=True)
    elapsed = time.perf_counter() - started
    assert "Imported 10000 entries" in response.get_data(as_text=True)
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HoursEntry)
        .where(HoursEntry.person_id == candidate.id)
    )
    assert count == 10_000
    assert db.session.scalar(sa.select(HoursImport.row_count)) == 10_000
    print(f"10,000-row import took {elapsed:.1f} s")


def test_import_applies_the_day_limit_across_rows(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    rows = [f"{yesterday},600,didactic,{supervisor.email},,,,long day" for _ in range(2)]
    page = upload(client, "\n".join([HEADER, *rows]).encode()).get_data(as_text=True)
    assert "more than 16 hours" in page
    assert entries_of(candidate) == []


# --- query counts -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/hours/", "/hours/queue", "/hours/supervisees"])
def test_query_counts_do_not_grow_with_entries(app, path):
    supervisor = make_supervisor()
    candidates = [make_candidate() for _ in range(3)]
    viewer = supervisor if path != "/hours/" else candidates[0]
    for person in candidates:
        insert_entries(person, supervisor, 4)
    client = app.test_client()
    login(client, viewer)
    small = count_queries(lambda: client.get(path))
    for person in candidates:
        insert_entries(person, supervisor, 330)
    large = count_queries(lambda: client.get(path))
    assert large == small


# --- the same entry posted twice ----------------------------------------------------------
def test_an_identical_entry_is_held_back_with_a_warning_until_confirmed(client, pair, yesterday):
    candidate, supervisor = pair
    login(client, candidate)
    assert log(client, supervisor, yesterday).status_code == 302
    (first,) = entries_of(candidate)
    again = log(client, supervisor, yesterday)  # the back button, then submit again
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert f"You already logged an identical entry (entry {first.id}" in page
    assert 'name="confirm_duplicate"' in page
    assert len(entries_of(candidate)) == 1
    # a different duration or supervisor is not a duplicate; a confirmed one is logged
    assert log(client, supervisor, yesterday, duration_minutes="45").status_code == 302
    assert log(client, supervisor, yesterday, confirm_duplicate="y").status_code == 302
    assert len(entries_of(candidate)) == 3
