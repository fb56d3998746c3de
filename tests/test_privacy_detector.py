"""The client-privacy detector: recall and false alarms on the development corpus (whole
and a fixed held-out half), one test per rule, registered people, spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from airm_training.privacy import Registry, detect, labels_of
from airm_training.privacy.detector import RULES

NOTES = Path(__file__).parent / "privacy_notes"
DEMO_PEOPLE = Registry.of(
    [
        "Connie Zollner",
        "Elizabeth Abbruzza",
        "Jessica Lamar",
        "Aubrey Holden",
        "Priya Raman",
        "Marcus Bell",
        "Sofia Alvarez",
        "Daniel Okafor",
        "Hannah Price",
    ]
)


def _lines(name: str) -> list[str]:
    return [line for line in (NOTES / name).read_text().splitlines() if line.strip()]


def _rates(identifying: list[str], clean: list[str]) -> tuple[float, float]:
    recall = sum(bool(detect(line, DEMO_PEOPLE)) for line in identifying) / len(identifying)
    alarms = sum(bool(detect(line, DEMO_PEOPLE)) for line in clean) / len(clean)
    return recall, alarms


# --- the corpus -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("part", "pick"),
    [
        ("whole", lambda lines: lines),
        ("tuning half (odd lines)", lambda lines: lines[0::2]),
        ("held-out half (even lines)", lambda lines: lines[1::2]),
    ],
)
def test_development_corpus_recall_and_false_alarms(part, pick):
    identifying = pick(_lines("dev_identifying.txt"))
    clean = pick(_lines("dev_clean.txt"))
    recall, alarms = _rates(identifying, clean)
    assert recall >= 0.95, f"{part}: recall {recall:.0%}"
    assert alarms <= 0.05, f"{part}: false alarms {alarms:.0%}"


def test_notes_written_for_the_kinds_of_the_issue():
    """Further sets written from the issue's list of kinds, not from the corpus."""
    recall, alarms = _rates(_lines("extra_identifying.txt"), _lines("extra_clean.txt"))
    assert recall >= 0.95
    assert alarms <= 0.05


def test_every_identifying_development_note_is_caught_where_it_identifies():
    """Each finding's span is real text of the note, never an empty or shifted span."""
    for line in _lines("dev_identifying.txt"):
        for finding in detect(line, DEMO_PEOPLE):
            assert 0 <= finding.start < finding.end <= len(line)
            assert line[finding.start : finding.end].strip() == line[finding.start : finding.end]


