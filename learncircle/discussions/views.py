"""Discussions: a circle's threads, a thread's posts, replies, edits, pin and lock."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from .. import errors, formkeys, limits, text, web
from ..circles import access as circle_access
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..circles.models import Circle
from ..moderation import hooks as moderation_hooks
from ..newcomers import posting as newcomer_posting, wording as newcomer_wording
from ..newcomers.rules import THREADS as THREADS_LIMIT, LimitReached
from . import access, mentions, quotes, reading
from .forms import (
    AnswerForm,
    EditPostForm,
    HidePostForm,
    LockForm,
    PinForm,
    PreviewForm,
    ReplyForm,
    ThreadForm,
    UnhideForm,
)
from .models import BODY_MAX, AnswerRefused, Post, Thread, ThreadLocked

bp = Blueprint("discussions", __name__)

LOCKED_TITLE = _l("This thread is locked")
LOCKED_MESSAGE = _l("Replies are closed: the circle's facilitators locked this thread.")
NOT_PUBLISHED_YET = (_l("This prompt is not published yet"),
                     _l("Replies open when the prompt publishes itself, or when a facilitator publishes it now."))
HIDDEN_THREAD = (_l("This thread is hidden"),
                 _l("A hidden thread takes no replies until the circle's facilitators show it again."))
NOT_THE_ANSWER = (_l("This cannot be the answer"),
                  _l("Only a reply that the circle can read can be marked as the answer."))
ANSWER_REFUSALS = {
    AnswerRefused.NOT_A_QUESTION: (_l("Only questions have answers"),
                                   _l("This thread is a discussion: only a reply to a question can be marked "
                                      "as its answer.")),
    AnswerRefused.OPENING_POST: (_l("The question cannot be its own answer"),
                                 _l("Mark one of the replies as the answer, not the question itself.")),
    AnswerRefused.NOT_SHOWN: (_l("This cannot be the answer"),
                              _l("A deleted or hidden reply cannot be marked as the answer.")),
}


# ---- loading and refusing -----------------------------------------------------------------------

def _thread_or_404(thread_id):
    """Load a thread with its circle; 404 when it is missing or its circle is hidden from the viewer."""
    thread = Thread.with_circle(thread_id)
    if thread is None or not access.can_read_thread(current_user, thread):
        abort(404)
    return thread


def _post_or_404(post_id):
    """Load a post with its author, thread and circle; 404 when it is missing or hidden from the viewer."""
    post = Post.with_thread(post_id)
    if post is None or not access.can_read_thread(current_user, post.thread):
        abort(404)
    return post


def _require(allowed):
    if not allowed:
        abort(403)


def _refuse_locked():
    """Refuse a reply to a locked thread, saying why, as a page or an htmx fragment."""
    return errors.page(409, LOCKED_TITLE, LOCKED_MESSAGE)


@bp.errorhandler(429)
def _too_fast(error):
    """Over a posting or preview budget: the same form again with what was typed, and why."""
    if not limits.wants_form_again(error) or request.endpoint not in ("discussions.new_thread", "discussions.reply"):
        return limits.refusal(error)
    if request.endpoint == "discussions.new_thread":
        circle = circle_access.circle_or_404(request.view_args["slug"])
        _require(access.can_post(current_user, circle))
        flash(error.description, "error")
        return web.render("discussions/new_thread.html", status=429, circle=circle, form=ThreadForm(),
                          preview_html=None)
    thread = _thread_or_404(request.view_args["thread_id"])
    _require(access.can_post(current_user, thread.circle))
    flash(error.description, "error")
    return web.render("discussions/reply.html", status=429, thread=thread, circle=thread.circle,
                      reply_form=ReplyForm())


def _thread_url(thread, **args):
    return url_for("discussions.thread", thread_id=thread.id, **args)


def _permalink(post):
    return url_for("discussions.permalink", post_id=post.id)


def _user():
    return current_user._get_current_object()


# ---- new thread and preview ---------------------------------------------------------------------

@bp.route("/c/<slug>/threads/new", methods=["GET", "POST"])
@login_required
@limits.posting
@limits.previews_in_form
def new_thread(slug):
    circle = circle_access.circle_or_404(slug)
    _require(access.can_post(current_user, circle))
    form = ThreadForm()
    preview_html, status = None, 200
    if form.is_submitted() and request.form.get("action") == "preview":
        # Preview without JavaScript: the same form comes back with the rendered text below it.
        if form.body.validate(form):
            preview_html = mentions.render(form.body.data, circle.id).html
        else:
            status = 422
    elif form.validate_on_submit():
        publish_at = form.publishing_time()
        _require(publish_at is None or access.can_schedule_prompts(current_user, circle))
        try:
            thread = newcomer_posting.start_thread(circle=circle, author=_user(), title=form.title.data,
                                                   kind=form.kind.data, body=form.body.data,
                                                   form_key=form.form_key.data, publish_at=publish_at)
        except formkeys.DuplicateSubmission as sent:
            return web.see_other(web.safe_next(sent.result_url, url_for("circles.circle", slug=circle.slug)))
        except LimitReached as reached:
            status = _over_newcomer_limit(form, reached)
        else:
            _say_if_held(thread)
            return web.see_other(_thread_url(thread))
    elif form.is_submitted():
        status = 422
    return web.render("discussions/new_thread.html", status=status, circle=circle, form=form,
                      preview_html=preview_html)


@bp.route("/preview", methods=["POST"])
@login_required
@limits.previews
def preview():
    """Render Markdown as it will look once posted: the fragment htmx swaps into a preview box.

    With ?circle=<slug> of a circle the writer can post in, its members' @names are linked as they will be;
    any other slug is ignored (the preview is then the same as for a circle that does not exist).
    """
    form = PreviewForm(meta={"csrf": False})  # CSRFProtect has already checked this request
    valid = form.body.validate(form)
    preview_html = _preview_html(form.body.data, request.args.get("circle")) if valid else None
    return web.fragment("discussions/_preview.html", preview_html=preview_html, preview_errors=form.body.errors)


def _preview_html(body, slug):
    circle = Circle.by_slug(slug) if slug else None
    if circle is not None and access.can_post(current_user, circle):
        return mentions.render(body, circle.id).html
    return text.render_markdown(body)


# ---- reading ------------------------------------------------------------------------------------

@bp.route("/t/<int:thread_id>", endpoint="thread")
@login_required
def show_thread(thread_id):
    thread = reading.thread_for_reader(thread_id, current_user)
    if thread is None or not access.can_read_thread(current_user, thread):
        if thread is not None and access.is_hidden_from(current_user, thread):  # that it is hidden, nothing more
            return web.render("moderation/hidden_thread.html", circle=thread.circle, hidden_kind=thread.hidden_kind)
        abort(404)
    page = web.page_number()
    if page > thread.page_count:
        abort(404)
    posts = Post.page_of(thread, page, viewer=current_user.id)  # with which reactions are the reader's own
    # Where the reader's new posts begin on this page (for the "New" mark), then remember this page as read.
    seen = thread.last_read
    first_new = seen + 1 if seen is not None and posts and posts[-1].number > seen else None
    if current_user.is_authenticated and posts and posts[-1].number > (seen or 0):
        reading.record(current_user, thread, posts[-1].number)
    answer, answer_here = thread.answer_among(posts)
    reply_form = ReplyForm.blank()
    prefill = request.args.get("reply")
    if prefill:  # a reply begun elsewhere ("Every voice"): in the box, to be finished and sent by its writer
        reply_form.body.data = prefill[:BODY_MAX]
    quoting = request.args.get("quote", type=int)
    if quoting and access.can_reply(current_user, thread.circle, thread):  # the "Quote" link of a post
        reply_form.body.data = quotes.quote(thread, quoting) or reply_form.body.data
    return web.render("discussions/thread.html", thread=thread, circle=thread.circle, posts=posts, page=page,
                      reply_form=reply_form, answer=answer, answer_here=answer_here, first_new=first_new)


@bp.route("/p/<int:post_id>")
@login_required
def permalink(post_id):
    """Send the reader to the page and anchor of a post; htmx gets the post itself (to end an edit). A post of a
    thread hidden from the reader leads to the thread's page, which says it is hidden."""
    post = Post.with_thread(post_id)
    if post is not None and access.is_hidden_from(current_user, post.thread):
        return redirect(_thread_url(post.thread))
    post = _post_or_404(post_id)
    if web.is_fragment_request():
        return web.fragment("discussions/_posts.html", posts=[post], thread=post.thread, focus=True)
    return redirect(_thread_url(post.thread, page=post.page, _anchor=f"post-{post.id}"))


