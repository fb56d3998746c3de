"""The public directory: opt-in (off by default) with a preview, an explicit allow-list of
fields, never an opted-out, lapsed, revoked or deactivated person, filters, rate limit and
caching, and the profile form's rules."""

from __future__ import annotations

from dataclasses import fields

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import add_months, today
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.directory.models import DirectoryProfile
from airm_training.directory.services import (
    PUBLIC_FIELDS,
    DirectoryEntry,
    ShownCredential,
    update_profile,
)
from airm_training.extensions import db
from airm_training.privacy.sweep import sweep
from airm_training.programme.services import current_version
from airm_training.progression.services import new_certificate, revoke
from tests.factories import login, make_candidate, make_director, make_licensed, make_supervisor
from tests.query_count import count_queries

# What the directory may show of a person, written out here: a new field on the entry
# fails this test until someone decides it is public.
ALLOWED_FIELDS = ("name", "credentials", "licences", "modalities", "bio")
ALLOWED_CREDENTIAL_FIELDS = ("code", "name", "valid_until")


def _listed(person, bio="Supervises AIRM consultation groups.", modalities=("EMDR",)):
    update_profile(person, listed=True, bio=bio, modalities=list(modalities))
    db.session.commit()
    return person


@pytest.fixture
def director():
    return make_director()


@pytest.fixture
def supervisor(director):
    person = make_supervisor(director=director)
    make_licensed(person, verifier=director)
    return person


def _names(client, query: str = "") -> str:
    response = client.get(f"/directory/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_entry_holds_only_the_allowed_fields():
    assert PUBLIC_FIELDS == ALLOWED_FIELDS
    assert tuple(f.name for f in fields(DirectoryEntry)) == ALLOWED_FIELDS
    assert tuple(f.name for f in fields(ShownCredential)) == ALLOWED_CREDENTIAL_FIELDS


def test_nobody_is_listed_by_default(client, supervisor):
    assert supervisor.full_name not in _names(client)
    login(client, supervisor)
    page = client.get("/directory/profile").get_data(as_text=True)
    assert "You have not chosen to be listed." in page
    assert 'name="listed"' in page and "checked" not in page.split('name="listed"')[1][:40]


def test_an_opted_in_supervisor_is_listed_without_anything_private(client, supervisor):
    _listed(supervisor)
    html = _names(client)
    assert supervisor.full_name in html
    assert "AIRT-S · current" in html
    assert "LMHC (Washington)" in html
    assert "Supervises AIRM consultation groups." in html
    licence = supervisor.licences[0]
    for private in (supervisor.email, licence.number, licence.expires_on.isoformat()):
        assert private not in html


def test_opted_out_lapsed_revoked_and_deactivated_people_are_never_listed(client, director):
    opted_out = make_supervisor(director=director)
    _listed(opted_out)
    update_profile(opted_out, listed=False, bio="", modalities=[])
    lapsed = make_supervisor(director=director, awarded_on=add_months(today(), -30))
    _listed(lapsed)
    revoked = make_supervisor(director=director)
    _listed(revoked)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == revoked.id)
    )
    certificate = new_certificate(revoked, award, director, [], application_id=None)
    revoke(director, certificate, "Issued in error.")
    deactivated = make_supervisor(director=director)
    _listed(deactivated)
    deactivated.active = False
    # like Hannah in the demo: AIRT-C in force, AIRT-S expired (in grace)
    expired_supervisor = make_candidate(director=director, enrolled_on=add_months(today(), -40))
    award_credential(
        expired_supervisor,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=add_months(today(), -25),
    )
    _listed(expired_supervisor)
    db.session.commit()
    current = _listed(make_supervisor(director=director))
    html = _names(client)
    assert current.full_name in html
    for person in (opted_out, lapsed, revoked, deactivated, expired_supervisor):
        assert person.full_name not in html, person.full_name
    login(client, expired_supervisor)
    assert "none of yours may have expired, lapsed or been revoked" in client.get(
        "/directory/profile"
    ).get_data(as_text=True)


def test_a_renewed_credential_keeps_the_entry(client, director):
    person = make_supervisor(director=director, awarded_on=add_months(today(), -30))
    _listed(person)
    assert person.full_name not in _names(client)
    old = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == person.id)
    )
    old.status = AwardStatus.SUPERSEDED.value  # what a renewal does to the old award
    award_credential(
        person, "AIRT-S", actor_id=director.id, version=current_version(), awarded_on=today()
    )
    db.session.commit()
    assert person.full_name in _names(client)


def test_filters_by_credential_and_location(client, director, supervisor):
    _listed(supervisor)
    candidate = _listed(make_candidate(director=director))
    everyone = _names(client)
    assert supervisor.full_name in everyone and candidate.full_name in everyone
    only_supervisors = _names(client, "?credential=AIRT-S")
    assert supervisor.full_name in only_supervisors
    assert candidate.full_name not in only_supervisors
    assert supervisor.full_name in _names(client, "?location=Washington")
    elsewhere = _names(client, "?location=Oregon")  # not a choice: ignored, everyone
    assert candidate.full_name in elsewhere
    assert "Nobody is listed" not in everyone
    nobody = _names(client, "?credential=AIRT-S&location=Washington&page=9")
    assert supervisor.full_name not in nobody


