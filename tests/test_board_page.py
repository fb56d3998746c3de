"""The board's home page: each endorsed application with its endorser, the days it has
waited, the approvals it has against the quorum, and whether the reader has voted."""

from __future__ import annotations

from airm_training.core.clock import local_date, today
from airm_training.extensions import db
from airm_training.people.models import Role, RoleAssignment
from airm_training.progression.services import approval_quorums
from airm_training.reports.work import board_queue, board_rows
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


def test_board_rows_read_names_level_votes_and_the_readers_vote_as_columns(app, people):  # noqa: F811
    _director, supervisor, board, candidate, _hours = people
    candidate.post_nominals = "MA"
    supervisor.post_nominals = ""
    db.session.commit()
    application = voted(endorsed(applied(candidate, supervisor)), board[0], True)
    day = today()
    with app.test_request_context():
        (mine,) = board_rows([application.id], board[0].id, day)
        (other,) = board_rows([application.id], board[1].id, day)
        (own,) = board_rows([application.id], candidate.id, day)
        assert board_rows([], board[0].id, day) == []
    assert mine.applicant_name == f"{candidate.full_name}, MA" == candidate.display_name
    assert mine.endorser_name == supervisor.full_name
    assert mine.level_code == application.level.code and not mine.is_reinstatement
    assert mine.submitted_on == local_date(application.submitted_at)
    assert (mine.days_waiting, mine.approvals, mine.rejections) == (0, 1, 0)
    assert mine.quorum == approval_quorums([application])[application.id]
    assert (mine.you_voted, other.you_voted) == (True, None)
    assert own.is_own and not mine.is_own and not other.is_own
    voted(application, board[1], False, comment="Needs more supervised hours.")
    with app.test_request_context():
        (against,) = board_rows([application.id], board[1].id, day)
    assert (against.approvals, against.rejections, against.you_voted) == (1, 1, False)