# ---- replying -----------------------------------------------------------------------------------

@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
@limits.posting
def reply(thread_id):
    thread = _thread_or_404(thread_id)
    _require(access.can_post(current_user, thread.circle))
    if thread.locked:
        return _refuse_locked()
    if thread.is_scheduled:
        return errors.page(409, *NOT_PUBLISHED_YET)
    if thread.hidden_at is not None:  # a reply would tell its watchers of it
        return errors.page(409, *HIDDEN_THREAD)
    form = ReplyForm()
    if not form.validate():
        return _reply_errors(thread, form)
    try:
        post = newcomer_posting.reply(thread, author=_user(), body=form.body.data, form_key=form.form_key.data)
    except ThreadLocked:
        return _refuse_locked()
    except formkeys.DuplicateSubmission as sent:
        return _reply_already_stored(thread, sent.result_url)
    except LimitReached as reached:
        _over_newcomer_limit(form, reached)
        return _reply_errors(thread, form)
    return _reply_stored(thread, post)


def _over_newcomer_limit(form, reached):
    """A new member's post beyond a limit (newcomers/): the form comes back (422) with what was typed and why."""
    message = newcomer_wording.refusal(reached)
    if reached.kind == THREADS_LIMIT:
        flash(message, "error")
    else:
        form.body.errors = [*form.body.errors, message]
    return 422


