"""Reads of client records, already limited to what the caller may see.

A therapist sees their own caseload and clients shared with them; owners and admins see every
client of the practice. Anything else answers 404, exactly like a missing record.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404

from clients import gas
from clients.models import Client, ClientGroup, ClientStatus, Goal, GoalRating


def client_for_portal_user(user, client_id=None) -> Client | None:
    """The client record a signed-in client uses (runs before a scope exists: see tenancy)."""
    records = Client.objects.filter(user=user).select_related("practice")
    if client_id:
        records = records.filter(pk=client_id)
    return records.order_by("created_at").first()


def clients_visible_to(membership):
    clients = Client.objects.filter(practice=membership.practice)
    if membership.is_manager:
        return clients
    user = membership.user
    return clients.filter(Q(primary_therapist=user) | Q(care_team__user=user)).distinct()


def caseload(
    membership,
    *,
    search: str = "",
    status: str = "",
    mine_only: bool = False,
):
    """Clients ``membership`` may see, searched and filtered (adherence is added by
    ``assignments.selectors.caseload_rows``, which reads homework)."""
    clients = clients_visible_to(membership)
    if mine_only:
        clients = clients.filter(primary_therapist=membership.user)
    if status in ClientStatus.values:
        clients = clients.filter(status=status)
    elif status != "all":
        clients = clients.exclude(status=ClientStatus.DISCHARGED)
    if search.strip():
        term = search.strip()
        clients = clients.filter(
            Q(full_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(email__icontains=term)
        )
    return clients.select_related("primary_therapist", "user").order_by("full_name")


def client_get(membership, client_id) -> Client:
    """The client if ``membership`` may see it; 404 otherwise (missing or not yours)."""
    try:
        return (
            clients_visible_to(membership)
            .select_related("primary_therapist", "practice", "user")
            .get(pk=client_id)
        )
    except (Client.DoesNotExist, ValueError):
        raise Http404 from None


def client_open_flags(client: Client) -> list:
    """The client's flags nobody has acknowledged yet, oldest first. Read through the reverse
    accessor of ``assignments.Flag.client``: clients sits below assignments and does not
    import it."""
    return list(client.flags.filter(acknowledged_at=None).order_by("created_at"))


def client_discharges(client: Client):
    return client.discharges.select_related("discharged_by", "final_measure__activity_version")


def client_episodes(client: Client) -> list:
    """The client's episodes of care started after the first (``CareEpisode``), oldest first;
    the first episode is implicit."""
    return list(client.care_episodes.select_related("started_by").order_by("starts_at"))


# --- Groups ----------------------------------------------------------------------------------


def groups_visible_to(membership):
    """Groups the caller runs (owners and admins: every group of the practice)."""
    groups = ClientGroup.objects.filter(practice=membership.practice)
    if membership.is_manager:
        return groups
    return groups.filter(leads__user=membership.user).distinct()


def group_get(membership, group_id):
    """The group if ``membership`` runs it (or manages the practice); 404 otherwise."""
    try:
        return groups_visible_to(membership).get(pk=group_id)
    except (ClientGroup.DoesNotExist, ValueError):
        raise Http404 from None


def group_members(group):
    """The group's clients, by name (with their therapist for the group page)."""
    return (
        Client.objects.filter(practice_id=group.practice_id, group_memberships__group=group)
        .select_related("primary_therapist", "user")
        .order_by("full_name")
    )


def group_therapists(group) -> list:
    return [lead.user for lead in group.leads.select_related("user").order_by("user__email")]


def client_goals(client: Client):
    """The client's goals, oldest first, with their ratings (oldest first) in one more query."""
    return (
        Goal.objects.filter(client=client)
        .prefetch_related(
            Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "created_at"))
        )
        .order_by("created_at")
    )


def client_goal_get(client: Client, goal_id):
    """One of ``client``'s goals with its ratings; 404 for missing and not-this-client alike."""
    try:
        return client_goals(client).get(pk=goal_id)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def goal_summary(goals) -> dict:
    """Each goal's current level and, with two goals or more, the GAS T-score over them."""
    levels = [gas.current_level(goal) for goal in goals]
    return {"t_score": gas.t_score(levels) if len(levels) >= 2 else None, "count": len(levels)}


def goal_for_staff(membership, goal_id) -> Goal:
    """A goal of a client ``membership`` may see, with its client and ratings; 404 otherwise."""
    try:
        return (
            Goal.objects.filter(client__in=clients_visible_to(membership))
            .select_related("client")
            .prefetch_related(
                Prefetch("ratings", queryset=GoalRating.objects.order_by("rated_on", "created_at"))
            )
            .get(pk=goal_id)
        )
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404 from None
