"""Circles, who belongs to them and in what role, and the invitation links that bring people in."""
import datetime as dt
import re
import secrets
import unicodedata

import peewee

from .. import clock, text
from ..accounts.models import User
from ..db import BaseModel, Prepared, database
from ..i18n import gettext
from ..i18n import lazy_gettext as _l

OWNER, FACILITATOR, MEMBER = "owner", "facilitator", "member"
ROLES = (OWNER, FACILITATOR, MEMBER)
# What a role is called where it is shown (a badge, a link's role): templates show ROLE_LABELS[code].
ROLE_LABELS = {OWNER: _l("owner"), FACILITATOR: _l("facilitator"), MEMBER: _l("member")}
PUBLIC, PRIVATE = "public", "private"
DEPARTED_CHOICE, DEPARTED_KEEP = "choice", "keep"

NAME_MAX, SLUG_MAX, PURPOSE_MAX, MARKDOWN_MAX = 100, 60, 300, 20_000
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Words kept free for the site's own pages and for what may come later.
RESERVED_SLUGS = frozenset({"new", "admin", "settings", "api", "static", "about", "help", "circles",
                            "invite", "join", "login", "logout", "register", "setup"})


def N_(message):
    """Mark a message for translation where it is defined; it is translated where it is used."""
    return message


# The code of conduct a new circle starts with (Markdown): offered in the language of the person starting
# the circle, who edits it; what they save is the circle's own text.
_CONDUCT_INTRO = N_("We are here to learn together. To keep this circle a place where everyone can ask, try and "
                    "fail safely:")
_CONDUCT_RULES = (
    N_("**Be kind and assume good intent.** Critique the work, never the person."),
    N_("**Make room for every voice.** If you post often, leave space; if you are quiet, your question helps "
       "others too."),
    N_("**Give feedback that helps.** Say what works, then what would make it better, with specifics."),
    N_("**Share what is yours to share.** Credit sources; keep what others tell you here within the circle."),
    N_("**No harassment, discrimination or spam.** Facilitators may remove posts or members who break these "
       "rules."),
)
_CONDUCT_CLOSING = N_("If something here makes you uncomfortable, tell a facilitator or the circle's owner.")


def _conduct(translate):
    rules = "\n".join(f"{number}. {translate(rule)}" for number, rule in enumerate(_CONDUCT_RULES, 1))
    return f"{translate(_CONDUCT_INTRO)}\n\n{rules}\n\n{translate(_CONDUCT_CLOSING)}\n"


DEFAULT_CONDUCT = _conduct(str)  # in English


def default_conduct():
    """The default code of conduct in the language of the page."""
    return _conduct(gettext)


# A private circle's address ends in a random part, so trying addresses (in "new circle", say) cannot
# find it: 8 characters of 32 are 40 bits. No 0/o or 1/l, so it can be read out and typed.
PRIVATE_SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
PRIVATE_SUFFIX_LENGTH = 8
_PRIVATE_SUFFIX = re.compile(rf"-[{PRIVATE_SUFFIX_ALPHABET}]{{{PRIVATE_SUFFIX_LENGTH}}}$")


