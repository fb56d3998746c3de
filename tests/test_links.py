"""Links built once for a list (``core.links.id_links``) equal ``url_for`` for every id,
under a path prefix too (as behind a proxy that mounts the app below ``/training``)."""

from __future__ import annotations

import pytest

from airm_training.core.links import id_links


@pytest.mark.parametrize("root", ["", "/training"])
def test_id_links_equal_url_for_for_every_id(app, root):
    from flask import url_for

    with app.test_request_context("/", base_url=f"http://centre.example{root}/"):
        people = id_links("people.show", "person_id")
        entries = id_links("hours.show", "entry_id")
        for record_id in (1, 7, 42, 2_147_483_647, 10**12):
            assert people(record_id) == url_for("people.show", person_id=record_id)
            assert entries(record_id) == url_for("hours.show", entry_id=record_id)
        assert people(5) == f"{root}/people/5"


def test_id_links_take_only_integer_ids(app):
    with app.test_request_context("/"):
        people = id_links("people.show", "person_id")
        with pytest.raises(ValueError):
            people("5/../admin")
