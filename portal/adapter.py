from allauth.account.adapter import DefaultAccountAdapter

from core.tenancy import PORTAL_SESSION_KEY


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user):
        super().login(request, user)
        # A password sign-in is a staff sign-in. The one exception is the demo, whose client
        # users have passwords (real clients have none and sign in with emailed links): a
        # person with no practice membership but a client record goes to their portal.
        request.session.pop(PORTAL_SESSION_KEY, None)
        from django_scopes import scopes_disabled

        from accounts.selectors import memberships_for_user
        from clients.selectors import client_for_portal_user

        with scopes_disabled():
            if not memberships_for_user(user):
                client = client_for_portal_user(user)
                if client is not None and not client.is_discharged:
                    request.session[PORTAL_SESSION_KEY] = str(client.pk)
