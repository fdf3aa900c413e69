"""The web UI: a Flask app over one ``Services`` (records, index, permissions).

``create_app(services)`` builds the app; ``serve(services, host, port)`` runs it on waitress.
Everything the app needs is on the app itself (``app.extensions["shoko"]``);
there is no module-level state, so tests can build as many apps as they like.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask

from shoko.claims import CachedReadings
from shoko.services import Services
from shoko.settings import CONFIG_DIR, load_config

from webui import errors, security
from webui.accounts import SignInGuard, ensure_first_admin
from webui.labels import register_filters
from webui.rendering import PageRenderer
from webui.uploads import recover_staged


def create_app(services: Services | None = None, test_config: dict | None = None) -> Flask:
    """The shoko web app over ``services`` (default: the configured data directory).

    Raises ``kernel.errors.ConfigError`` when there is no account yet and no
    ``SHOKO_ADMIN_PASSWORD`` to create the first admin from.
    """
    services = services or Services(load_config())
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=security.secret_key(services.config),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(services.config.session_cookie_secure),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=services.config.session_hours),
        MAX_CONTENT_LENGTH=200 * 1024 * 1024,
        RESULTS_PER_PAGE=20,
        # Uploads up to this size (all files together) may be ingested while the user waits.
        SYNC_INGEST_MAX_BYTES=10 * 1024 * 1024,
        SYNC_INGEST_MAX_FILES=5,
        BILLING_CATALOGUE=str(CONFIG_DIR / "billing.toml"),
        PAGE_IMAGE_MAX_SIDE=1800,  # pixels, longest side of a rendered page
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["shoko"] = services
    app.extensions["shoko_pages"] = PageRenderer(app.config["PAGE_IMAGE_MAX_SIDE"])
    app.extensions["shoko_signin"] = SignInGuard.from_config(services.config)
    app.extensions["shoko_readings"] = CachedReadings(services.records)
    ensure_first_admin(services)
    recover_staged(services)

    security.init_app(app)
    errors.init_app(app)
    register_filters(app)

    from webui import admin, auth, documents, homereturn, inbox, month, patients, search, trash, worklists

    for module in (auth, search, documents, patients, inbox, month, homereturn, admin, trash, worklists):
        app.register_blueprint(module.bp)
    # "/" is the signed-in user's work list (worklists.home); "index" names it too.
    app.add_url_rule("/", endpoint="index", view_func=app.view_functions["worklists.home"])
    return app


def serve(services: Services, host: str = "127.0.0.1", port: int = 8080, app: Flask | None = None) -> None:
    """Run the web UI on ``host:port`` with waitress until SIGINT/SIGTERM.

    Waitress reads each request whole before a worker thread sees it, so slow or
    half-sent requests hold no thread; ``server_threads`` answer, at most
    ``server_connection_limit`` connections are open."""
    import waitress

    config = services.config
    options = {}
    if config.server_trusted_proxy:
        # Behind a TLS proxy: the client's address (for the sign-in lock-out) and https come from it.
        options = {"trusted_proxy": config.server_trusted_proxy,
                   "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                   "clear_untrusted_proxy_headers": True}
    app = app or create_app(services)
    # Month reports and list facts are counted again in the background after each change,
    # so the work list and the month view answer from ready readings.
    threading.Thread(target=app.extensions["shoko_readings"].keep_warm, args=(threading.Event(),),
                     name="readings-warmer", daemon=True).start()
    waitress.serve(app, host=host, port=port, threads=max(1, config.server_threads),
                   connection_limit=max(1, config.server_connection_limit), channel_timeout=60,
                   cleanup_interval=10, **options)
