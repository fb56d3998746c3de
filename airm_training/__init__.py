"""AIRM Training & Credentials: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from airm_training.core.db import end_read_only_transaction, install_connection_settings
from airm_training.core.input import register_input_guards
from airm_training.core.logs import log_server_error, register_logging
from airm_training.core.origin import register_origin_check
from airm_training.core.security import register_security_headers
from airm_training.credentials.holders import install as install_holder_counts
from airm_training.extensions import bootstrap, csrf, db, limiter, login_manager, mail, migrate
from airm_training.hours.backlog import install as install_signoff_backlog
from airm_training.progression.summary import install as install_standing_summary
from airm_training.progression.tally import install as install_hours_tally
from airm_training.resources import resource_dir
from airm_training.settings import flask_config


class AirmFlask(Flask):
    """Flask, with server errors logged by route rather than by path."""

    def log_exception(self, exc_info) -> None:
        log_server_error(self, exc_info)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application for ``config_name`` (default: ``AIRM_ENV`` or development);
    ``overrides`` replace configuration values. Gunicorn: ``airm_training:create_app()``."""
    config = flask_config(config_name, **overrides)
    app = AirmFlask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=config["INSTANCE_PATH"],
    )
    app.config.update(config)
    create_instance_folder(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    register_logging(app)
    register_proxy(app)
    register_extensions(app)
    register_input_guards(app)
    register_origin_check(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_security_headers(app)
    return app


def create_instance_folder(app: Flask) -> None:
    """The instance folder (``AIRM_INSTANCE_PATH``) holds the default SQLite database; it
    is created when missing, as a first ``airm db upgrade`` needs it."""
    try:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    except OSError:
        app.logger.warning("The instance folder %s cannot be created", app.instance_path)


def engine_options(config: dict) -> dict:
    """SQLite: a busy timeout for concurrent writers; PostgreSQL: a pool of the configured
    size whose links are pinged before use. Production hides statement parameters (record
    text) from error messages and logs."""
    options: dict = {"hide_parameters": config["ENV_NAME"] == "production"}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return {**options, "connect_args": {"timeout": 15}}
    return {
        **options,
        "pool_pre_ping": True,
        "pool_size": config["DB_POOL_SIZE"],
        "max_overflow": config["DB_MAX_OVERFLOW"],
    }


def register_proxy(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` trusted proxies (nginx: 1), believe their X-Forwarded-For,
    -Proto and -Host, so the client address, scheme and host are the real ones."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_extensions(app: Flask) -> None:
    """Bind the extension instances to this app."""
    import airm_training.models  # noqa: F401 - registers every table on the metadata

    install_connection_settings()
    install_hours_tally()
    install_standing_summary()
    install_signoff_backlog()
    install_holder_counts()
    db.init_app(app)
    app.teardown_request(end_read_only_transaction)  # before the session's removal
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from airm_training.people.models import Person

    @login_manager.user_loader
    def load_person(session_id: str) -> Person | None:
        person_id, _, version = session_id.partition(":")
        if not person_id.isdigit() or not version.isdigit():
            return None
        # The roles every page asks about, and the primary supervisor the home pages
        # name, load with the person in the same query.
        person = db.session.get(
            Person,
            int(person_id),
            options=[
                joinedload(Person.role_assignments),
                joinedload(Person.primary_supervisor).lazyload(Person.role_assignments),
            ],
        )
        if person is None or not person.active or person.session_version != int(version):
            return None
        return person


def register_blueprints(app: Flask) -> None:
    """Every feature's blueprint, plus the ``flask airm`` command group."""
    # Modules that add routes to the assessments and auth blueprints:
    import airm_training.assessments.bank_routes
    import airm_training.auth.security_routes
    import airm_training.main.health
    import airm_training.reports.mail_delivery  # noqa: F401
    from airm_training.agreements.routes import bp as agreements_bp
    from airm_training.archive.routes import bp as archive_bp
    from airm_training.assessments.routes import bp as assessments_bp
    from airm_training.auth.routes import bp as auth_bp
    from airm_training.cli import bp as cli_bp
    from airm_training.continuing.routes import bp as continuing_bp
    from airm_training.curriculum.routes import bp as curriculum_bp
    from airm_training.directory.routes import bp as directory_bp
    from airm_training.hours.routes import bp as hours_bp
    from airm_training.invitations.routes import bp as invitations_bp
    from airm_training.main.routes import bp as main_bp
    from airm_training.notifications.routes import bp as notifications_bp
    from airm_training.people.routes import bp as people_bp
    from airm_training.privacy import cli as _privacy_commands  # noqa: F401 - on cli_bp
    from airm_training.privacy.routes import bp as privacy_bp
    from airm_training.programme.routes import bp as programme_bp
    from airm_training.progression.routes import bp as progression_bp
    from airm_training.progression.verify import bp as verify_bp
    from airm_training.records.routes import bp as records_bp
    from airm_training.records.routes import public_bp as records_public_bp
    from airm_training.reports.audit_trail import bp as audit_bp
    from airm_training.reports.routes import bp as reports_bp
    from airm_training.signatures.routes import bp as signatures_bp
    from airm_training.supporting.routes import bp as supporting_bp
    from airm_training.verifiable.routes import bp as verifiable_bp

    for blueprint in (
        main_bp,
        auth_bp,
        people_bp,
        curriculum_bp,
        hours_bp,
        assessments_bp,
        progression_bp,
        verify_bp,
        verifiable_bp,
        audit_bp,
        notifications_bp,
        reports_bp,
        programme_bp,
        privacy_bp,
        records_bp,
        records_public_bp,
        directory_bp,
        invitations_bp,
        supporting_bp,
        agreements_bp,
        archive_bp,
        continuing_bp,
        signatures_bp,
        cli_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from airm_training.errors import register_errorhandlers as register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from airm_training.auth.sessions import enforce_session_limits, enforce_two_factor_enrolment
    from airm_training.core.permissions import check_view_access

    app.before_request(enforce_session_limits)
    app.before_request(enforce_two_factor_enrolment)
    app.before_request(check_view_access)


def register_template_helpers(app: Flask) -> None:
    from airm_training.access.signed_in import person_is_supervisor, unread_notifications
    from airm_training.core.clock import local_date, local_datetime_text, today, utcnow
    from airm_training.core.durations import duration_label
    from airm_training.core.links import id_links
    from airm_training.people.models import Role
    from airm_training.privacy.scan import all_labels
    from airm_training.programme.models import stage_labels
    from airm_training.reports.audit_view import value_html

    app.add_template_filter(all_labels, "privacy_labels")
    app.add_template_filter(
        lambda moment: local_date(moment).isoformat() if moment else "", "local_date"
    )
    app.add_template_filter(duration_label, "duration")
    app.add_template_filter(value_html, "audit_value")
    app.add_template_filter(stage_labels, "stage_labels")
    app.add_template_filter(
        lambda moment: local_datetime_text(moment) if moment else "",
        "local_datetime",
    )
    # Lists link their rows with one url_for: {% set link = id_links('hours.show', 'entry_id') %}
    app.add_template_global(id_links, "id_links")

    @app.context_processor
    def inject_globals():
        return {
            "organisation_name": app.config["ORGANISATION_NAME"],
            "Role": Role,
            "is_supervisor": person_is_supervisor,
            "unread_notifications": unread_notifications,
            "today": today,
            "now": utcnow(),
        }