def slugify(value):
    """Make a URL-safe slug from a name (ASCII letters, digits and dashes)."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return value[:60].strip("-") or "circle"


def private_slug(readable):
    """An address nobody can guess: the readable part (shortened to fit) and a random ending."""
    base = readable[:SLUG_MAX - PRIVATE_SUFFIX_LENGTH - 1].rstrip("-") or "circle"
    suffix = "".join(secrets.choice(PRIVATE_SUFFIX_ALPHABET) for _ in range(PRIVATE_SUFFIX_LENGTH))
    return f"{base}-{suffix}"


def readable_part(slug):
    """A private address without its random ending (an address without one is returned as it is)."""
    return _PRIVATE_SUFFIX.sub("", slug) or slug


class Circle(BaseModel):
    name = peewee.CharField(max_length=100)
    slug = peewee.CharField(max_length=60, unique=True)
    purpose = peewee.CharField(max_length=300)
    goals = peewee.TextField(default="")
    goals_html = peewee.TextField(default="")
    conduct = peewee.TextField(default="")
    conduct_html = peewee.TextField(default="")
    visibility = peewee.CharField(max_length=10, default=PRIVATE)
    member_count = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=clock.now)
    # Moderation (moderation/): how many members' flags hide an item until reviewed (a facilitator's flag hides
    # it at once), and whether the moderation log names who acted rather than their role.
    auto_hide_threshold = peewee.IntegerField(default=2, constraints=[peewee.SQL("DEFAULT 2")])
    log_names_moderators = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
    # The circle's own limits for its new members (newcomers/rules.py); None: the instance's NEW_MEMBER_* setting.
    newcomer_days = peewee.IntegerField(null=True)
    newcomer_posts = peewee.IntegerField(null=True)
    newcomer_threads = peewee.IntegerField(null=True)
    newcomer_links = peewee.IntegerField(null=True)
    newcomer_images = peewee.IntegerField(null=True)
    newcomer_approval = peewee.BooleanField(null=True)
    # What happens to a departing member's posts (accounts/deletion.py): DEPARTED_CHOICE theirs to keep or remove,
    # DEPARTED_KEEP kept, anonymised, so the circle's discussions stay readable.
    departed_posts = peewee.CharField(max_length=10, default=DEPARTED_CHOICE,
                                      constraints=[peewee.SQL("DEFAULT 'choice'")])

    @property
    def is_public(self):
        return self.visibility == PUBLIC

    @classmethod
    def by_slug(cls, slug):
        return cls._by_slug.first(slug)

    @Prepared
    def _by_slug(slug: str):
        return Circle.select().where(Circle.slug == slug).limit(1)

    @classmethod
    def unique_slug(cls, name):
        """Return a slug for name that no circle has yet."""
        base = slugify(name)
        candidate, n = base, 2
        while cls.select().where(cls.slug == candidate).exists():
            candidate, n = f"{base[:55].rstrip('-')}-{n}", n + 1
        return candidate

    @classmethod
    def suggest_slug(cls, name):
        """Return a free slug for name, stepping around the reserved words."""
        if slugify(name) in RESERVED_SLUGS:
            name = f"{name} circle"
        return cls.unique_slug(name)

    @classmethod
    def found(cls, *, owner, name, slug, purpose, goals="", conduct=DEFAULT_CONDUCT, visibility=PRIVATE):
        """Create a circle with its owner as first member; raises IntegrityError if the slug is taken.

        A private circle's address is slug with a random ending (see private_slug), so it can never be
        "taken" by what someone typed.
        """
        now = clock.now()
        goals_html, conduct_html = text.render_markdown(goals), text.render_markdown(conduct)
        attempts = 3 if visibility == PRIVATE else 1  # another random ending, in the unlikely case of a clash
        for attempt in range(1, attempts + 1):
            address = private_slug(slug) if visibility == PRIVATE else slug
            try:
                with database.atomic():
                    circle = cls.create(
                        name=name.strip(), slug=address, purpose=purpose.strip(), goals=goals,
                        goals_html=goals_html, conduct=conduct, conduct_html=conduct_html, visibility=visibility,
                        member_count=1,
                    )
                    Membership.create(user=owner, circle=circle, role=OWNER, joined_at=now, conduct_accepted_at=now)
                return circle
            except peewee.IntegrityError:
                if attempt == attempts:
                    raise

    def address_for(self, slug, visibility):
        """The address the circle gets when its settings ask for slug and visibility.

        Private: the address it has while it stays private and slug is unchanged, else a new unguessable
        one. Public: slug, except that a private circle made public with its address untouched gets
        back a readable one.
        """
        unchanged = slug == self.slug and not self.is_public
        if visibility == PRIVATE:
            return self.slug if unchanged else private_slug(slug)
        if unchanged:
            return Circle.suggest_slug(readable_part(slug))
        return slug

    def update_settings(self, *, name, slug, purpose, goals, conduct, visibility, departed_posts=None):
        """Save new settings; raises IntegrityError when the (public) address is taken."""
        if departed_posts in (DEPARTED_CHOICE, DEPARTED_KEEP):
            self.departed_posts = departed_posts
        self.slug = self.address_for(slug, visibility)
        self.name, self.purpose = name.strip(), purpose.strip()
        self.goals, self.goals_html = goals, text.render_markdown(goals)
        self.conduct, self.conduct_html = conduct, text.render_markdown(conduct)
        self.visibility = visibility
        with database.atomic():
            self.save()

    @classmethod
    def listed(cls):
        """Public circles, most populous first."""
        return cls.select().where(cls.visibility == PUBLIC).order_by(cls.member_count.desc(), cls.id)

    @classmethod
    def of_user(cls, user):
        """The circles a user belongs to, with their membership, newest activity first."""
        return (cls.select(cls, Membership).join(Membership)
                .where(Membership.user == user).order_by(cls.name))

    @classmethod
    def discoverable(cls, user):
        """Public circles the user does not belong to yet, most populous first."""
        theirs = Membership.select(Membership.circle).where(Membership.user == user)
        return cls.listed().where(cls.id.not_in(theirs))

    def owner(self):
        return (User.select().join(Membership)
                .where((Membership.circle == self) & (Membership.role == OWNER)).get())


# The start page's public circles, most populous first: the index gives them in that order.
Circle.add_index(Circle.visibility, Circle.member_count.desc(), Circle.id)


class Invitation(BaseModel):
    circle = peewee.ForeignKeyField(Circle, backref="invitations", on_delete="CASCADE")
    created_by = peewee.ForeignKeyField(User, on_delete="CASCADE")
    token = peewee.CharField(max_length=64, unique=True)
    role = peewee.CharField(max_length=20, default=MEMBER)
    expires_at = peewee.DateTimeField(null=True)
    max_uses = peewee.IntegerField(null=True)
    uses = peewee.IntegerField(default=0)
    revoked_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("circle", "created_at"), False),)  # a circle's links, newest first

    @classmethod
    def make(cls, *, circle, created_by, role=MEMBER, expires_at=None, max_uses=None):
        # 32 random bytes: 256 bits, far beyond guessing.
        return cls.create(circle=circle, created_by=created_by, token=secrets.token_urlsafe(32),
                          role=role, expires_at=expires_at, max_uses=max_uses)

    @classmethod
    def by_token(cls, token):
        return (cls.select(cls, Circle).join(Circle).where(cls.token == token).first())

    @classmethod
    def active_for(cls, circle):
        now = clock.now()
        return (cls.select().where(
            (cls.circle == circle) & cls.revoked_at.is_null()
            & (cls.expires_at.is_null() | (cls.expires_at > now))
            & (cls.max_uses.is_null() | (cls.uses < cls.max_uses))
        ).order_by(cls.created_at.desc()))

    @property
    def is_usable(self):
        if self.revoked_at is not None:
            return False
        if self.expires_at is not None and self.expires_at <= clock.now():
            return False
        return self.max_uses is None or self.uses < self.max_uses

    @classmethod
    def listing(cls, circle):
        """The circle's active links with the people who made them, newest first."""
        return cls.active_for(circle).select_extend(User).join(User, on=(cls.created_by == User.id))

    @classmethod
    def in_circle(cls, circle, invitation_id):
        return cls.get_or_none((cls.id == invitation_id) & (cls.circle == circle))

    def revoke(self):
        self.revoked_at = clock.now()
        self.save(only=[Invitation.revoked_at])


