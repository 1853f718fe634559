"""LearnCircle: a self-hosted home for a small learning community."""
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, redirect, request, url_for
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import assets, db, errors, formkeys, i18n, instance, leaving, logs, site, text, timefmt, web
from . import config as settings
from .i18n import lazy_gettext
from .limits import limiter

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()
login_manager = LoginManager()
compress = Compress()


def create_app(test_config=None):
    """Build the application: settings, database, extensions, blueprints, error pages."""
    instance_path = os.environ.get("LEARNCIRCLE_INSTANCE_PATH", str(ROOT / "instance"))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    instance.prepare(app.instance_path, notice=app.logger.warning)

    app.config.update(settings.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings.from_environment())
    instance.check_configured_key(app.config.get("SECRET_KEY"))  # the deployer's; a test's may be short
    if test_config:
        app.config.update(test_config)
    # The limiter is shared by every app made in one process (tests make many): say it each time.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance.secret_key(app.instance_path)
    instance.check_database(app.config["DATABASE_URL"], notice=app.logger.warning)
    settings.check(app.config)
    if not app.config.get("BASE_URL"):
        app.wsgi_app = site.SecureCookiesOverHttps(app.wsgi_app)  # inside ProxyFix: sees the scheme it reports
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        # Behind a reverse proxy: take the client address (rate limits) and scheme from it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    secure = site.cookie_secure(app.config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
        # The login session row ends then too (accounts/sessions.py); the cookies just agree with it.
        REMEMBER_COOKIE_DURATION=timedelta(days=int(app.config["REMEMBER_DAYS"])),
        PERMANENT_SESSION_LIFETIME=timedelta(days=int(app.config["REMEMBER_DAYS"])),
        WTF_CSRF_TIME_LIMIT=None,  # a reply typed over an afternoon must still post
        MAX_CONTENT_LENGTH=1024 * 1024,
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/javascript", "text/javascript",
                            "application/json", "text/csv", "image/svg+xml"],
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=6,  # a 50-post thread page: 50 bytes smaller than at 5, for about 0.1 ms
        COMPRESS_BR_WINDOW=18,  # 256 KB: larger than any page, a sixteenth of the default's memory
        RATELIMIT_STORAGE_URI=app.config["RATELIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=False,
    )

    db.init_app(app)
    Htmx(app)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    web.init_app(app)
    i18n.init_app(app)
    timefmt.init_app(app)
    assets.init_app(app)
    formkeys.init_app(app)
    leaving.init_app(app)
    text.init_app(app)
    errors.init_app(app)
    logs.init_app(app)
    _init_login(app)
    _register_blueprints(app)

    from . import cli
    cli.init_app(app)
    return app


def _init_login(app):
    from .accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to see that page.")
    login_manager.localize_callback = str  # flashed in the language of the page that asked
    login_manager.login_message_category = "info"
    login_manager.user_loader(User.from_session_id)

    @app.before_request
    def _first_run_setup():
        """Until the instance has an admin, every page leads to the one-time setup page."""
        if app.config.get("_HAS_USERS") or request.endpoint in (None, "static", "vendor.static", "accounts.setup"):
            return None
        if User.exists():
            app.config["_HAS_USERS"] = True
            return None
        return redirect(url_for("accounts.setup"))


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in URLs, capped at the largest id a database holds: a longer number is a 404, not a crash."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app):
    app.url_map.converters["int"] = DatabaseInteger

    from . import audit  # noqa: F401  (its model is the instance's; the schema test finds models from here)
    from .moderation import models as moderation_models  # noqa: F401  (likewise, until its views import it)
    from .accounts.views import bp as accounts
    from .admin.views import bp as admin
    from .circles.views import bp as circles
    from .discussions.prompt_views import bp as prompts
    from .discussions.reading_views import bp as reading
    from .discussions.voice_views import bp as voices
    from .discussions.watch_views import bp as watching
    from .discussions.views import bp as discussions
    from .discussions.mention_views import bp as mentions
    from .discussions.reaction_views import bp as reactions
    from .leaving import bp as leaving
    from .notices.views import bp as notices
    from .reviews import background_allocation
    from .reviews.facilitator.rubric_views import bp as reviews_rubric
    from .reviews.facilitator.views import bp as reviews_facilitator
    from .reviews.participant.views import bp as reviews_participant
    from .search.views import bp as search
    from .mail import sender as mail_sender
    from .mail import views as mail_views

    for blueprint in (accounts, circles, discussions, reviews_participant, reviews_facilitator, reviews_rubric,
                      notices, leaving, reading, prompts, watching, voices, mentions, search, reactions, mail_views.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(admin)  # the instance admin's pages (admin/)
    from .people import views as people_views

    app.register_blueprint(people_views.bp)  # muting and blocking (people/)
    from .accounts.data_views import bp as your_data

    app.register_blueprint(your_data)  # your data: export and account deletion (accounts/export.py, deletion.py)
    from .newcomers import access as newcomer_access
    from .newcomers import approval_views, wording
    from .newcomers import views as newcomer_views

    # New members (newcomers/): a circle's limits for them, and the posts waiting for approval.
    app.register_blueprint(newcomer_views.bp)
    app.register_blueprint(approval_views.bp)
    newcomer_access.init_app(app)
    wording.init_app(app)
    from .moderation import access as moderation_access
    from .moderation import flag_views

    app.register_blueprint(flag_views.bp)  # flags and "ask for another look" (moderation/flags.py)
    from .moderation import views as moderation_views

    app.register_blueprint(moderation_views.bp)  # the review queue, its actions, the moderation log, settings
    moderation_access.init_app(app)  # who may flag, review the queue, read the log (template globals)
    from .meetings import access as meeting_access
    from .meetings import calendar_views, poll_views, record_views, times as meeting_times
    from .meetings import notice_kinds  # noqa: F401  (registers what the meeting notices say)
    from .meetings import views as meeting_views

    for blueprint in (meeting_views.bp, poll_views.bp, record_views.bp, calendar_views.bp):
        app.register_blueprint(blueprint)  # live meetings (meetings/)
    meeting_access.init_app(app)
    meeting_times.init_app(app)
    # RFC 8058's one-click POST comes from a mail program with no CSRF token: the signed token is its authority.
    csrf.exempt(mail_views.unsubscribe_page)
    mail_sender.init_app(app)  # the outbox's sending thread (started by `learncircle serve` and wsgi.py)
    # The server's background allocation of reviewers (started by `learncircle serve` and wsgi.py).
    background_allocation.init_app(app)
    from . import housekeeping

    housekeeping.init_app(app)  # the hourly pruning thread (started by `learncircle serve` and wsgi.py)
    # Each feature's "who may" rules, as template globals: the same rule hides a button and refuses the request.
    from .accounts import access as account_access
    from .circles import access as circle_access
    from .discussions import access as discussion_access
    from .reviews import access as review_access

    for rules in (account_access, circle_access, discussion_access, review_access):
        rules.init_app(app)
    from .admin import access as admin_access

    admin_access.init_app(app)
    from .people import access as people_access

    people_access.init_app(app)
    from .notices import badge as notice_badge
    from .reviews import rules as review_vocabulary

    notice_badge.init_app(app)
    review_vocabulary.init_app(app)  # labels of peer review's stored codes (phases, settings)
