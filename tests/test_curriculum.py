"""Curriculum: module pages, sanitised content, completion rules and attendance."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.core.markdown import render_markdown
from airm_training.curriculum.models import ModuleCompletion
from airm_training.curriculum.services import complete_module, record_attendance
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.programme.models import Module
from tests.factories import login, make_candidate, make_director, make_person
from tests.query_count import count_statements


def module(code: str) -> Module:
    return db.session.scalar(sa.select(Module).where(Module.code == code))


def completions(person) -> set[str]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            sa.select(Module.code)
            .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
            .where(ModuleCompletion.person_id == person.id)
        )
    )


# --- Markdown ---------------------------------------------------------------------
def test_markdown_is_rendered_and_sanitised():
    html = str(
        render_markdown(
            "## Title\n\n**bold**\n\n<script>alert(1)</script>\n\n"
            '[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">\n\n[ok](https://example.org)'
        )
    )
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html


def test_script_in_module_content_never_reaches_the_page(client):
    target = module("AIRM-101")
    target.content = "Hello <script>alert('x')</script> <b onclick=alert(1)>there</b>"
    db.session.commit()
    login(client, make_candidate())
    page = client.get("/curriculum/AIRM-101").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<b onclick" not in page
    assert "&lt;script&gt;" in page


# --- pages ------------------------------------------------------------------------
def test_module_list_groups_by_stage_with_status(client):
    candidate = make_candidate()
    complete_module(candidate, module("AIRM-101"))
    db.session.commit()
    login(client, candidate)
    page = client.get("/curriculum/").get_data(as_text=True)
    assert (
        page.index("Foundations") < page.index("Attachment awareness") < page.index("Supervision")
    )
    assert "Completed " + today().isoformat() in page
    assert "Locked: needs AIRM-102" in page


def test_module_page_shows_objectives_ce_hours_and_content(client):
    login(client, make_candidate())
    page = client.get("/curriculum/AIRM-201").get_data(as_text=True)
    assert "Learning objectives" in page
    assert "4 CE hours" in page
    assert "Complete these first" in page
    assert "<h2>" in page  # the Markdown body is rendered


def test_unknown_module_is_404(client):
    login(client, make_candidate())
    assert client.get("/curriculum/NOPE-1").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/curriculum/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# --- completing a module -------------------------------------------------------------
def test_candidate_completes_a_module_through_the_page(client):
    candidate = make_candidate()
    login(client, candidate)
    response = client.submit("/curriculum/AIRM-101/complete", form_path="/curriculum/AIRM-101")
    assert response.status_code == 302
    assert completions(candidate) == {"AIRM-101"}
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "module.completed")
    ).all()[-1]
    assert event.actor_id == candidate.id
    assert event.after["module"] == "AIRM-101"


def test_prerequisites_are_enforced_on_the_server(client):
    candidate = make_candidate()
    login(client, candidate)
    token = client.form_token("/curriculum/AIRM-101")
    response = client.post(
        "/curriculum/AIRM-102/complete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Complete AIRM-101 first" in response.get_data(as_text=True)
    assert completions(candidate) == set()


def test_completing_twice_changes_nothing(client):
    candidate = make_candidate()
    login(client, candidate)
    client.submit("/curriculum/AIRM-101/complete", form_path="/curriculum/AIRM-101")
    again = client.submit(
        "/curriculum/AIRM-101/complete", form_path="/curriculum/AIRM-101", follow_redirects=True
    )
    assert "You completed AIRM-101 on" in again.get_data(as_text=True)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ModuleCompletion)
            .where(ModuleCompletion.person_id == candidate.id)
        )
        == 1
    )


def test_completion_needs_csrf(client):
    candidate = make_candidate()
    login(client, candidate)
    assert client.post("/curriculum/AIRM-101/complete").status_code == 400
    assert completions(candidate) == set()


def test_non_candidates_cannot_complete(client):
    login(client, make_director())
    token = client.form_token("/curriculum/AIRM-101")
    response = client.post("/curriculum/AIRM-101/complete", data={"csrf_token": token})
    assert response.status_code == 403


def test_unenrolled_candidate_cannot_complete():
    person = make_person(Role.CANDIDATE)
    with pytest.raises(DomainError, match="Only enrolled candidates"):
        complete_module(person, module("AIRM-101"))


def test_live_training_and_retired_modules_cannot_be_self_completed():
    candidate = make_candidate()
    with pytest.raises(DomainError, match="live training"):
        complete_module(candidate, module("AIRM-301"))
    retired = module("AIRM-101")
    retired.retired = True
    with pytest.raises(DomainError, match="retired"):
        complete_module(candidate, retired)


# --- attendance ---------------------------------------------------------------------
def test_director_records_attendance_for_several_people(client):
    director = make_director()
    first, second = make_candidate(director=director), make_candidate(director=director)
    login(client, director)
    day = today() - timedelta(days=3)
    response = client.submit(
        "/curriculum/AIRM-301/attendance",
        {"attended_on": day.isoformat(), "people": [first.id, second.id]},
    )
    assert response.status_code == 302
    assert completions(first) == {"AIRM-301"}
    assert completions(second) == {"AIRM-301"}
    recorded = db.session.scalars(
        sa.select(ModuleCompletion).where(ModuleCompletion.person_id == first.id)
    ).one()
    assert recorded.completed_on == day
    assert recorded.recorded_by_id == director.id
    assert recorded.method == "attendance"


def test_attendance_is_all_or_nothing():
    director = make_director()
    done, fresh = make_candidate(director=director), make_candidate(director=director)
    target = module("AIRM-301")
    record_attendance(target, [done], today(), director=director)
    with pytest.raises(DomainError, match="already completed"):
        record_attendance(target, [fresh, done], today(), director=director)
    db.session.rollback()
    assert completions(fresh) == set()


def test_attendance_rejects_future_dates_and_empty_lists(client):
    director = make_director()
    candidate = make_candidate(director=director)
    login(client, director)
    future = client.submit(
        "/curriculum/AIRM-301/attendance",
        {"attended_on": (today() + timedelta(days=1)).isoformat(), "people": [candidate.id]},
    )
    assert future.status_code == 200
    assert "cannot be in the future" in future.get_data(as_text=True)
    nobody = client.submit("/curriculum/AIRM-301/attendance", {"attended_on": today().isoformat()})
    assert "Choose at least one person" in nobody.get_data(as_text=True)
    assert completions(candidate) == set()


def test_attendance_page_is_for_directors_only(client):
    login(client, make_candidate())
    assert client.get("/curriculum/AIRM-301/attendance").status_code == 403


# --- query counts -------------------------------------------------------------------
def test_module_list_query_count_does_not_grow_with_completions(app, client):
    candidate = make_candidate()
    login(client, candidate)
    before = count_statements(lambda: client.get("/curriculum/"))
    for code in ("AIRM-101", "AIRM-102", "AIRM-201", "AIRM-202"):
        complete_module(candidate, module(code))
    db.session.commit()
    after = count_statements(lambda: client.get("/curriculum/"))
    assert after == before
