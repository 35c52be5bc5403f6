import pytest
from django_scopes import scopes_disabled

from clients.models import Client, ClientStatus
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def client_data(world, **overrides):
    data = {
        "full_name": "Rowan Tide",
        "preferred_name": "Ro",
        "email": "rowan@example.test",
        "timezone_name": "Europe/Berlin",
        "primary_therapist": world.therapist_a.pk,
    }
    data.update(overrides)
    return data


def test_a_therapist_adds_a_client(web, world):
    response = web(world.therapist_a).post("/clients/new/", client_data(world))
    assert response.status_code == 302
    with scopes_disabled():
        client = Client.objects.get(email="rowan@example.test")
    assert client.practice == world.practice_a
    assert client.timezone == "Europe/Berlin"
    assert response["Location"] == f"/clients/{client.pk}/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone_name", "Mars/Olympus_Mons", "not a time zone we know"),
        ("email", "client@alpha.test", "Another client in this practice has this email"),
        ("full_name", "", "This field is required"),
        ("email", "not-an-email", "Enter a valid email address"),
        # Staff addresses, of this practice or another, and curators': never linked.
        ("email", "therapist@alpha.test", "belongs to a staff account"),
        ("email", "Owner@Beta.test", "belongs to a staff account"),
        ("email", "curator@bridgework.test", "belongs to a staff account"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    web, world, field, value, message
):
    before = _count()
    response = web(world.therapist_a).post("/clients/new/", client_data(world, **{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Rowan Tide"' in html or field == "full_name"  # typed values kept
    assert _count() == before


def test_the_primary_therapist_must_be_from_this_practice(web, world):
    response = web(world.therapist_a).post(
        "/clients/new/", client_data(world, primary_therapist=world.therapist_b.pk)
    )
    assert response.status_code == 400


def _count():
    with scopes_disabled():
        return Client.objects.count()


def test_the_same_email_may_be_a_client_in_another_practice(web, world):
    response = web(world.therapist_a).post(
        "/clients/new/", client_data(world, email="client@beta.test")
    )
    assert response.status_code == 302


def test_caseload_search_and_status_filter(web, world):
    ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Zed Paused",
        status=ClientStatus.PAUSED,
    )
    ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name="Old Discharged",
        status=ClientStatus.DISCHARGED,
    )
    browser = web(world.therapist_a)
    html = browser.get("/clients/").content.decode()
    assert "Alpha Client" in html and "Zed Paused" in html and "Old Discharged" not in html
    html = browser.get("/clients/?status=discharged").content.decode()
    assert "Old Discharged" in html and "Alpha Client" not in html
    html = browser.get("/clients/?q=zed").content.decode()
    assert "Zed Paused" in html and "Alpha Client" not in html
    # htmx asks for the rows only
    partial = browser.get("/clients/?q=zed", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Zed Paused" in partial


def test_caseload_shows_only_what_the_therapist_may_see(web, world):
    assert "Alpha Client" not in web(world.colleague_a).get("/clients/").content.decode()
    assert "Alpha Client" in web(world.owner_a).get("/clients/").content.decode()
    assert "Beta Client" not in web(world.owner_a).get("/clients/").content.decode()


def test_shared_clients_appear_for_the_care_team(web, world):
    browser = web(world.therapist_a)
    data = client_data(
        world, full_name="Alpha Client", email="client@alpha.test", timezone_name="Europe/London"
    )
    data["shared_with"] = [world.colleague_a.pk]
    assert browser.post(f"/clients/{world.client_a.pk}/edit/", data).status_code == 302
    assert "Alpha Client" in web(world.colleague_a).get("/clients/").content.decode()
    assert web(world.colleague_a).get(f"/clients/{world.client_a.pk}/").status_code == 200


def test_caseload_runs_a_constant_number_of_queries(web, world, django_assert_num_queries):
    browser = web(world.owner_a)
    browser.get("/clients/")  # warm the session
    counts = []
    for extra in (5, 60):
        for _ in range(extra):
            ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert browser.get("/clients/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_discharging_a_client_ends_portal_access(web, world, portal):
    client_browser = portal(world.client_a)
    assert client_browser.get("/portal/").status_code == 200
    browser = web(world.therapist_a)
    response = browser.post(f"/clients/{world.client_a.pk}/status/", {"status": "discharged"})
    assert response["Location"] == f"/clients/{world.client_a.pk}/discharge/"
    browser.post(f"/clients/{world.client_a.pk}/discharge/", {"close_assignments": "on"})
    with scopes_disabled():
        world.client_a.refresh_from_db()
    assert world.client_a.status == ClientStatus.DISCHARGED
    assert world.client_a.discharged_at is not None


def test_client_pages_are_never_cached(web, world):
    response = web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    assert "no-store" in response["Cache-Control"]


def test_changing_a_clients_email_to_a_staff_address_is_refused(web, world):
    response = web(world.therapist_a).post(
        f"/clients/{world.client_a.pk}/edit/",
        client_data(world, email="therapist@beta.test"),
    )
    assert response.status_code == 400
    assert "belongs to a staff account" in response.content.decode()
    with scopes_disabled():
        assert Client.objects.get(pk=world.client_a.pk).email == "client@alpha.test"
