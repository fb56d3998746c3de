"""The board's home page: each endorsed application with its endorser, the days it has
waited, the approvals it has against the quorum, and whether the reader has voted."""

from __future__ import annotations

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.people.models import Role, RoleAssignment
from airm_training.progression.services import approval_quorums
from airm_training.reports.work import board_queue
from tests.factories import login
from tests.test_progression_workflow import applied, endorsed, people, voted  # noqa: F401


def board_page(client, member) -> str:
    login(client, member)
    page = client.get("/board").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": client.form_token("/auth/security")})
    return page


def test_the_board_page_shows_endorser_wait_votes_quorum_and_your_vote(client, people):  # noqa: F811
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    quorum = approval_quorums([application])[application.id]
    first = board_page(client, board[0])
    assert candidate.display_name in first and supervisor.display_name in first
    assert "0 days since" in first
    assert f"0 of {quorum} approvals needed" in first
    assert "Waiting for your vote" in first

    voted(application, board[0], True)
    after = board_page(client, board[0])
    assert "You voted: approve" in after and "Waiting for your vote" not in after
    assert f"1 of {quorum} approvals needed" in after
    assert "Waiting for your vote" in board_page(client, board[1])


def test_an_empty_board_says_so(client, people):  # noqa: F811
    _director, _supervisor, board, _candidate, _hours = people
    assert "No applications wait for the board" in board_page(client, board[0])


def test_the_board_figures_count_what_waits_for_the_reader_and_link_to_it(app, client, people):  # noqa: F811
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    voted(application, board[0], True)
    with app.test_request_context():
        first = {item.key: item for item in board_queue(board[0].id, today())}
        second = {item.key: item for item in board_queue(board[1].id, today())}
    assert (first["your-vote"].count, first["at-board"].count) == (0, 1)
    assert (second["your-vote"].count, second["at-board"].count) == (1, 1)
    assert second["your-vote"].url == "/board?waiting=you#board-queue"
    assert second["your-vote"].urgent and not first["your-vote"].urgent
    login(client, board[0])
    filtered = client.get("/board?waiting=you").get_data(as_text=True)
    assert "Nothing waits for your vote" in filtered and candidate.display_name not in filtered
    assert candidate.display_name in client.get("/board").get_data(as_text=True)


def test_ones_own_application_does_not_wait_for_ones_vote(app, people):  # noqa: F811
    _director, supervisor, _board, candidate, _hours = people
    endorsed(applied(candidate, supervisor))
    db.session.add(RoleAssignment(person_id=candidate.id, role=Role.CO_CREATOR.value))
    db.session.commit()
    with app.test_request_context():
        own = {item.key: item.count for item in board_queue(candidate.id, today())}
    assert own == {"your-vote": 0, "at-board": 1}
