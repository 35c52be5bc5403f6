"""The client's consent and privacy pages, at /portal/privacy/. All of them stay open before
consent is given (privacy.middleware): reading, withdrawing and asking for erasure must
never wait on agreeing."""

from django.urls import path

from privacy import portal_views

urlpatterns = [
    path("", portal_views.privacy_home, name="portal_privacy"),
    path("consent/", portal_views.consent, name="portal_consent"),
    path("documents/<uuid:document_id>/", portal_views.document, name="portal_document"),
    path("sms/", portal_views.sms_consent, name="portal_sms"),
    path("erasure/", portal_views.erasure_request, name="portal_erasure"),
]
