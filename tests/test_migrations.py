"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pprint

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from airm_training.extensions import db
from airm_training.resources import resource_dir

MIGRATIONS = resource_dir("migrations")


def test_migrations_match_the_models():
    """The session database was built by running the migrations (see conftest)."""
    connection = db.session.connection()
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    diff = compare_metadata(context, db.metadata)
    assert diff == [], "migrations and models differ:\n" + pprint.pformat(diff, width=100)


def test_every_model_table_exists():
    tables = set(sa.inspect(db.session.connection()).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_database_is_at_the_head_revision():
    scripts = ScriptDirectory(str(MIGRATIONS))
    heads = scripts.get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    versions = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    assert versions == [heads[0]]
    # and that head is a revision file under migrations/versions
    assert scripts.get_revision(heads[0]).path.startswith(str(MIGRATIONS / "versions"))
