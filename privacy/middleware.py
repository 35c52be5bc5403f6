"""The consent gate: a client signed in to the portal sees nothing but the consent page until
they have accepted every required document in force.

A middleware rather than a decorator because the portal's pages live in several apps (the
portal, journeys, reminders, notifications, the portal API): a new portal page is gated
without anyone remembering to. What stays open: the consent page itself, signing out, and the
help page with its crisis lines — someone in crisis must never meet a form first.

Only reads are gated. A write (an autosave, sending an entry) comes from a page the client
opened under the consent they had then; a new version coming into force in between must not
throw the work away — above all an answer that signals risk, which raises its flag on save.
Nothing can be opened, and so nothing new started, until the client agrees.
"""

from django.http import JsonResponse
from django.shortcuts import redirect

from privacy.selectors import needs_consent

# Besides every privacy page (consent, reading a document, withdrawing, asking for erasure).
OPEN = {("portal", "sign_out"), ("portal", "help")}
PORTAL_PREFIXES = ("/portal/", "/api/v1/portal/")


class ConsentGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        client = getattr(request, "client", None)
        if client is None or not request.path.startswith(PORTAL_PREFIXES):
            return None
        if request.method not in ("GET", "HEAD"):
            return None
        match = request.resolver_match
        if match is not None and (
            (match.namespace, match.url_name) in OPEN or match.namespace == "privacy"
        ):
            return None
        if not needs_consent(client):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Accept your practice's documents in the portal first.",
                    "code": "consent_required",
                },
                status=403,
            )
        return redirect("privacy:portal_consent")