# --- one test per rule ---------------------------------------------------------------------
# rule: (text, the matched span, its kind), then texts the rule must leave alone.
RULE_EXAMPLES = {
    "email": (
        [("write to quiet.moon.88@yahoo.com today", "quiet.moon.88@yahoo.com", "email")],
        ["met at the @ sign workshop"],
    ),
    "handle": (
        [
            ("her Instagram @sadgirl.2001 is public", "@sadgirl.2001", "handle"),
            ("Discord username nightowl#4412", "nightowl#4412", "handle"),
            ("TikTok handle lonelyhearts_99", "lonelyhearts_99", "handle"),
            ("Reddit user u/aiwife_forever posted", "u/aiwife_forever", "handle"),
        ],
        ["Discussed Discord servers in general", "reply to the group at 3 pm"],
    ),
    "ip_address": (
        [("app log showed 192.168.4.20 twice", "192.168.4.20", "ip_address")],
        ["version 2.3.1 of the protocol", "999.1.1.1 is not an address"],
    ),
    "ssn": (
        [
            ("SSN 123-45-6789 on intake", "123-45-6789", "ssn"),
            ("Client's SSN ending 4471 noted", "SSN ending 4471", "ssn"),
        ],
        ["Social security benefits were discussed in general"],
    ),
    "date_of_birth": (
        [
            ("Client DOB 11/30/1994, bond", "DOB 11/30/1994", "date_of_birth"),
            ("date of birth: July 9, 1971", "date of birth: July 9, 1971", "date_of_birth"),
            ("seen with 02/14/1988 on the form", "02/14/1988", "date_of_birth"),
        ],
        ["Planned for 2026", "Conference on 11/03/2026, 3 hours"],
    ),
    "phone": (
        [
            ("Left voicemail on 206-555-0190", "206-555-0190", "phone"),
            ("Mobile +44 7700 900123 abroad", "+44 7700 900123", "phone"),
            ("call (425) 555-0142 after 5", "(425) 555-0142", "phone"),
        ],
        ["Session 4 of 12, 45 minutes", "Module AIRM-202 completed"],
    ),
    "record_number": (
        [
            ("MRN: 55019283 reviewed", "MRN: 55019283", "record_number"),
            ("Chart #88213-B pulled", "Chart #88213-B", "record_number"),
            ("Medicaid ID 113-44-9921-A", "Medicaid ID 113-44-9921-A", "record_number"),
        ],
        ["Case presentation for AIRM-301 revised", "client file reviewed with consent"],
    ),
    "address": (
        [
            (
                "Client lives at 3301 Evergreen Point Rd, Medina",
                "3301 Evergreen Point Rd, Medina",
                "address",
            ),
            ("sent to PO Box 4412, Issaquah WA 98027", "PO Box 4412, Issaquah WA 98027", "address"),
            ("Client lives on Birch Street near the lake", "Birch Street", "address"),
        ],
        ["Training room 204 at the Bellevue office", "Group of 8 Clinicians in Seattle"],
    ),
    "id_number": (
        [
            ("driver licence BECKETM123QA seen", "driver licence BECKETM123QA", "id_number"),
            ("Passport number X12345678", "Passport number X12345678", "id_number"),
            ("card no. 9981-2231-0045", "card no. 9981-2231-0045", "id_number"),
        ],
        ["AIRM-301 and AIRT-S requirements", "Practised the 4-7-8 breathing exercise"],
    ),
    "relative_name": (
        [
            ("Client's daughter Emma Li called", "Emma Li", "relative_name"),
            ("Reached client's sister Joanna at home", "Joanna", "relative_name"),
            ("Her son Jacob drives her", "Jacob", "relative_name"),
            ("Client Maria Gonzalez reported", "Maria Gonzalez", "name"),
        ],
        ["Role-play: client says the chatbot listens", "Discussed clients who name their AI"],
    ),
    "honorific_name": (
        [
            ("Mr. Haddad lost his partner app", "Mr. Haddad", "name"),
            ("Pt. Lindqvist described the persona", "Pt. Lindqvist", "name"),
        ],
        ["Supervisor Dr. Lamar reviewed my formulation"],
    ),
    "known_name": (
        [
            ("Met with Tom Becker's mother", "Tom Becker", "name"),
            ("Discussed Kevin's case today", "Kevin", "name"),
            ("Met with Jamal Robinson about the app", "Jamal Robinson", "name"),
        ],
        [
            "Read Sue Johnson's Hold Me Tight",
            "Consultation with Maya Thompson, LMHC, external consultant",
            "Met with Dr. Rachel Green from the faculty",
            "Discussed Kate Darling's work on social robots",
            "Read Attached by Amir Levine and Rachel Heller",
        ],
    ),
    "initials": (
        [
            ("Session with J.M. about the app", "J.M.", "name"),
            ("Client initials JD, bond with chatbot", "JD", "name"),
        ],
        ["Trained in the U.S. on EMDR", "Group at 2 a.m. discussed"],
    ),
    "age": (
        [
            ("Aged 72, retired teacher", "Aged 72", "age"),
            ("a 14-year-old boy", "14-year-old", "age"),
            ("he is 16 and attends", "he is 16", "age"),
            ("Ms. Okonkwo, 47, divorced", "47", "age"),
        ],
        [
            "Elizabeth Abbruzza, 5 clinicians, on loops",
            "ACT defusion, 45 minutes",
            "Role-play: the client says she is 30 and feels too old to date",
        ],
    ),
    "employer_school": (
        [
            (
                "works as a nurse at Overlake Medical Center",
                "Overlake Medical Center",
                "employer_school",
            ),
            ("Client's employer Microsoft, team lead", "Microsoft", "employer_school"),
            ("attends Newport High School", "Newport High School", "employer_school"),
            ("Client is a freshman at UW", "UW", "employer_school"),
        ],
        ["Worked at the Seattle training centre", "Webinar by the Center for Humane Technology"],
    ),
    "place": (
        [
            ("retired teacher from Bothell, widowed", "Bothell", "place"),
            ("Pt is 58 and lives in Tacoma", "Tacoma", "place"),
            ("Client moved here from Portland last year", "Portland", "place"),
        ],
        ["Group consultation in Seattle with clinicians from three agencies"],
    ),
}


def test_every_rule_has_examples():
    assert set(RULE_EXAMPLES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_finds_its_kind_and_leaves_ordinary_text(rule):
    found_by = RULES[rule]
    positives, negatives = RULE_EXAMPLES[rule]
    for text, span, kind in positives:
        spans = {(text[s:e], k) for s, e, k in found_by(text, DEMO_PEOPLE)}
        assert (span, kind) in spans, (text, spans)
    for text in negatives:
        assert list(found_by(text, DEMO_PEOPLE)) == [], text


# --- registered people, overlaps, labels ---------------------------------------------------
def test_registered_people_are_not_client_identifiers():
    assert detect("Group consultation led by Elizabeth Abbruzza", DEMO_PEOPLE) == []
    assert detect("Reviewed Sofia Alvarez's formulation", DEMO_PEOPLE) == []
    unknown = detect("Reviewed Sofia Alvarez's formulation")
    assert [f.kind for f in unknown] == ["name"]


def test_an_honorific_with_a_lone_surname_is_flagged_even_when_someone_has_that_surname():
    found = detect("Mrs. Alvarez, age 61, grieving the app", DEMO_PEOPLE)
    assert {f.kind for f in found} == {"name", "age"}


def test_overlapping_findings_keep_one_span_each():
    text = "Insurance policy number QWE1234567890 for the client"
    found = detect(text)
    assert [(text[f.start : f.end], f.kind) for f in found] == [
        ("policy number QWE1234567890", "record_number")
    ]


def test_labels_are_distinct_and_in_a_fixed_order():
    found = detect("Call 206-555-0190 or mail a@b.org, then a@c.org")
    assert labels_of(found) == ["an e-mail address", "a phone number"]


def test_empty_and_blank_texts_have_no_findings():
    assert detect(None) == detect("") == detect("   \n") == []
