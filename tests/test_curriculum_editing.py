"""Directors create, edit, reorder and retire modules; every change is audited."""

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.curriculum.models import ModuleCompletion
from airm_training.curriculum.services import complete_module
from airm_training.extensions import db
from airm_training.programme.models import Module
from tests.factories import login, make_candidate, make_director


def module(code: str) -> Module:
    db.session.expire_all()
    return db.session.scalar(sa.select(Module).where(Module.code == code))


def order() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Module.code).order_by(Module.position, Module.code)))


def last_event(action: str) -> AuditEvent:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()


NEW_MODULE = {
    "code": "airm-205",
    "title": "Working with grief after an AI relationship ends",
    "stage": "integration-of-meaning",
    "ce_hours": "1.5",
    "objectives": "Name the grief\n\nHold the loss without shame\n",
    "content": "## Grief\n\nText <script>alert(1)</script>",
    "self_paced": "y",
    "prerequisites": ["AIRM-203"],
}


@pytest.fixture
def director_client(client):
    director = make_director()
    login(client, director)
    client.director = director
    return client


def test_director_creates_a_module(director_client):
    response = director_client.submit("/curriculum/manage/new", NEW_MODULE)
    assert response.status_code == 302
    created = module("AIRM-205")
    assert created.title == NEW_MODULE["title"]
    assert created.ce_minutes == 90
    assert created.objectives == ["Name the grief", "Hold the loss without shame"]
    assert [p.code for p in created.prerequisites] == ["AIRM-203"]
    assert order()[-1] == "AIRM-205"
    event = last_event("module.created")
    assert event.actor_id == director_client.director.id
    assert event.after["code"] == "AIRM-205"
    page = director_client.get("/curriculum/AIRM-205").get_data(as_text=True)
    assert "<script>alert" not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "AIRM-101"}, "Another module already uses AIRM-101"),
        ({"code": "not a code"}, "Use a code like AIRM-205"),
        ({"title": ""}, "This field is required"),
        ({"ce_hours": "500"}, "Number must be between 0 and 100"),
    ],
)
def test_bad_module_input_changes_nothing(director_client, changes, message):
    before = order()
    response = director_client.submit("/curriculum/manage/new", {**NEW_MODULE, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert order() == before


def test_director_edits_a_module_and_the_change_is_audited(director_client):
    data = {
        **NEW_MODULE,
        "code": "AIRM-101",
        "title": "Foundations (revised)",
        "stage": "foundations",
        "prerequisites": [],
    }
    response = director_client.submit("/curriculum/AIRM-101/edit", data)
    assert response.status_code == 302
    assert module("AIRM-101").title == "Foundations (revised)"
    event = last_event("module.edited")
    assert event.before["title"] == "Foundations: AI companions and artificial intimacy"
    assert event.after["title"] == "Foundations (revised)"


def test_a_module_cannot_depend_on_itself_indirectly(director_client):
    data = {
        **NEW_MODULE,
        "code": "AIRM-101",
        "stage": "foundations",
        "prerequisites": ["AIRM-202"],
    }  # AIRM-202 already builds on AIRM-101
    response = director_client.submit("/curriculum/AIRM-101/edit", data)
    assert "cannot depend on itself" in response.get_data(as_text=True)
    assert module("AIRM-101").prerequisites == []


def test_reorder_modules(director_client):
    before = order()
    director_client.submit("/curriculum/AIRM-102/move/up", form_path="/curriculum/manage")
    after = order()
    assert after[:2] == ["AIRM-102", "AIRM-101"]
    assert after[2:] == before[2:]
    first_again = director_client.submit(
        "/curriculum/AIRM-102/move/up", form_path="/curriculum/manage", follow_redirects=True
    )
    assert "already at that end" in first_again.get_data(as_text=True)
    assert last_event("module.moved").object_id == str(module("AIRM-102").id)


def test_retire_keeps_existing_completions_and_blocks_new_ones(app, director_client):
    done = make_candidate()
    complete_module(done, module("AIRM-101"))
    db.session.commit()
    director_client.submit("/curriculum/AIRM-101/retire", form_path="/curriculum/manage")
    assert module("AIRM-101").retired is True
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ModuleCompletion)
            .where(ModuleCompletion.person_id == done.id)
        )
        == 1
    )
    other = app.test_client()
    login(other, make_candidate())
    listing = other.get("/curriculum/").get_data(as_text=True)
    assert "AIRM-101 · " not in listing
    response = other.submit(
        "/curriculum/AIRM-101/complete", form_path="/curriculum/AIRM-101", follow_redirects=True
    )
    assert "has been retired" in response.get_data(as_text=True)
    director_client.submit("/curriculum/AIRM-101/restore", form_path="/curriculum/manage")
    assert module("AIRM-101").retired is False
    assert last_event("module.restored") is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/curriculum/manage"),
        ("get", "/curriculum/manage/new"),
        ("get", "/curriculum/AIRM-101/edit"),
        ("post", "/curriculum/AIRM-101/retire"),
        ("post", "/curriculum/AIRM-101/move/up"),
    ],
)
def test_candidates_cannot_edit_the_curriculum(client, method, path):
    login(client, make_candidate())
    token = client.form_token("/curriculum/AIRM-101")
    response = getattr(client, method)(path, data={"csrf_token": token})
    assert response.status_code == 403
    assert module("AIRM-101").retired is False


def test_curriculum_changes_need_csrf(director_client):
    assert director_client.post("/curriculum/AIRM-101/retire").status_code == 400
    assert module("AIRM-101").retired is False