def test_the_public_page_is_cacheable_and_revalidates(app, client, supervisor):
    _listed(supervisor)
    response = client.get("/directory/")
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    etag = response.headers["ETag"]
    again = client.get("/directory/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    signed_in = app.test_client()
    login(signed_in, supervisor)
    assert signed_in.get("/directory/").headers["Cache-Control"] == "no-store"


def test_the_public_page_is_rate_limited(app, client):
    limit = app.config["VERIFY_RATE_LIMIT"]
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/directory/").status_code for _ in range(4)]
    finally:
        app.config["VERIFY_RATE_LIMIT"] = limit
    assert statuses == [200, 200, 200, 429]


def test_the_page_takes_as_many_queries_for_many_people_as_for_one(client, director):
    _listed(make_supervisor(director=director))
    one = count_queries(lambda: client.get("/directory/"))
    for _ in range(5):
        person = make_supervisor(director=director)
        make_licensed(person, verifier=director)
        _listed(person)
    assert count_queries(lambda: client.get("/directory/")) == one


# --- the profile -------------------------------------------------------------------------
def test_saving_the_profile_lists_the_person_and_is_audited(client, supervisor):
    login(client, supervisor)
    response = client.submit(
        "/directory/profile",
        {"listed": "y", "bio": "Consultation on AIRM stage 2.", "modalities": ["ACT", "EMDR"],
         "save": "Save"},
    )  # fmt: skip
    assert response.status_code == 302
    profile = db.session.scalar(
        sa.select(DirectoryProfile).where(DirectoryProfile.person_id == supervisor.id)
    )
    assert (profile.listed, profile.modalities) == (True, ["ACT", "EMDR"])
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "directory.profile_updated")
    )
    assert event.after == {"listed": True, "modalities": ["ACT", "EMDR"], "bio_changed": True}
    assert "You are listed in the public directory." in client.get("/directory/profile").get_data(
        as_text=True
    )


def test_the_preview_shows_the_changes_without_saving_them(client, supervisor):
    login(client, supervisor)
    response = client.submit(
        "/directory/profile", {"listed": "y", "bio": "A bio to preview.", "preview": "Preview"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview of your changes (not saved)" in html
    assert "A bio to preview." in html
    assert supervisor.full_name in html and "AIRT-S · current" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryProfile)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bio": "x" * 601}, "longer than 600 characters"),
        ({"modalities": ["Hypnosis"]}, "Not a modality of the programme: Hypnosis."),
        ({"bio": "My client Tom Becker's mother called me."}, "may identify a client"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(client, supervisor, data, message):
    login(client, supervisor)
    response = client.submit("/directory/profile", {"listed": "y", "save": "Save", **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryProfile)) == 0


def test_the_service_refuses_a_long_bio_and_unknown_modalities(supervisor):
    from airm_training.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        update_profile(supervisor, listed=True, bio="x" * 601, modalities=["Hypnosis", "EMDR"])
    assert [field for field, _reason in refused.value.problems] == ["bio", "modalities"]


def test_a_confirmed_bio_is_saved_and_the_confirmation_audited(client, supervisor):
    login(client, supervisor)
    bio = "My client Tom Becker's mother called me."
    response = client.submit(
        "/directory/profile",
        {"listed": "y", "bio": bio, "confirm_no_identifiers": "y", "save": "Save"},
    )
    assert response.status_code == 302
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "privacy.confirmed", AuditEvent.object_type == "person"
        )
    )


def test_the_privacy_sweep_reads_directory_bios_and_links_to_the_person(
    client, director, supervisor
):
    _listed(supervisor, bio="Supervises groups; call me on 206-555-0143.")
    quiet = make_supervisor(director=director)
    _listed(quiet, bio="Supervises AIRM consultation groups.")
    found = {(row.source.key, row.owner_id) for row in sweep()}
    assert ("directory_profile.bio", supervisor.id) in found
    assert ("directory_profile.bio", quiet.id) not in found
    login(client, director)
    page = client.get("/privacy/sweep").get_data(as_text=True)
    assert "public directory bio" in page  # named among the texts the sweep reads
    assert "Public directory bio" in page  # and as where the finding is
    assert f'href="/people/{supervisor.id}"' in page
    assert "206-555-0143" not in page


def test_the_profile_needs_a_signed_in_person_and_csrf(app, client, supervisor):
    assert client.get("/directory/profile").status_code == 302
    login(client, supervisor)
    response = client.post("/directory/profile", data={"listed": "y", "save": "Save"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryProfile)) == 0


def test_a_person_only_ever_changes_their_own_profile(app, client, supervisor, director):
    """The form has no person field: a posted ``person_id`` is ignored."""
    other = make_supervisor(director=director)
    login(client, supervisor)
    client.submit("/directory/profile", {"listed": "y", "save": "Save", "person_id": str(other.id)})
    owners = set(db.session.scalars(sa.select(DirectoryProfile.person_id)))
    assert owners == {supervisor.id}


def test_the_demo_lists_its_opted_in_supervisors_and_not_hannah(client):
    from airm_training.demo import seed_demo

    seed_demo()
    db.session.commit()
    html = _names(client)
    for name in ("Connie Zollner", "Elizabeth Abbruzza", "Jessica Lamar", "Daniel Okafor"):
        assert name in html
    assert "Hannah Price" not in html  # opted in, but her AIRT-S has expired
    assert "Aubrey Holden" not in html  # never opted in
