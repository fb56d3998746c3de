"""The registered people whose names are not client identifiers, read once per request
or command."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.privacy.people import Registry


def registered_people() -> Registry:
    """Everyone with an account (candidates, supervisors, staff), cached on ``g``."""
    registry = g.get("privacy_registry")
    if registry is None:
        registry = Registry.of(list(db.session.scalars(sa.select(Person.full_name))))
        g.privacy_registry = registry
    return registry