def _say_if_held(item):
    """Tell a new member that their post waits for a facilitator's approval (newcomers/approvals.py)."""
    if item.hidden_kind == "approval":
        flash(newcomer_wording.held(), "success")


def _reply_stored(thread, post):
    """Answer a stored reply: redirect to it without JS; with htmx, send it to append plus an empty form."""
    if not web.is_fragment_request():
        _say_if_held(post)
        return web.see_other(_permalink(post))
    return web.fragment("discussions/_reply_added.html", post=post, thread=thread, reply_form=ReplyForm.blank())


def _reply_errors(thread, form):
    """Show the form again with the text and messages: in place for htmx, on a page of its own without JS."""
    if web.is_fragment_request():
        return web.fragment("discussions/_reply_form.html", 422, retarget=f"#thread-{thread.id}-reply",
                            reswap="outerHTML", thread=thread, reply_form=form)
    return web.render("discussions/reply.html", status=422, thread=thread, circle=thread.circle,
                      reply_form=form)


def _reply_already_stored(thread, result_url):
    """Answer a resent reply with the one stored the first time instead of storing it again."""
    if not web.is_fragment_request():
        return web.see_other(web.safe_next(result_url, _thread_url(thread)))
    # With htmx a resend follows a lost answer: show the stored reply and clear the form, as if it had arrived.
    post = _post_named_by(result_url)
    if post is None or post.thread_id != thread.id:
        return web.fragment(None, 204)
    return _reply_stored(thread, post)


def _post_named_by(url):
    """Return the post whose permalink is url, or None."""
    try:
        endpoint, args = current_app.url_map.bind("").match(urlsplit(url).path)
    except HTTPException:
        return None
    return Post.with_thread(args["post_id"]) if endpoint == "discussions.permalink" else None


# ---- editing and deleting one's own posts -------------------------------------------------------

@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id):
    post = _post_or_404(post_id)
    thread = post.thread
    _require(access.can_edit_post(current_user, post, thread))
    form = EditPostForm(obj=post)
    if form.validate_on_submit():
        try:
            newcomer_posting.edit(post, form.body.data, _user())
        except LimitReached as reached:
            _over_newcomer_limit(form, reached)
        else:
            if web.is_fragment_request():
                return web.fragment("discussions/_posts.html", posts=[post], thread=thread, focus=True)
            return web.see_other(_permalink(post))
    status = 422 if form.is_submitted() else 200
    return web.render("discussions/edit_post.html", block="editor", status=status, form=form, post=post,
                      thread=thread, circle=thread.circle, inline=web.is_fragment_request())


