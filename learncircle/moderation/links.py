"""The addresses moderation's notices and pages point to: an item where it is read, the circle's log and its
code of conduct. Built with url_for (an application context is enough): the domain is handed a Links, so
that discussions' and reviews' own moderation routes can take the same actions as the review queue."""
from flask import url_for


class Links:
    """The addresses the actions' notices point to, for one circle (moderation.actions is handed one)."""

    def __init__(self, circle):
        self.log = url_for("moderation.log_page", slug=circle.slug)
        self.conduct = url_for("moderation.log_page", slug=circle.slug, _anchor="conduct")
        self.circle = url_for("circles.circle", slug=circle.slug)

    @staticmethod
    def item(item):
        return item_url(item)


def item_url(item):
    """Where an item (moderation.items.Item) is read: a post at its place, a thread, a review's page, a member's
    profile."""
    if item.kind == "post":
        return url_for("discussions.permalink", post_id=item.id)
    if item.kind == "thread":
        return url_for("discussions.thread", thread_id=item.id)
    if item.kind == "review":
        return url_for("reviews_participant.review", assignment_id=item.assignment_id)
    return url_for("accounts.profile", username=item.author_username)
