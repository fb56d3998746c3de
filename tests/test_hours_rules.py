"""Hours rules as plain functions: entry_problems, identifier_warnings and is_late.

No database: the context is built by hand, as a view or the CSV import would load it."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from airm_training.hours.rules import (
    EntryContext,
    EntryInput,
    entry_problems,
    identifier_warnings,
    is_late,
)
from airm_training.programme.models import HoursCategory

TODAY = date(2024, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)
PERSON_ID = 10
SUPERVISOR_ID = 20


def category(code: str, *, requires_supervisor: bool = False, is_group: bool = False):
    return HoursCategory(
        code=code,
        name=code.replace("-", " ").capitalize(),
        requires_supervisor=requires_supervisor,
        is_group=is_group,
        retired=False,
    )


INDIVIDUAL = category("individual-consultation", requires_supervisor=True)
GROUP = category("group-consultation", requires_supervisor=True, is_group=True)
DIDACTIC = category("didactic")
DIRECT = category("direct-clinical")


def ctx(**changes) -> EntryContext:
    base = EntryContext(
        person_id=PERSON_ID,
        today=TODAY,
        category=INDIVIDUAL,
        supervisor_held_on_session_date=True,
        supervisor_held_today=True,
        other_minutes_that_day=0,
        stage_codes=frozenset({"attachment-awareness", "disruption-detachment"}),
        modality_names=frozenset({"CBT", "ACT"}),
    )
    return replace(base, **changes)


def entry(**changes) -> EntryInput:
    base = EntryInput(
        session_date=YESTERDAY,
        minutes=60,
        category_code="individual-consultation",
        supervisor_id=SUPERVISOR_ID,
    )
    return replace(base, **changes)


def problems(data: EntryInput | None = None, context: EntryContext | None = None, **kw):
    return entry_problems(data or entry(), context or ctx(), submitting=kw.get("submitting", True))


def fields(found) -> list:
    return [field for field, _ in found]


def test_a_complete_entry_has_no_problems():
    assert problems() == []
    assert problems(submitting=False) == []


# --- date -------------------------------------------------------------------------------
def test_future_date_is_rejected():
    found = problems(entry(session_date=TODAY + timedelta(days=1)))
    assert fields(found) == ["session_date"]
    assert "future" in found[0][1]


def test_today_is_accepted():
    assert problems(entry(session_date=TODAY)) == []


# --- minutes ----------------------------------------------------------------------------
@pytest.mark.parametrize("minutes", [0, 721, -5])
def test_minutes_outside_1_to_720_are_rejected(minutes):
    assert fields(problems(entry(minutes=minutes))) == ["minutes"]


@pytest.mark.parametrize("minutes", [1, 720])
def test_minutes_at_the_bounds_are_accepted(minutes):
    assert problems(entry(minutes=minutes)) == []


def test_a_day_may_hold_exactly_16_hours():
    assert problems(entry(minutes=60), ctx(other_minutes_that_day=900)) == []
    assert problems(entry(minutes=720), ctx(other_minutes_that_day=240)) == []


def test_961_minutes_in_a_day_are_rejected_naming_the_date():
    found = problems(entry(minutes=61), ctx(other_minutes_that_day=900))
    assert fields(found) == ["minutes"]
    assert YESTERDAY.isoformat() in found[0][1]
    assert "16 hours" in found[0][1]
    assert "15 h" in found[0][1]  # what is already logged that day


# --- category ----------------------------------------------------------------------------
def test_missing_or_retired_category_is_rejected():
    assert "category" in fields(problems(context=ctx(category=None)))
    retired = category("old", requires_supervisor=False)
    retired.retired = True
    assert fields(problems(entry(category_code="old"), ctx(category=retired))) == ["category"]


# --- supervisor -------------------------------------------------------------------------
def test_supervisor_is_required_when_submitting():
    found = problems(entry(supervisor_id=None), ctx(category=DIDACTIC), submitting=True)
    assert fields(found) == ["supervisor"]


def test_a_draft_of_a_non_consultation_category_may_leave_the_supervisor_out():
    found = problems(entry(supervisor_id=None), ctx(category=DIDACTIC), submitting=False)
    assert found == []


@pytest.mark.parametrize(
    "consultation",
    [
        INDIVIDUAL,
        category("consultation-of-consultation", requires_supervisor=True),
    ],
)
def test_consultation_categories_need_a_supervisor_even_in_a_draft(consultation):
    found = problems(entry(supervisor_id=None), ctx(category=consultation), submitting=False)
    assert fields(found) == ["supervisor"]


def test_group_consultation_needs_a_supervisor_even_in_a_draft():
    found = problems(entry(supervisor_id=None, group_size=5), ctx(category=GROUP), submitting=False)
    assert fields(found) == ["supervisor"]


@pytest.mark.parametrize("submitting", [True, False])
def test_one_cannot_be_ones_own_supervisor(submitting):
    found = problems(entry(supervisor_id=PERSON_ID), submitting=submitting)
    assert fields(found) == ["supervisor"]
    assert "own supervisor" in found[0][1]
    # Even for a category that does not need a supervisor.
    found = problems(entry(supervisor_id=PERSON_ID), ctx(category=DIDACTIC), submitting=submitting)
    assert fields(found) == ["supervisor"]


def test_consultation_with_a_supervisor_not_current_on_the_session_date_is_rejected():
    found = problems(context=ctx(supervisor_held_on_session_date=False, supervisor_held_today=True))
    assert fields(found) == ["supervisor"]
    assert "session date" in found[0][1]


def test_consultation_counts_when_the_supervisor_was_current_on_the_session_date():
    # The consultation rule looks at the session date (signing checks today separately).
    found = problems(context=ctx(supervisor_held_on_session_date=True, supervisor_held_today=False))
    assert found == []


def test_non_consultation_with_a_supervisor_not_current_today_is_rejected():
    found = problems(
        entry(category_code="didactic"),
        ctx(category=DIDACTIC, supervisor_held_on_session_date=True, supervisor_held_today=False),
    )
    assert fields(found) == ["supervisor"]
    assert "current AIRT-S" in found[0][1]


def test_non_consultation_only_needs_the_supervisor_current_today():
    found = problems(
        entry(category_code="direct-clinical"),
        ctx(category=DIRECT, supervisor_held_on_session_date=False, supervisor_held_today=True),
    )
    assert found == []


# --- group size -------------------------------------------------------------------------
def test_group_categories_need_a_group_size():
    found = problems(entry(category_code="group-consultation"), ctx(category=GROUP))
    assert fields(found) == ["group_size"]


@pytest.mark.parametrize("size", [2, 100])
def test_group_size_bounds_are_accepted(size):
    group_entry = entry(category_code="group-consultation", group_size=size)
    assert problems(group_entry, ctx(category=GROUP)) == []


@pytest.mark.parametrize("size", [0, 1, 101])
def test_group_size_outside_2_to_100_is_rejected(size):
    group_entry = entry(category_code="group-consultation", group_size=size)
    assert fields(problems(group_entry, ctx(category=GROUP))) == ["group_size"]


def test_group_size_is_rejected_for_non_group_categories():
    found = problems(entry(group_size=4))
    assert fields(found) == ["group_size"]
    assert "only to group" in found[0][1]


# --- tags and note ----------------------------------------------------------------------
def test_known_stages_and_modalities_are_accepted():
    tagged = entry(stages=["attachment-awareness"], modalities=["CBT", "ACT"])
    assert problems(tagged) == []


def test_unknown_stage_is_rejected_and_named():
    found = problems(entry(stages=["attachment-awareness", "stage-9"]))
    assert fields(found) == ["stages"]
    assert "stage-9" in found[0][1]
    assert "attachment-awareness" not in found[0][1]


def test_unknown_modality_is_rejected_and_named():
    found = problems(entry(modalities=["CBT", "Hypnosis"]))
    assert fields(found) == ["modalities"]
    assert "Hypnosis" in found[0][1]


def test_note_of_1000_characters_is_accepted_and_1001_rejected():
    assert problems(entry(note="x" * 1000)) == []
    assert fields(problems(entry(note="x" * 1001))) == ["note"]


def test_several_problems_are_reported_together():
    found = problems(
        entry(
            session_date=TODAY + timedelta(days=3),
            minutes=0,
            supervisor_id=None,
            group_size=3,
            stages=["nope"],
            modalities=["Hypnosis"],
            note="y" * 1001,
        ),
        submitting=False,
    )
    assert fields(found) == [
        "session_date",
        "minutes",
        "supervisor",
        "group_size",
        "stages",
        "modalities",
        "note",
    ]
    assert all(reason for _, reason in found)


# --- client-identifying information ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Reach the client at jane.doe+ai@mail.example.com after group", "an e-mail address"),
        ("Client phone (206) 555-0123", "a phone number"),
        ("call back on 206-555-0123 tomorrow", "a phone number"),
        ("DOB 03/14/1985, referred by PCP", "a date of birth"),
        ("client born 3/4/1990", "a date of birth"),
        ("See MRN 1234567 for history", "a record number"),
        ("notes in chart #88231", "a record number"),
        ("see intake #204518", "a record number"),
        ("SSN 123-45-6789 on intake", "a social security number"),
        ("dob 03/14/2015 per intake", "a date of birth"),  # lower case, a birth year in 20xx
        ("client born 2011-05-02", "a date of birth"),
        ("MRN 4455 for history", "a record number"),  # four digits
    ],
)
def test_identifiers_are_detected(text, kind):
    assert kind in identifier_warnings(text)


@pytest.mark.parametrize(
    "text",
    [
        "Discussed stage 2 reinforcement loops; 45 min role-play; "
        "client's companion app use down to 2 h/day",
        "Group of 6 clinicians, ACT defusion practice",
        "Reviewed 3 cases of romantic AI companion attachment; 90-minute seminar, "
        "AIRM-201 module 4",
        "",
    ],
)
def test_ordinary_training_notes_raise_no_warning(text):
    assert identifier_warnings(text) == []


def test_several_kinds_of_identifier_are_all_listed():
    found = identifier_warnings("jd@example.org, DOB 01/02/1980, MRN 445566")
    assert found == ["an e-mail address", "a date of birth", "a record number"]


# --- late entries -----------------------------------------------------------------------
def test_late_boundary_is_the_window():
    assert is_late(TODAY - timedelta(days=30), TODAY, 30) is False
    assert is_late(TODAY - timedelta(days=31), TODAY, 30) is True
    assert is_late(TODAY, TODAY, 30) is False
    assert is_late(TODAY - timedelta(days=8), TODAY, 7) is True


# --- every message, word for word (what the person reads is part of the rule) --------------
OLDEST = date(2021, 6, 15)  # 36 months before TODAY


@pytest.mark.parametrize(
    ("data", "context", "expected"),
    [
        (
            entry(session_date=TODAY + timedelta(days=1)),
            ctx(),
            [("session_date", "The session date cannot be in the future.")],
        ),
        (
            entry(session_date=OLDEST - timedelta(days=1)),
            ctx(oldest_session=OLDEST),
            [
                (
                    "session_date",
                    "Sessions before 2021-06-15 are too old to be logged: the programme "
                    "accepts sessions from the last 36 months.",
                )
            ],
        ),
        (
            entry(session_date=date(2024, 5, 14)),
            ctx(oldest_session=date(2024, 5, 15)),
            [
                (
                    "session_date",
                    "Sessions before 2024-05-15 are too old to be logged: the programme "
                    "accepts sessions from the last month.",
                )
            ],
        ),
        (entry(minutes=0), ctx(), [("minutes", "A session lasts between 1 minute and 12 hours.")]),
        (
            entry(minutes=721),
            ctx(),
            [("minutes", "A session lasts between 1 minute and 12 hours.")],
        ),
        (
            entry(minutes=61),
            ctx(other_minutes_that_day=15 * 60),
            [
                (
                    "minutes",
                    f"That would make more than 16 hours on {YESTERDAY}: 15 h are already "
                    "logged that day.",
                )
            ],
        ),
        (entry(), ctx(category=None), [("category", "Choose a category.")]),
        (
            entry(supervisor_id=None),
            ctx(),
            [("supervisor", "Choose the supervisor who will sign this entry.")],
        ),
        (
            entry(supervisor_id=PERSON_ID),
            ctx(),
            [("supervisor", "You cannot be your own supervisor.")],
        ),
        (
            entry(),
            ctx(supervisor_held_on_session_date=False),
            [
                (
                    "supervisor",
                    "This supervisor did not hold a current AIRT-S on the session date: "
                    "consultation counts only with a current AIRT-S.",
                )
            ],
        ),
        (
            entry(category_code="didactic"),
            ctx(category=DIDACTIC, supervisor_held_today=False),
            [("supervisor", "This person does not hold a current AIRT-S and cannot sign.")],
        ),
        (
            entry(category_code="group-consultation"),
            ctx(category=GROUP),
            [("group_size", "Enter how many clinicians took part in the group.")],
        ),
        (
            entry(category_code="group-consultation", group_size=101),
            ctx(category=GROUP),
            [("group_size", "A group has 2 to 100 participants.")],
        ),
        (
            entry(group_size=3),
            ctx(),
            [("group_size", "Group size applies only to group categories.")],
        ),
        (
            entry(stages=["stage-9", "attachment-awareness", "stage-8"]),
            ctx(),
            [("stages", "Unknown AIRM stage: stage-8, stage-9.")],
        ),
        (
            entry(modalities=["Hypnosis", "CBT", "Astrology"]),
            ctx(),
            [("modalities", "Unknown modality: Astrology, Hypnosis.")],
        ),
        (
            entry(note="n" * 1001),
            ctx(),
            [("note", "Keep the note under 1000 characters.")],
        ),
    ],
)
def test_each_broken_rule_says_so_in_its_own_words(data, context, expected):
    assert problems(data, context) == expected


def test_the_oldest_day_itself_may_be_logged():
    assert problems(entry(session_date=OLDEST), ctx(oldest_session=OLDEST)) == []
    assert problems(entry(session_date=OLDEST), ctx(oldest_session=None)) == []


def test_a_group_of_two_and_of_a_hundred_is_accepted():
    for size in (2, 100):
        data = entry(category_code="group-consultation", group_size=size)
        assert problems(data, ctx(category=GROUP)) == []
    one = entry(category_code="group-consultation", group_size=1)
    assert fields(problems(one, ctx(category=GROUP))) == ["group_size"]


def test_a_draft_of_a_category_without_a_supervisor_needs_none():
    data = entry(category_code="didactic", supervisor_id=None)
    assert problems(data, ctx(category=DIDACTIC), submitting=False) == []
    assert fields(problems(data, ctx(category=DIDACTIC), submitting=True)) == ["supervisor"]
    consultation = entry(supervisor_id=None)
    assert fields(problems(consultation, ctx(), submitting=False)) == ["supervisor"]


def test_exactly_sixteen_hours_a_day_is_accepted():
    assert problems(entry(minutes=60), ctx(other_minutes_that_day=15 * 60)) == []
    assert problems(entry(minutes=720), ctx(other_minutes_that_day=4 * 60)) == []