@bp.route("/p/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id):
    post = _post_or_404(post_id)
    thread = post.thread
    # Deleting twice (a double click) is the same as deleting once.
    already_deleted = post.is_deleted and post.author_id == current_user.id
    was_answer = thread.answer_id == post.id
    if not already_deleted:
        _require(access.can_edit_post(current_user, post, thread))
        post.soft_delete()
    if web.is_fragment_request():
        return web.fragment("discussions/_post_changed.html", posts=[post], thread=thread,
                            answer_cleared=was_answer)
    flash(_("Your post was deleted."), "success")
    return web.see_other(_permalink(post))


# ---- moderation ---------------------------------------------------------------------------------

def _post_answer(post, thread, message, answer_cleared=False):
    """After hiding or showing a post: the post itself for htmx (and the emptied answer box when it was the
    answer), back to it otherwise."""
    if web.is_fragment_request():
        return web.fragment("discussions/_post_changed.html", posts=[post], thread=thread,
                            answer_cleared=answer_cleared)
    flash(message, "success")
    return web.see_other(_permalink(post))


@bp.route("/p/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(post_id):
    """A facilitator hides a post from the circle with a one-line reason, which its author reads."""
    post = _post_or_404(post_id)
    thread = post.thread
    _require(access.can_hide_posts(current_user, thread.circle))
    form = HidePostForm()
    if form.validate_on_submit():
        was_answer = thread.answer_id == post.id
        moderation_hooks.hide_post(post, _user(), form.reason.data, url=_permalink(post))  # logged, flags closed
        message = (_("The post is hidden, and it is no longer the accepted answer. Its author still sees it, "
                     "with your reason.") if was_answer
                   else _("The post is hidden. Its author still sees it, with your reason."))
        return _post_answer(post, thread, message, answer_cleared=was_answer)
    status = 422 if form.is_submitted() else 200
    return web.render("discussions/hide_post.html", block="hide_form", status=status, form=form, post=post,
                      thread=thread, circle=thread.circle, inline=web.is_fragment_request())


@bp.route("/p/<int:post_id>/unhide", methods=["GET", "POST"])
@login_required
def unhide_post(post_id):
    """A facilitator shows a hidden post to the circle again, saying why in one line (the moderation log's)."""
    post = _post_or_404(post_id)
    thread = post.thread
    _require(access.can_hide_posts(current_user, thread.circle))
    form = UnhideForm()
    if form.validate_on_submit():
        moderation_hooks.unhide_post(post, _user(), form.reason.data)  # logged as undoing the hiding; flags closed
        return _post_answer(post, thread, _("The post is shown to the circle again."))
    return web.render("discussions/hide_post.html", block="hide_form", status=422 if form.is_submitted() else 200,
                      form=form, post=post, thread=thread, circle=thread.circle, inline=web.is_fragment_request(),
                      showing=True)


# ---- a question's accepted answer ---------------------------------------------------------------

@bp.route("/p/<int:post_id>/answer", methods=["POST"])
@login_required
def accept_answer(post_id):
    """The question's author or a facilitator marks a reply as the answer (in place of any other)."""
    post = _post_or_404(post_id)
    thread = post.thread
    _require(access.can_accept_answer(current_user, thread))
    if not AnswerForm().validate_on_submit():
        abort(400)
    try:
        thread.accept_answer(post, _user(), url=_permalink(post))
    except AnswerRefused as refused:
        return errors.page(409, *ANSWER_REFUSALS.get(refused.reason, NOT_THE_ANSWER))
    return _answer_changed(thread, post, _("You marked this reply as the answer."))


@bp.route("/t/<int:thread_id>/answer/clear", methods=["POST"])
@login_required
def clear_answer(thread_id):
    """Leave the question with no accepted answer; clearing none changes nothing."""
    thread = _thread_or_404(thread_id)
    _require(access.can_accept_answer(current_user, thread))
    if not AnswerForm().validate_on_submit():
        abort(400)
    previous = Post.with_thread(thread.answer_id) if thread.answer_id else None
    thread.clear_answer(_user())
    if previous is None:
        return web.fragment(None, 204) if web.is_fragment_request() else web.see_other(_thread_url(thread))
    previous.thread = thread
    return _answer_changed(thread, previous, _("The question has no accepted answer now."))


def _answer_changed(thread, post, message):
    """After marking or clearing the answer: back to the reply without JS; with htmx, the reply's answer line
    (its button takes the focus) and, out of band, what changed with it on its page."""
    if not web.is_fragment_request():
        flash(message, "success")
        return web.see_other(_permalink(post))
    posts = Post.page_of(thread, post.page)
    answer, answer_here = thread.answer_among(posts)
    return web.fragment("discussions/_answer_changed.html", thread=thread, posts=posts, acted=post.id,
                        answer=answer, answer_here=answer_here, cleared=answer is None)


@bp.route("/t/<int:thread_id>/pin", methods=["POST"])
@login_required
def pin(thread_id):
    thread = _thread_or_404(thread_id)
    _require(circle_access.can_moderate(current_user, thread.circle))
    thread.set_pinned(PinForm().wanted(thread))
    flash(_("Thread pinned: it stays at the top of the list.") if thread.pinned else _("Thread unpinned."), "success")
    return web.see_other(_thread_url(thread))


@bp.route("/t/<int:thread_id>/lock", methods=["POST"])
@login_required
def lock(thread_id):
    thread = _thread_or_404(thread_id)
    _require(circle_access.can_moderate(current_user, thread.circle))
    thread.set_locked(LockForm().wanted(thread))
    flash(_("Thread locked: no new replies.") if thread.locked else _("Thread unlocked: replies are open again."),
          "success")
    return web.see_other(_thread_url(thread))

