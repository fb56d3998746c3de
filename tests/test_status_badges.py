"""Colour is never the only signal of a status: every status badge says its status in
words, and two statuses never share the same words."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

from flask import render_template_string

from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.hours.models import HoursStatus
from airm_training.programme.models import CredentialLevel

TODAY = date(2026, 6, 1)


def badges(html: str) -> list[tuple[str, str]]:
    """(colour classes, text) of each badge."""
    return [
        (classes, re.sub(r"<[^>]+>", "", text).strip())
        for classes, text in re.findall(r'<span class="badge ([^"]*)"[^>]*>(.*?)</span>', html)
    ]


def render(macro: str, **values) -> str:
    names = ", ".join(values)
    return render_template_string(
        f"{{% from '_macros.html' import {macro} %}}{{{{ {macro}({names}) }}}}", **values
    )


def test_every_hours_status_badge_names_its_status(app):
    texts = {}
    with app.test_request_context():
        for status in HoursStatus:
            entry = SimpleNamespace(status=status.value, state=status, late=False, amends_id=None)
            [(_colour, text)] = badges(render("status_badge", entry=entry))
            texts[status] = text
        late_amendment = SimpleNamespace(
            status="submitted", state=HoursStatus.SUBMITTED, late=True, amends_id=1
        )
        extra = [text for _colour, text in badges(render("status_badge", entry=late_amendment))]
    assert texts == {status: status.label for status in HoursStatus}
    assert all(texts.values()) and len(set(texts.values())) == len(texts)
    assert extra == ["Waiting for sign-off", "Late", "Amendment"]


def test_every_credential_badge_names_its_status(app):
    level = CredentialLevel(code="AIRT-S", name="AIRM Therapist - Supervisor")

    def award(status: str, expires_on: date | None, awarded_on: date = TODAY):
        # Never added to the session: only the badge's reading of it is tested.
        return CredentialAward(
            level=level, status=status, awarded_on=awarded_on, expires_on=expires_on
        )

    cases = {
        "current": award(AwardStatus.ACTIVE, TODAY + timedelta(days=30)),
        "expired": award(AwardStatus.ACTIVE, TODAY - timedelta(days=1)),
        "future": award(AwardStatus.ACTIVE, None, awarded_on=TODAY + timedelta(days=3)),
        **{status.value: award(status, None) for status in AwardStatus if status != "active"},
    }
    with app.test_request_context():
        texts = {
            name: badges(render("award_badge", award=a, day=TODAY))[0][1]
            for name, a in cases.items()
        }
    assert texts["current"] == "AIRT-S · current"
    assert texts["expired"] == "AIRT-S · lapsed"  # no grace period: lapsed the day after
    assert texts["future"] == f"AIRT-S · from {TODAY + timedelta(days=3)}"
    for status in AwardStatus:
        if status != "active":
            assert texts[status.value] == f"AIRT-S · {status.value}"
    assert len(set(texts.values())) == len(texts)
