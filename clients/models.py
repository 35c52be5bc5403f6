import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.db import TenantModel
from core.timezones import validate_timezone


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DISCHARGED = "discharged", "Discharged"


class Client(TenantModel):
    """A person in therapy at the practice. May or may not have portal access yet."""

    # One person may be a client of two practices: one login, one Client row per practice.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_records",
    )
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(
        max_length=80, blank=True, help_text="What the client likes to be called."
    )
    email = models.EmailField(blank=True)
    timezone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    status = models.CharField(
        max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_clients"
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CareTeamMember", related_name="shared_clients"
    )
    discharged_at = models.DateTimeField(null=True, blank=True)
    portal_invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "email"],
                condition=~models.Q(email=""),
                name="client_unique_email_per_practice",
            ),
            models.UniqueConstraint(fields=["practice", "user"], name="client_unique_user"),
        ]
        indexes = [
            models.Index(fields=["practice", "status", "full_name"], name="client_practice_status"),
            models.Index(
                fields=["practice", "primary_therapist"], name="client_practice_therapist"
            ),
        ]
        ordering = ["full_name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def is_discharged(self) -> bool:
        return self.status == ClientStatus.DISCHARGED

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class CareTeamMember(TenantModel):
    """A therapist other than the primary one who also works with the client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="careteam_unique_member"),
        ]
        indexes = [models.Index(fields=["practice", "user"], name="careteam_practice_user")]


class ClientLoginToken(TenantModel):
    """An emailed sign-in for a client: a link (opened, then confirmed with a button press,
    so mail scanners that follow links cannot use it up) and a short code as a fallback.

    Only hashes are stored. Valid for minutes (an invitation: days, ``is_invitation``); single
    use; a few code attempts at most.
    The request that asks for one only creates the row (with hashes of secrets nobody knows);
    the worker that emails it draws the link and code and stores their hashes (``emailed_at``).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="login_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    is_invitation = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["practice", "client", "-created_at"], name="login_token_client")
        ]

    @property
    def is_usable(self) -> bool:
        return (
            self.used_at is None
            and self.expires_at > timezone.now()
            and self.failed_attempts < settings.CLIENT_LOGIN_MAX_CODE_ATTEMPTS
        )

    @property
    def lifetime(self):
        return settings.CLIENT_INVITATION_TTL if self.is_invitation else settings.CLIENT_LOGIN_TTL


class Discharge(TenantModel):
    """The summary written when a client is discharged: when, by whom, what was closed, and
    the decision recorded on each flag still open then. Shown on the client's page."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="discharges")
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_assignments = models.PositiveIntegerField(default=0)
    closed_enrolments = models.PositiveIntegerField(default=0)
    final_measure = models.ForeignKey(
        "assignments.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The closing measure assigned with the discharge, if any.",
    )
    # [{"flag": id, "raised_at": ISO time, "message": what was flagged, "decision": text}]: a
    # copy, so the summary reads the same whatever happens to the flags later.
    flag_decisions = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "client"], name="discharge_client")]


class CareEpisode(TenantModel):
    """The start of a new episode of care: from ``started_on`` (the client's local date) the
    client's measures are compared with a new baseline, the first score on or after it.

    The first episode has no row: it starts implicitly at the client's first score, so a
    client who is never given a second episode needs nothing here and no data migration was
    needed for existing clients. Each row starts the next episode and ends the one before;
    earlier scores stay in the record, grouped under the episode they belong to.

    ``starts_at`` is the start of ``started_on`` in the client's time zone, stored when the
    episode is started so that the read models (``assignments.measures``, the dashboard's one
    statement) compare it with an entry's ``submitted_at`` directly."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_episodes")
    started_on = models.DateField()
    starts_at = models.DateTimeField()
    note = models.TextField(max_length=1000, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["practice", "client", "starts_at"], name="care_episode_client")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "started_on"], name="care_episode_one_per_day"
            )
        ]


class ClientGroup(TenantModel):
    """A therapy group (e.g. a DBT skills group): clients who meet together and are given the
    same homework. Each member's homework is still their own (``assignments`` gives each member
    a copy); nothing a client sees names the group's other members."""

    name = models.CharField(max_length=120)
    description = models.TextField(max_length=1000, blank=True)
    therapists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ClientGroupTherapist", related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["practice", "name"], name="client_group_name")]

    def __str__(self):
        return self.name


class ClientGroupTherapist(TenantModel):
    """A therapist who runs the group (sees it and may assign to it)."""

    group = models.ForeignKey(ClientGroup, on_delete=models.CASCADE, related_name="leads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="client_group_unique_lead")
        ]
        indexes = [models.Index(fields=["practice", "user"], name="client_group_lead_user")]


class ClientGroupMember(TenantModel):
    """A client in a group. Cascades with the client, so erasure leaves nothing behind."""

    group = models.ForeignKey(ClientGroup, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "client"], name="client_group_unique_member")
        ]


class GoalLevel(models.IntegerChoices):
    """The five levels of goal attainment scaling (Kiresuk & Sherman 1968)."""

    MUCH_LESS = -2, "Much less than expected"
    LESS = -1, "Somewhat less than expected"
    EXPECTED = 0, "Expected outcome"
    MORE = 1, "Somewhat more than expected"
    MUCH_MORE = 2, "Much more than expected"


def signed_level(level: int) -> str:
    """A level as people write it: +2, +1, 0, −1, −2 (a true minus sign)."""
    return f"+{level}" if level > 0 else f"−{-level}" if level < 0 else "0"


class Goal(TenantModel):
    """A goal agreed with the client and scaled for goal attainment scaling: each of the five
    levels described in the client's own terms, and the level where they start (usually -1,
    or -2 when things could get worse; Turner-Stokes 2009)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    level_minus_2 = models.CharField(max_length=300)
    level_minus_1 = models.CharField(max_length=300)
    level_0 = models.CharField(max_length=300)
    level_plus_1 = models.CharField(max_length=300)
    level_plus_2 = models.CharField(max_length=300)
    baseline_level = models.SmallIntegerField(
        choices=[
            (GoalLevel.MUCH_LESS, GoalLevel.MUCH_LESS.label),
            (GoalLevel.LESS, GoalLevel.LESS.label),
        ],
        default=GoalLevel.LESS,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["practice", "client", "created_at"], name="goal_client")]

    def __str__(self):
        return self.title

    def description(self, level: int) -> str:
        return {
            -2: self.level_minus_2,
            -1: self.level_minus_1,
            0: self.level_0,
            1: self.level_plus_1,
            2: self.level_plus_2,
        }[level]

    @property
    def levels(self) -> list[tuple[int, str, str]]:
        """(level, its sign, description), from +2 down to -2: the order of a chart's axis."""
        return [(lv, signed_level(lv), self.description(lv)) for lv in (2, 1, 0, -1, -2)]

    @property
    def baseline_signed(self) -> str:
        return signed_level(self.baseline_level)


class GoalRating(TenantModel):
    """The level a goal had reached at a review, recorded by the therapist with the client."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    level = models.SmallIntegerField(choices=GoalLevel.choices)
    rated_on = models.DateField()
    note = models.TextField(max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    @property
    def signed(self) -> str:
        return signed_level(self.level)

    class Meta:
        ordering = ["rated_on", "created_at"]
        indexes = [models.Index(fields=["practice", "goal", "rated_on"], name="goal_rating_goal")]
