"""homework_platform/urls.py is the one place to read which app owns which URL prefix."""

from collections import defaultdict

from django.urls import URLPattern, URLResolver, get_resolver

from homework_platform.urls import CLIENT


def _mounts():
    """(prefix, owning app, resolver) for every URL module the root URLconf mounts. An
    ``app()`` group (a namespace at "") is looked through: its modules are the mounts."""
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver):
            continue
        group = str(entry.pattern) == "" and isinstance(entry.urlconf_name, list)
        for mount in entry.url_patterns if group else [entry]:
            yield str(mount.pattern), _owner(mount), mount


def _owner(resolver):
    module = resolver.urlconf_module
    # The admin site hands over a list of patterns, not a module.
    return module.__name__.split(".")[0] if hasattr(module, "__name__") else "django"


def _views(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            yield entry.callback


def test_every_url_module_is_mounted_under_a_prefix():
    bare = [app for prefix, app, _ in _mounts() if not prefix]
    assert bare == [], f"mounted at the site root, so its prefixes are hidden in the app: {bare}"


def test_every_prefix_belongs_to_one_app_outside_the_client_area():
    """Only /clients/ and one client's tree are shared: the caseload app and each app with
    pages about a client meet there."""
    owners = defaultdict(list)
    for prefix, app, _ in _mounts():
        owners[prefix].append(app)
    for prefix, apps in owners.items():
        if prefix in {"clients/", CLIENT}:
            assert len(apps) == len(set(apps)), f"{prefix}: one module per app ({apps})"
        else:
            assert len(apps) == 1, f"{prefix} is mounted by {apps}"


def test_a_url_module_mounts_its_own_apps_views():
    for prefix, app, resolver in _mounts():
        if app in {"homework_platform", "allauth", "django"}:  # wiring and third parties
            continue
        modules = {view.__module__ for view in _views(resolver)}
        strangers = {module for module in modules if module.split(".")[0] != app}
        assert not strangers, f"{prefix} ({app}) mounts views of {strangers}"


def test_one_clients_tree_holds_a_clients_staff_pages():
    routes = {
        prefix + str(pattern.pattern)
        for prefix, _, resolver in _mounts()
        if prefix == CLIENT
        for pattern in resolver.url_patterns
    }
    pages = ["", "edit/", "status/", "invite/", "session-review/", "adherence/", "progress/"]
    pages += ["reports/", "reports/progress/", "export.csv"]
    assert {CLIENT + page for page in pages} <= routes
