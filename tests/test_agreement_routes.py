"""Supervision agreement pages: proposing and signing, the supervisor's signature, a
director's approval (never by a party, never by a candidate), declining, ending (audited),
the lists, bad input and CSRF; the entry and checklist of hours outside an agreement; the
demo; flat query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.agreements.demo import demo_programme
from airm_training.agreements.models import AgreementStatus, SupervisionAgreement
from airm_training.agreements.services import (
    AgreementInput,
    countersign_agreement,
    propose_agreement,
)
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from airm_training.people.models import Role
from airm_training.people.services import grant_role
from airm_training.programme.services import current_version
from airm_training.progression.engine import evaluate, next_level
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.query_count import count_queries
from tests.test_engine import insert_hours
from tests.test_transcript import pdf_text

IND = "individual-consultation"


@pytest.fixture
def director(app):
    return make_director()


@pytest.fixture
def supervisor(director):
    return make_supervisor(awarded_on=today() - timedelta(days=400), director=director)


@pytest.fixture
def candidate(director):
    return make_candidate(director=director, enrolled_on=today() - timedelta(days=200))


def signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def propose(app, candidate, with_whom, **fields):
    data = {
        "supervisor": str(with_whom.id),
        "starts_on": today().isoformat(),
        "ends_on": "",
        "categories": [IND],
        "attest": "y",
        **fields,
    }
    return signed_in(app, candidate).submit("/agreements/new", data)


def agreements_of(person):
    return list(
        db.session.scalars(
            sa.select(SupervisionAgreement).where(SupervisionAgreement.candidate_id == person.id)
        )
    )


def proposed(app, candidate, supervisor) -> SupervisionAgreement:
    assert propose(app, candidate, supervisor).status_code == 302
    (agreement,) = agreements_of(candidate)
    return agreement


def countersigned(app, candidate, supervisor) -> SupervisionAgreement:
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    response = signed_in(app, supervisor).submit(f"{path}/sign", {"attest": "y"}, form_path=path)
    assert response.status_code == 302
    db.session.refresh(agreement)
    return agreement


def approved(app, candidate, supervisor, director) -> SupervisionAgreement:
    agreement = countersigned(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    response = signed_in(app, director).submit(f"{path}/approve", form_path=path)
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.APPROVED
    return agreement


def events(agreement, action):
    return db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.object_type == "supervision_agreement",
            AuditEvent.object_id == str(agreement.id),
            AuditEvent.action == action,
        )
    ).all()


# --- proposing -----------------------------------------------------------------------------
def test_the_candidate_signs_the_programme_terms_and_the_supervisor_is_told(
    app, candidate, supervisor
):
    page = signed_in(app, candidate).get("/agreements/new").get_data(as_text=True)
    assert "The supervisor provides consultation on the candidate" in page
    agreement = proposed(app, candidate, supervisor)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR
    assert agreement.terms.startswith("The supervisor provides consultation")
    assert agreement.candidate_signed_at is not None
    assert agreement.candidate_attestation.startswith("I have read the terms")
    assert [c.code for c in agreement.categories] == [IND]
    assert events(agreement, "agreement.proposed")
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.person_id == supervisor.id, Notification.kind == "agreement_to_sign"
        )
    )
    assert note is not None and candidate.full_name in note.message


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"categories": []}, "Choose the hours categories the agreement covers."),
        ({"categories": ["didactic"]}, "An agreement cannot cover didactic."),
        ({"starts_on": -1}, "An agreement cannot start before it is signed"),
        ({"ends_on": -1}, "The end date must be on or after the start date."),
        ({"attest": ""}, "Confirm the attestation to sign."),
        ({"starts_on": "not-a-date"}, "Not a valid date value."),
        ({"supervisor": ""}, "Choose the supervisor."),
    ],
)
def test_bad_input_says_what_is_wrong_and_saves_nothing(
    app, candidate, supervisor, fields, message
):
    # days from today are read in the test, once the app knows the centre's time zone
    fields = {
        key: (today() + timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for key, value in fields.items()
    }
    response = propose(app, candidate, supervisor, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert agreements_of(candidate) == []


def test_an_agreement_needs_a_current_supervisor_who_is_not_oneself(app, candidate, director):
    not_a_supervisor = make_candidate(director=director)
    response = propose(app, candidate, not_a_supervisor)
    assert "This person does not hold a current AIRT-S." in response.get_data(as_text=True)
    myself = propose(app, candidate, candidate)
    assert "You cannot make an agreement with yourself." in myself.get_data(as_text=True)
    assert agreements_of(candidate) == []


def test_overlapping_agreements_with_the_same_supervisor_are_refused(app, candidate, supervisor):
    proposed(app, candidate, supervisor)
    response = propose(app, candidate, supervisor)
    assert "already covers some of these days" in response.get_data(as_text=True)
    assert len(agreements_of(candidate)) == 1


def test_proposing_needs_csrf(app, candidate, supervisor):
    client = signed_in(app, candidate)
    response = client.post(
        "/agreements/new",
        data={
            "supervisor": str(supervisor.id),
            "starts_on": today().isoformat(),
            "categories": [IND],
            "attest": "y",
        },
    )
    assert response.status_code in (200, 400)
    assert agreements_of(candidate) == []


def test_a_director_who_is_no_candidate_cannot_propose(app, director):
    assert signed_in(app, director).get("/agreements/new").status_code == 403


# --- the supervisor's signature ------------------------------------------------------------
def test_the_supervisor_signs_with_the_attestation_and_directors_are_told(
    app, candidate, supervisor, director
):
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    client = signed_in(app, supervisor)
    missing = client.submit(f"{path}/sign", {"attest": ""}, form_path=path)
    assert missing.status_code == 400
    assert "Confirm the attestation to sign." in missing.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR
    assert client.submit(f"{path}/sign", {"attest": "y"}, form_path=path).status_code == 302
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_APPROVAL
    assert agreement.supervisor_signed_at is not None
    assert agreement.supervisor_attestation.startswith("I have read the terms")
    assert events(agreement, "agreement.countersigned")
    kinds = db.session.scalars(
        sa.select(Notification.kind).where(Notification.person_id == director.id)
    ).all()
    assert "agreement_to_approve" in kinds


def test_only_the_named_supervisor_signs(app, candidate, supervisor, director):
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    another = make_supervisor(awarded_on=today() - timedelta(days=400), director=director)
    stranger = signed_in(app, another)
    token = stranger.form_token("/hours/new")
    assert stranger.get(path).status_code == 403
    assert (
        stranger.post(f"{path}/sign", data={"csrf_token": token, "attest": "y"}).status_code == 403
    )
    own = signed_in(app, candidate)
    assert own.post(f"{path}/sign", data={"attest": "y"}).status_code in (400, 403)
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR


def test_signing_needs_csrf(app, candidate, supervisor):
    agreement = proposed(app, candidate, supervisor)
    signed_in(app, supervisor).post(f"/agreements/{agreement.id}/sign", data={"attest": "y"})
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR


# --- approval ------------------------------------------------------------------------------
def test_a_director_approves_and_both_parties_are_told(app, candidate, supervisor, director):
    agreement = approved(app, candidate, supervisor, director)
    assert agreement.approved_by_id == director.id and agreement.approved_at is not None
    assert events(agreement, "agreement.approved")
    told = set(
        db.session.scalars(
            sa.select(Notification.person_id).where(Notification.kind == "agreement_changed")
        )
    )
    assert {candidate.id, supervisor.id} <= told


def test_a_supervisor_who_is_a_director_cannot_approve_their_own_agreement(
    app, candidate, director
):
    supervising_director = make_supervisor(
        awarded_on=today() - timedelta(days=400), director=director
    )
    grant_role(supervising_director, Role.DIRECTOR, actor_id=director.id)
    db.session.commit()
    agreement = countersigned(app, candidate, supervising_director)
    path = f"/agreements/{agreement.id}"
    client = signed_in(app, supervising_director)
    assert "Approve</button>" not in client.get(path).get_data(as_text=True)
    response = client.submit(f"{path}/approve", form_path=path, follow_redirects=True)
    assert "Nobody approves an agreement they are a party to" in response.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_APPROVAL
    assert events(agreement, "agreement.approved") == []


def test_candidates_and_supervisors_cannot_approve(app, candidate, supervisor):
    agreement = countersigned(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    for person in (candidate, supervisor):
        client = signed_in(app, person)
        token = client.form_token(path)
        assert client.post(f"{path}/approve", data={"csrf_token": token}).status_code == 403
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_APPROVAL


def test_approval_needs_csrf_and_both_signatures(app, candidate, supervisor, director):
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    client = signed_in(app, director)
    early = client.submit(f"{path}/approve", form_path=path, follow_redirects=True)
    assert "cannot be approved now" in early.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR
    countersign = signed_in(app, supervisor)
    countersign.submit(f"{path}/sign", {"attest": "y"}, form_path=path)
    client.post(f"{path}/approve", data={})
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_APPROVAL


def test_the_directors_list_shows_what_waits_for_approval(app, candidate, supervisor, director):
    waiting = countersigned(app, candidate, supervisor)
    other = make_candidate(director=director)
    proposed(app, other, supervisor)
    page = signed_in(app, director).get("/agreements/review").get_data(as_text=True)
    assert f"/agreements/{waiting.id}" in page and "1 waiting" in page
    assert signed_in(app, candidate).get("/agreements/review").status_code == 403
    assert signed_in(app, supervisor).get("/agreements/review").status_code == 403


# --- declining and ending ------------------------------------------------------------------
def test_the_supervisor_declines_with_a_reason(app, candidate, supervisor):
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    client = signed_in(app, supervisor)
    empty = client.submit(f"{path}/decline", {"reason": ""}, form_path=path)
    assert empty.status_code == 400 and "Say why." in empty.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR
    reason = "My consultation group is full until next year."
    assert client.submit(f"{path}/decline", {"reason": reason}, form_path=path).status_code == 302
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.DECLINED and agreement.decline_reason == reason
    assert events(agreement, "agreement.declined")
    assert reason in signed_in(app, candidate).get(path).get_data(as_text=True)


def test_the_candidate_cannot_decline_for_the_supervisor(app, candidate, supervisor):
    agreement = proposed(app, candidate, supervisor)
    path = f"/agreements/{agreement.id}"
    response = signed_in(app, candidate).submit(
        f"{path}/decline", {"reason": "Changed my mind."}, form_path=path
    )
    assert "Only the supervisor named in the agreement declines it now." in response.get_data(
        as_text=True
    )
    db.session.refresh(agreement)
    assert agreement.state is AgreementStatus.AWAITING_SUPERVISOR


def test_ending_sets_the_end_date_and_is_audited(app, candidate, supervisor, director):
    agreement = approved(app, candidate, supervisor, director)
    path = f"/agreements/{agreement.id}"
    client = signed_in(app, candidate)
    past = client.submit(
        f"{path}/end", {"ends_on": (today() - timedelta(days=1)).isoformat()}, form_path=path
    )
    assert past.status_code == 400
    assert "An agreement cannot end in the past" in past.get_data(as_text=True)
    bad = client.submit(f"{path}/end", {"ends_on": "31/31/2026"}, form_path=path)
    assert bad.status_code == 400 and "Not a valid date value." in bad.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.ends_on is None
    last_day = today() + timedelta(days=30)
    ok = client.submit(f"{path}/end", {"ends_on": last_day.isoformat()}, form_path=path)
    assert ok.status_code == 302
    db.session.refresh(agreement)
    assert agreement.ends_on == last_day and agreement.ended_by_id == candidate.id
    (event,) = events(agreement, "agreement.ended")
    assert event.before == {"ends_on": None} and event.after == {"ends_on": last_day.isoformat()}
    later = client.submit(
        f"{path}/end", {"ends_on": (last_day + timedelta(days=1)).isoformat()}, form_path=path
    )
    assert "already ends on" in later.get_data(as_text=True)


def test_someone_else_cannot_open_or_end_an_agreement(app, candidate, supervisor, director):
    agreement = approved(app, candidate, supervisor, director)
    path = f"/agreements/{agreement.id}"
    other = signed_in(app, make_candidate(director=director))
    token = other.form_token("/agreements/new")
    assert other.get(path).status_code == 403
    response = other.post(f"{path}/end", data={"csrf_token": token, "ends_on": today().isoformat()})
    assert response.status_code == 403
    db.session.refresh(agreement)
    assert agreement.ends_on is None
    assert signed_in(app, make_person()).get("/agreements/999999").status_code == 404


def test_ending_needs_csrf(app, candidate, supervisor, director):
    agreement = approved(app, candidate, supervisor, director)
    signed_in(app, candidate).post(
        f"/agreements/{agreement.id}/end", data={"ends_on": today().isoformat()}
    )
    db.session.refresh(agreement)
    assert agreement.ends_on is None


# --- lists ---------------------------------------------------------------------------------
def test_each_party_sees_the_agreement_and_its_dates(app, candidate, supervisor, director):
    agreement = approved(app, candidate, supervisor, director)
    mine = signed_in(app, candidate).get("/agreements/").get_data(as_text=True)
    assert supervisor.full_name in mine and agreement.starts_on.isoformat() in mine
    assert "Approved, in force" in mine
    supervisees = signed_in(app, supervisor).get("/hours/supervisees").get_data(as_text=True)
    assert candidate.full_name in supervisees and agreement.starts_on.isoformat() in supervisees
    assert "open-ended" in supervisees
    theirs = signed_in(app, supervisor).get("/agreements/").get_data(as_text=True)
    assert candidate.full_name in theirs and "(your supervisee)" in theirs


def test_the_lists_take_the_same_queries_however_many_agreements(app, director, supervisor):
    demo_programme(current_version())

    def many(n):  # through the services: signing in this often would meet the rate limit
        for _ in range(n):
            person = make_candidate(director=director)
            agreement = propose_agreement(
                person, AgreementInput(supervisor.id, today(), None, [IND], attested=True)
            )
            countersign_agreement(supervisor, agreement, attested=True)
            insert_hours(person, IND, 1, 60, signer=supervisor, first_day_ago=2)
        db.session.commit()

    many(2)
    lists = ("/agreements/", "/hours/supervisees")
    supervisor_client = signed_in(app, supervisor)
    director_client = signed_in(app, director)
    before = [count_queries(lambda p=p: supervisor_client.get(p)) for p in lists]
    before.append(count_queries(lambda: director_client.get("/agreements/review")))
    many(5)
    after = [count_queries(lambda p=p: supervisor_client.get(p)) for p in lists]
    after.append(count_queries(lambda: director_client.get("/agreements/review")))
    assert after == before


# --- hours outside an agreement ------------------------------------------------------------
def test_an_entry_outside_an_agreement_is_flagged_at_entry_and_does_not_count(
    app, director, supervisor
):
    demo_programme(current_version())
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=200))
    client = signed_in(app, candidate)
    day = today() - timedelta(days=3)
    response = client.submit(
        "/hours/new",
        {
            "session_date": day.isoformat(),
            "duration_hours": "1",
            "duration_minutes": "0",
            "category": IND,
            "supervisor": str(supervisor.id),
            "note": "",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "This entry is saved but does not count" in page
    assert "There is no supervision agreement with this supervisor" in page
    listed = client.get("/hours/").get_data(as_text=True)
    assert "Does not count" in listed

    ids = insert_hours(candidate, IND, 3, 60, signer=supervisor, first_day_ago=5)
    db.session.flush()
    label = "Individual consultation with an AIRT-S: 10 hours"
    result = next(
        r for r in evaluate(candidate, next_level(candidate)).results if r.label.startswith(label)
    )
    assert result.current == 0
    assert result.not_counted == "3 h signed outside an approved supervision agreement"
    assert ids
    agreement = approved(app, candidate, supervisor, director)
    agreement.starts_on = today() - timedelta(days=8)
    db.session.flush()
    result = next(
        r for r in evaluate(candidate, next_level(candidate)).results if r.label.startswith(label)
    )
    assert result.current == 3 and result.not_counted == ""


# --- the demo ------------------------------------------------------------------------------
def test_the_demo_entry_of_marcus_before_his_agreement_does_not_count(app):
    from airm_training.demo import seed_demo
    from airm_training.hours.models import HoursEntry
    from airm_training.people.services import find_by_email

    seed_demo()
    db.session.commit()
    assert seed_demo() == 0  # idempotent
    marcus = find_by_email("marcus.bell@btrc.example")
    (agreement,) = agreements_of(marcus)
    assert agreement.state is AgreementStatus.APPROVED
    entry = db.session.scalar(
        sa.select(HoursEntry)
        .where(HoursEntry.person_id == marcus.id, HoursEntry.session_date < agreement.starts_on)
        .where(HoursEntry.category.has(code=IND))
    )
    client = app.test_client()
    login(client, marcus, "airm-demo-password")
    page = client.get(f"/hours/{entry.id}").get_data(as_text=True)
    assert "Does not count:" in page
    assert (
        f"before the supervision agreement with this supervisor starts on {agreement.starts_on}"
        in page
    )
    checklist = client.get("/candidate").get_data(as_text=True)
    assert "1 h signed outside an approved supervision agreement" in checklist
    listing = client.get("/hours/").get_data(as_text=True)
    assert listing.count("Does not count</span>") == 1
    transcript = " ".join(pdf_text(client.get("/progression/transcript.pdf").data).split())
    assert "Signed hours that do not count" in transcript
    assert entry.session_date.isoformat() in transcript
    assert "before the supervision agreement with this supervisor" in transcript
    waiting = db.session.scalar(
        sa.select(sa.func.count()).where(
            SupervisionAgreement.status == AgreementStatus.AWAITING_APPROVAL.value
        )
    )
    assert waiting >= 1


def test_imported_entries_outside_an_agreement_are_flagged(app, director, supervisor):
    from tests.test_hours_routes import HEADER, upload

    demo_programme(current_version())
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=200))
    client = signed_in(app, candidate)
    day = today() - timedelta(days=2)
    rows = [f"{day},60,{IND},{supervisor.email},,,,Consultation {i}" for i in range(2)]
    rows.append(f"{day},30,didactic,{supervisor.email},,,,Workshop")
    response = upload(client, "\n".join([HEADER, *rows]).encode(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Imported 3 entries" in page
    assert "2 of the imported entries do not count" in page
