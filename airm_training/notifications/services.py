"""Sending notifications, reading and marking them, and each person's channel.

A feature's service calls ``send`` (or ``send_each``) in the transaction where a state
changes: one notification per active recipient, and an e-mail handed to ``delivery`` for
those who want e-mail (it leaves after the commit). The texts are the feature's own and
carry training-record facts only: never notes, reasons, titles or anything about a client."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app, render_template

from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.core.urls import external_url
from airm_training.extensions import db
from airm_training.notifications.delivery import deliver
from airm_training.notifications.links import Link, target_of, url_of
from airm_training.notifications.models import (
    Channel,
    Notification,
    NotificationKind,
    NotificationPreference,
)


class Someone(Protocol):
    """A signed-in person, as far as notifications care."""

    id: int


def _people() -> Any:
    """The person model, found through ``Notification.person`` (this package imports no
    feature: the recipient's address, name and whether they are active are read there)."""
    return sa.inspect(Notification).relationships["person"].mapper.class_


def link_of(notification: Notification) -> str:
    return url_of(Link(notification.object_type, notification.object_id))


# --- sending -------------------------------------------------------------------------------
def send(
    kind: NotificationKind,
    recipients: Iterable[int | None],
    text: str,
    link: Link,
    *,
    actor_id: int | None = None,
) -> list[Notification]:
    """The same ``text`` to each recipient (person ids; duplicates count once)."""
    return send_each(kind, dict.fromkeys(recipients, text), link, actor_id=actor_id)


def send_each(
    kind: NotificationKind,
    messages: dict[int | None, str],
    link: Link,
    *,
    actor_id: int | None = None,
) -> list[Notification]:
    """One notification per active recipient (``messages``: person id → text); the
    actor is never told about their own action."""
    wanted = {pid: text for pid, text in messages.items() if pid is not None and pid != actor_id}
    if not wanted:
        return []
    Person = _people()
    rows = db.session.execute(
        sa.select(Person, NotificationPreference.channel)
        .outerjoin(NotificationPreference, NotificationPreference.person_id == Person.id)
        .where(Person.id.in_(wanted), Person.active.is_(True))
        .order_by(Person.id)
    ).all()
    created = []
    for person, channel in rows:
        notification = Notification(
            person_id=person.id,
            kind=kind.value,
            message=wanted[person.id][:300],
            object_type=link.object_type,
            object_id=link.object_id,
        )
        db.session.add(notification)
        created.append(notification)
        if channel != Channel.IN_APP_ONLY:
            _deliver_email(person, notification, link)
    db.session.flush()
    return created


def _deliver_email(person: Any, notification: Notification, link: Link) -> None:
    endpoint, values = target_of(link)
    body = render_template(
        "notifications/email/notification.txt",
        person=person,
        message=notification.message,
        link=external_url(endpoint, **values),
        preferences_link=external_url("notifications.preferences"),
        organisation=current_app.config["ORGANISATION_NAME"],
    )
    deliver(
        to=person.email,
        subject=f"AIRM Training & Credentials: {notification.heading}",
        body=body,
    )


# --- reading and marking -------------------------------------------------------------------
def notifications_of(person_id: int) -> sa.Select:
    return (
        sa.select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count_of(person_id: int) -> int:
    return db.session.scalar(_unread_count_statement(), {"person_id": person_id})


@cache
def _unread_count_statement() -> sa.Select:
    """Built once (the bell on every page asks it); the person is bound when it runs."""
    return (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.person_id == sa.bindparam("person_id"), Notification.read_at.is_(None))
    )


def mark_read(notification: Notification, person: Someone) -> None:
    if notification.person_id != person.id:
        raise DomainError.on(None, "This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(person: Someone) -> int:
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire_all()
    return changed


def channel_of(person_id: int) -> Channel:
    preference = db.session.get(NotificationPreference, person_id)
    return Channel(preference.channel) if preference else Channel.EMAIL_AND_IN_APP


def set_channel(person: Someone, channel: str) -> None:
    if channel not in {c.value for c in Channel}:
        raise DomainError.on("channel", "Choose how you want to be told.")
    before = channel_of(person.id)
    preference = db.session.get(NotificationPreference, person.id)
    if preference is None:
        preference = NotificationPreference(person_id=person.id)
        db.session.add(preference)
    preference.channel = channel
    db.session.flush()
    record_event(
        "notifications.channel_changed",
        "person",
        person.id,
        actor_id=person.id,
        before={"channel": before.value},
        after={"channel": channel},
    )
