"""Error pages in the site layout, and a short message for htmx requests that fail."""
from flask import render_template
from werkzeug.exceptions import HTTPException

from .web import is_fragment_request

MESSAGES = {
    400: ("Bad request", "Something in that request did not make sense. Reload the page and try again."),
    401: ("Please log in", "You need to be signed in to see this page."),
    403: ("Not allowed", "Your role here does not allow that."),
    404: ("Not found", "There is nothing here, or it is not visible to you."),
    405: ("Not allowed", "That page cannot be used that way."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: ("Slow down", "Too many attempts. Wait a few minutes and try again."),
    500: ("Something went wrong", "The error has been logged. Nothing you typed was saved; go back to keep it."),
}


def init_app(app):
    @app.errorhandler(HTTPException)
    def _http_error(error):
        code = error.code or 500
        if code == 401:
            from . import login_manager
            return login_manager.unauthorized()
        title, message = MESSAGES.get(code, (error.name, error.description))
        if code == 429:
            message = getattr(error, "description", None) or message
            if not isinstance(message, str) or message.startswith(("10 per", "Too Many")) or " per " in message:
                message = MESSAGES[429][1]
        if code == 400 and "CSRF" in str(error.description):
            message = "This form has expired or was sent from elsewhere. Reload the page and send it again."
        template = "errors/_error.html" if is_fragment_request() else "errors/error.html"
        return render_template(template, code=code, title=title, message=message), code

    @app.errorhandler(500)
    def _server_error(error):
        title, message = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, message=message), 500
