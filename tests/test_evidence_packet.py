"""The board's evidence packet PDF: the frozen snapshot, parsed back; markup in what
people typed is printed as text, never interpreted."""

import io

import pypdf

from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.progression.models import Application, ApplicationStatus
from tests.factories import login, make_candidate, make_person, make_supervisor


def test_evidence_packet_shows_the_snapshot(app):
    candidate = make_candidate()
    endorser = make_supervisor()
    candidate.full_name = "Ana <b>Bold</b> & Co"
    application = Application(
        person_id=candidate.id,
        level_id=1,
        programme_version_id=1,
        endorser_id=endorser.id,
        status=ApplicationStatus.SUBMITTED.value,
        open_key=f"{candidate.id}:1",
        statement="I <script>care</script>\nabout this work.",
        snapshot={
            "as_of": "2026-11-01",
            "requirements": [
                {
                    "requirement_id": 1,
                    "kind": "hours",
                    "label": "Didactic training: 40 hours",
                    "met": True,
                    "progress": "42 of 40 h",
                    "missing": [],
                    "evidence": {"hours_entry_ids": [1, 2, 3]},
                },
            ],
        },
    )
    db.session.add(application)
    db.session.commit()
    board = app.test_client()
    login(board, make_person(Role.CO_CREATOR))
    response = board.get(f"/progression/applications/{application.id}/evidence.pdf")
    assert response.status_code == 200
    text = " ".join(pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Ana <b>Bold</b> & Co" in text
    assert "Didactic training: 40 hours" in text
    assert "42 of 40 h" in text
    assert "hours entry: 3" in text
    assert "<script>care</script>" in text
    other = app.test_client()
    login(other, make_candidate())
    assert other.get(f"/progression/applications/{application.id}/evidence.pdf").status_code == 403