class AlreadyMember(Exception):
    pass


class Membership(BaseModel):
    user = peewee.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    circle = peewee.ForeignKeyField(Circle, backref="memberships", on_delete="CASCADE")
    role = peewee.CharField(max_length=20, default=MEMBER)
    joined_at = peewee.DateTimeField(default=clock.now)
    # Joining means accepting the code of conduct; when is kept for trust and moderation.
    conduct_accepted_at = peewee.DateTimeField()
    invitation = peewee.ForeignKeyField(Invitation, null=True, on_delete="SET NULL")
    # What the member hears of the circle's discussions: "watching", "normal" or "muted" (discussions/watching.py).
    notify_level = peewee.CharField(max_length=10, default="normal", constraints=[peewee.SQL("DEFAULT 'normal'")])
    # Suspended from the circle by a moderator until then (reads, but neither posts, reacts nor flags), and why.
    suspended_until = peewee.DateTimeField(null=True)
    suspended_reason = peewee.CharField(max_length=300, default="", constraints=[peewee.SQL("DEFAULT ''")])
    # How many of the member's posts the circle accepted while they were new (newcomers/posting.py keeps it), so
    # that pages tell a new member their limits without counting posts.
    accepted_posts = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])

    class Meta:
        # The last: a circle's members of one role by when they joined, newest first ("Every voice").
        indexes = ((("circle", "user"), True), (("user", "circle"), False), (("circle", "role", "joined_at"), False))

    @property
    def is_owner(self):
        return self.role == OWNER

    @property
    def can_facilitate(self):
        return self.role in (OWNER, FACILITATOR)

    @classmethod
    def of(cls, user, circle):
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return cls._of.first(user.id, circle.id)

    @Prepared
    def _of(user_id, circle_id):
        """A membership is looked up on every circle page: prepared once."""
        return Membership.select().where((Membership.user == user_id) & (Membership.circle == circle_id)).limit(1)

    @classmethod
    def join(cls, *, user, circle, invitation=None):
        """Add user to circle, accepting its code of conduct now; count a use of the invitation.

        Raises AlreadyMember when the user already belongs, ValueError when the invitation was used
        up, revoked or expired (checked in the same write, so a race cannot slip past it).
        """
        now = clock.now()
        role = invitation.role if invitation is not None else MEMBER
        try:
            with database.atomic():
                if invitation is not None:
                    counted = (Invitation.update(uses=Invitation.uses + 1)
                               .where((Invitation.id == invitation.id) & Invitation.revoked_at.is_null()
                                      & (Invitation.expires_at.is_null() | (Invitation.expires_at > now))
                                      & (Invitation.max_uses.is_null() | (Invitation.uses < Invitation.max_uses)))
                               .execute())
                    if not counted:
                        raise ValueError("This invitation is no longer valid.")
                membership = cls.create(user=user, circle=circle, role=role, joined_at=now,
                                        conduct_accepted_at=now, invitation=invitation)
                Circle.update(member_count=Circle.member_count + 1).where(Circle.id == circle.id).execute()
        except peewee.IntegrityError:
            raise AlreadyMember() from None
        return membership

    def leave(self):
        """Remove this membership (the owner must hand the circle over first)."""
        if self.is_owner:
            raise ValueError("Transfer ownership to another member before leaving.")
        with database.atomic():
            # Count only a row this call deleted: a second click or a concurrent removal changes nothing.
            if Membership.delete().where(Membership.id == self.id).execute():
                Circle.update(member_count=Circle.member_count - 1).where(Circle.id == self.circle_id).execute()

    def remove(self):
        """Take this member out of the circle (a moderator's decision; the owner cannot be removed)."""
        if self.is_owner:
            raise ValueError("The owner cannot be removed from their circle.")
        self.leave()

    def set_role(self, role):
        """Make this member a facilitator or a plain member; ownership moves only by transfer."""
        if role not in (FACILITATOR, MEMBER) or self.is_owner:
            raise ValueError("Only a member or a facilitator can be given that role.")
        Membership.update(role=role).where(Membership.id == self.id).execute()
        self.role = role

    def transfer_ownership(self, to_membership):
        """Make another member the owner; the old owner stays on as a facilitator.

        Raises ValueError when this membership is no longer the owner's (two hand-overs at once).
        """
        with database.atomic():
            demoted = (Membership.update(role=FACILITATOR)
                       .where((Membership.id == self.id) & (Membership.role == OWNER)).execute())
            if not demoted:
                raise ValueError("Only the owner can hand the circle over.")
            Membership.update(role=OWNER).where(Membership.id == to_membership.id).execute()

    @classmethod
    def in_circle(cls, circle, membership_id):
        """A membership of this circle with its account; None also for an id from another circle."""
        return (cls.select(cls, User).join(User)
                .where((cls.id == membership_id) & (cls.circle == circle)).first())

    @classmethod
    def roster(cls, circle):
        """Members with their accounts: owner, facilitators, then members, each by name."""
        order = peewee.Case(cls.role, ((OWNER, 0), (FACILITATOR, 1)), 2)
        return (cls.select(cls, User).join(User).where(cls.circle == circle)
                .order_by(order, User.display_name))


def expiry_from_days(days):
    return None if not days else clock.now() + dt.timedelta(days=days)
