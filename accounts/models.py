import re
import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from core.db import TenantModel
from core.tokens import hash_secret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: staff of a practice, a client, or a platform curator.

    Email is the login. Clients have no usable password; they sign in with emailed links.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin.")
    is_active = models.BooleanField(default=True)
    is_curator = models.BooleanField(
        default=False, help_text="Platform curator: edits the global library, sees no client data."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]


class CrisisCountry(models.TextChoices):
    """Where a practice's clients are, which decides the crisis lines the portal shows
    (accounts.crisis holds the lines for each)."""

    UNITED_KINGDOM = "GB", "United Kingdom"
    IRELAND = "IE", "Ireland"
    UNITED_STATES = "US", "United States"
    CANADA = "CA", "Canada"
    AUSTRALIA = "AU", "Australia"
    NEW_ZEALAND = "NZ", "New Zealand"
    ELSEWHERE = "", "Somewhere else (general advice)"


CRISIS_LINES_MAX = 6
CRISIS_LINE_MAX_LENGTH = 200
# A way to reach someone: a phone number (three digits or more, spaces allowed) or a web address.
_CONTACT = re.compile(r"\d(?:[\s-]?\d){2,}|https?://|\bwww\.|\b[\w-]+\.[a-z]{2,}\b", re.IGNORECASE)


def validate_crisis_lines(value: str) -> None:
    """A practice's own crisis lines are read by someone in crisis on a phone: a few short
    lines, each saying how to reach that help."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    problems = []
    if len(lines) > CRISIS_LINES_MAX:
        problems.append(
            f"Keep it to {CRISIS_LINES_MAX} lines or fewer ({len(lines)} now): "
            "someone in crisis needs to find the right one fast."
        )
    for number, line in enumerate(lines, 1):
        if len(line) > CRISIS_LINE_MAX_LENGTH:
            problems.append(
                f"Line {number} is {len(line)} characters long; "
                f"keep each line to {CRISIS_LINE_MAX_LENGTH}."
            )
        elif not _CONTACT.search(line):
            problems.append(
                f"Line {number} has no phone number or web address. Say how to reach them, "
                "e.g. “Duty phone, weekdays 9–5: 0161 496 0000”."
            )
    if problems:
        raise ValidationError(problems)


class Practice(models.Model):
    """The tenant. Nothing of one practice is ever visible to another."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    require_mfa = models.BooleanField(
        default=False, help_text="Every member must set up an authenticator app to sign in."
    )
    show_scores_to_clients = models.BooleanField(
        default=True, help_text="Clients see their own measure totals after submitting."
    )
    crisis_country = models.CharField(
        "country for crisis lines",
        max_length=2,
        choices=CrisisCountry.choices,
        blank=True,
        default=CrisisCountry.ELSEWHERE,
        help_text="Clients see this country's emergency number and free crisis lines on "
        "“Need help now?” and after an answer that suggests risk.",
    )
    crisis_resources = models.TextField(
        "your practice's own lines",
        blank=True,
        validators=[validate_crisis_lines],
        help_text=f"Optional, shown under the crisis lines: up to {CRISIS_LINES_MAX} lines, "
        "one per line, each with a phone number or web address (e.g. your duty phone "
        "and its hours).",
    )
    default_timezone = models.CharField(max_length=64, default="Europe/London")
    # A flag nobody acknowledged is escalated: after ``escalate_after`` to the duty clinicians
    # (the owners when none are named), and ``escalate_again_after`` later to every owner.
    escalate_after = models.DurationField(
        "escalate an unseen flag after",
        default=timedelta(hours=2),
        help_text="To the duty clinicians (or the owners when none are named).",
    )
    escalate_again_after = models.DurationField(
        "then escalate to every owner after a further",
        default=timedelta(hours=2),
    )
    duty_clinicians = models.ManyToManyField(
        "accounts.Membership",
        blank=True,
        related_name="+",
        help_text="Alerted when a flag goes unseen, or when a flagged client's therapist has "
        "left the practice. None named: the owners.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    THERAPIST = "therapist", "Therapist"


class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.THERAPIST)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="membership_unique_user"),
        ]
        indexes = [models.Index(fields=["practice", "role"], name="membership_practice_role")]
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.practice}"

    @property
    def is_manager(self) -> bool:
        """Owners and admins see and manage everything in the practice."""
        return self.role in {Role.OWNER, Role.ADMIN}


class Invitation(TenantModel):
    """An owner's invitation for a colleague to join the practice."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.THERAPIST)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["practice", "email"], name="invitation_practice_email")]
        ordering = ["-created_at"]

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(models.Model):
    """One append-only row per read or export of client data (and other sensitive actions).

    Rows are never updated or deleted: ``save`` refuses updates, the queryset refuses bulk
    changes, and on PostgreSQL a trigger refuses UPDATE and DELETE outright.
    """

    id = models.BigAutoField(primary_key=True)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    client_id = models.UUIDField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(practice="practice")

    class Meta:
        indexes = [
            models.Index(fields=["practice", "-at"], name="audit_practice_at"),
            models.Index(fields=["practice", "client_id", "-at"], name="audit_practice_client"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self):
        who = self.actor_email or "system"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


# --- API tokens ------------------------------------------------------------------------------


class ApiToken(TenantModel):
    """A named key a script uses to call the API as one member of one practice.

    The secret is shown once when the token is made; only its SHA-256 hash is stored, next to
    a short random prefix that finds the row without comparing against every hash. Deleting
    the membership deletes its tokens, so a removed member's token cannot come back to life if
    the person is invited again.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["practice", "-created_at"], name="apitoken_practice")]
        ordering = ["-created_at"]

    # A token reads "bw_" + prefix + "_" + secret: the prefix finds the row, the whole string
    # is hashed. The lead makes a leaked token easy to recognise (secret scanners, logs).
    LEAD = "bw_"
    PREFIX_LENGTH = 12

    def __str__(self):
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"{self.LEAD}{self.prefix}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def prefix_of(cls, raw: str) -> str | None:
        """The lookup prefix of a presented token, or None when it is not one of ours."""
        end = len(cls.LEAD) + cls.PREFIX_LENGTH
        if not raw.startswith(cls.LEAD) or len(raw) <= end + 1 or raw[end] != "_":
            return None
        return raw[len(cls.LEAD) : end]

    @staticmethod
    def hash_of(raw: str) -> str:
        return hash_secret(raw, salt="api-token")
