import os
from pathlib import Path

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache


def home(request):
    """Send each person to where their work is."""
    if getattr(request, "client", None) is not None:
        return redirect("portal:home")
    if getattr(request, "membership", None) is not None:
        return redirect("clients:caseload")
    if request.user.is_authenticated and request.user.is_curator:
        return redirect("library:curate_list")
    if request.user.is_authenticated:
        return render(request, "no_practice.html")
    return render(request, "landing.html")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    from django.conf import settings

    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
        return "ok"
    from homework_platform.celery import app

    folder = Path(app.conf.broker_transport_options["data_folder_in"])
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        raise OSError(f"broker folder {folder} is not writable")
    return "ok"


@never_cache
def healthz(request):
    checks = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:
            checks[name] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
