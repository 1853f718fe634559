"""The scene the review queue's, moderators' actions' and moderation log's tests share: a circle with its owner,
a facilitator, three members (two who flag, and an author), a thread, and a post worth flagging; flags made
through the flag routes, as members make them."""
from types import SimpleNamespace

from learncircle import db
from learncircle.circles.models import FACILITATOR, PUBLIC, Membership
from learncircle.discussions.models import Post, Thread
from learncircle.moderation.models import Flag, LogEntry, Removed

SPAM = "Buy cheap essays at essays.example, only today!"
REASON = "Advertising: see point 5 of the code of conduct."


def build(make_user, make_circle, add_member, visibility=PUBLIC, prefix=""):
    """The scene; prefix tells apart the people of a second circle."""
    def person(name, display):
        return make_user(prefix + name, display_name=display)

    owner = person("olga", "Olga Owner")
    circle = make_circle(owner, name=f"{prefix.title()}Writing Circle", visibility=visibility)
    facilitator, ana, ben, cai = (person("fred", "Fred Facilitator"), person("ana", "Ana Anonymous"),
                                  person("ben", "Ben Bystander"), person("cai", "Cai Author"))
    add_member(circle, facilitator, FACILITATOR)
    for member in (ana, ben, cai):
        add_member(circle, member)
    with db.database.connection_context():
        thread = Thread.start(circle=circle, author=owner, title="Week 1: your drafts", kind="discussion",
                              body="Share a paragraph of your draft.")
        post = thread.reply(author=cai, body=SPAM)
        other = thread.reply(author=ben, body="Here is my paragraph, about rivers.")
        cais_thread = Thread.start(circle=circle, author=cai, title="Essays for sale", kind="discussion",
                                   body="Cheap essays, write to me.")
        membership = Membership.of(cai, circle)
    return SimpleNamespace(circle=circle, owner=owner, facilitator=facilitator, ana=ana, ben=ben, cai=cai,
                           thread=thread, post=post, other=other, cais_thread=cais_thread, membership=membership)


def flag(client, auth, who, post, reason="spam", note=""):
    """who flags a post through the flag route."""
    auth.login(who)
    return client.post(f"/p/{post.id}/flag", data={"reason": reason, "note": note})


def act(client, scene, kind, target_id, action, reason=REASON, **fields):
    """A moderator's action through the review queue's form (the caller signed in)."""
    return client.post(f"/c/{scene.circle.slug}/moderation/{kind}/{target_id}",
                       data={"action": action, "reason": reason, **fields})


def read(model, *where):
    with db.database.connection_context():
        return model.get_or_none(*where) if where else None


def post_now(post):
    with db.database.connection_context():
        return Post.get_by_id(post.id)


def entries(circle):
    with db.database.connection_context():
        return list(LogEntry.select().where(LogEntry.circle == circle.id).order_by(LogEntry.id))


def open_flags(kind, target_id):
    with db.database.connection_context():
        return Flag.select().where((Flag.target_kind == kind) & (Flag.target_id == target_id)
                                   & Flag.resolved_at.is_null()).count()


def removed_rows(circle):
    with db.database.connection_context():
        return list(Removed.select().where(Removed.circle == circle.id))
