"""Enrolling a client in a pathway from one page, straight from a global pathway (issue 23:
it took eight page loads — copy, builder, publish, back, enrol)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from pathways.models import CuratedPathway, Enrolment, Pathway, PathwayStatus
from tests.factories import ClientFactory, api_token_for
from tests.pathways.conftest import step_spec

pytestmark = pytest.mark.django_db

MONDAY = "2025-06-02 08:00:00+00:00"
SLUG = "behavioural-activation-low-mood"


def _enrol(browser, client, pathway_choice, start="2025-06-02"):
    return browser.post(
        "/pathways/enrol/",
        {"client": str(client.pk), "pathway": pathway_choice, "start_date": start},
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_client_is_enrolled_from_a_global_pathway_in_three_page_loads(web, world, library):
    source = CuratedPathway.objects.get(slug=SLUG)
    browser = web(world.therapist_a)
    detail = browser.get(f"/pathways/library/{source.pk}/").content.decode()  # load 1
    link = f"/pathways/enrol/?pathway=global:{source.pk}"
    assert f'href="{link}"' in detail and "Enrol a client" in detail
    form = browser.get(link)  # load 2
    assert form.status_code == 200
    assert f'<option value="global:{source.pk}" selected>' in form.content.decode()
    sent = _enrol(browser, world.client_a, f"global:{source.pk}")  # load 3: the redirect
    with scopes_disabled():
        enrolment = Enrolment.objects.get(client=world.client_a)
        copy = enrolment.pathway
    assert sent.status_code == 302 and sent["Location"] == f"/pathways/enrolments/{enrolment.pk}/"
    assert copy.origin == source and copy.status == PathwayStatus.PUBLISHED
    assert copy.practice_id == world.practice_a.pk
    with scopes_disabled():
        assert enrolment.steps.count() == source.steps.count()
    # A second client runs on the same practice copy: no pile of copies.
    other = ClientFactory(practice=world.practice_a, primary_therapist=world.therapist_a)
    assert _enrol(browser, other, f"global:{source.pk}").status_code == 302
    with scopes_disabled():
        assert Pathway.objects.filter(origin=source, practice=world.practice_a).count() == 1


@time_machine.travel(MONDAY, tick=False)
def test_a_refused_enrolment_leaves_no_copy_behind(web, world, library):
    source = CuratedPathway.objects.get(slug=SLUG)
    browser = web(world.therapist_a)
    past = _enrol(browser, world.client_a, f"global:{source.pk}", start="2025-05-01")
    assert past.status_code == 400
    assert "Choose today or a later date." in past.content.decode()
    missing = _enrol(browser, world.client_a, f"global:{source.pk}", start="")
    assert missing.status_code == 400
    with scopes_disabled():
        assert not Pathway.objects.filter(origin=source).exists()
        assert not Enrolment.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_the_client_page_shows_their_pathway_and_offers_to_enrol(web, world, library):
    source = CuratedPathway.objects.get(slug=SLUG)
    browser = web(world.therapist_a)
    page = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert "Not on a pathway." in page
    link = f"/pathways/enrol/?client={world.client_a.pk}"
    assert f'href="{link}"' in page
    form = browser.get(link).content.decode()
    assert f'<option value="{world.client_a.pk}" selected>' in form
    assert f'value="global:{source.pk}"' in form
    _enrol(browser, world.client_a, f"global:{source.pk}")
    page = browser.get(f"/clients/{world.client_a.pk}/").content.decode()
    assert source.name in page and "Not on a pathway." not in page
    assert " of " in page.split('id="client-pathways"')[1].split("</section>")[0]


@time_machine.travel(MONDAY, tick=False)
def test_another_practice_clients_and_pathways_are_404(web, world, library, build):
    browser = web(world.therapist_a)
    theirs = build([step_spec(library.plain[0], "on_enrolment")], practice=world.practice_b)
    assert browser.get(f"/pathways/enrol/?client={world.client_b.pk}").status_code == 404
    assert browser.get(f"/pathways/enrol/?pathway=practice:{theirs.pk}").status_code == 404
    assert _enrol(browser, world.client_b, f"practice:{theirs.pk}").status_code == 404
    assert browser.get("/pathways/enrol/?pathway=nonsense").status_code == 404
    with scopes_disabled():
        assert not Enrolment.objects.exists()


def test_the_enrol_page_holds_its_queries_however_many_pathways(web, world, library, build):
    browser = web(world.therapist_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(f"/pathways/enrol/?client={world.client_a.pk}").status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        build([step_spec(library.plain[0], "on_enrolment")], name=f"Extra {n}")
    assert count() == before


@time_machine.travel(MONDAY, tick=False)
def test_the_api_enrols_from_a_global_pathway_in_one_call(world, library):
    source = CuratedPathway.objects.get(slug=SLUG)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(world.therapist_a)}")
    url = f"/api/v1/pathways/global/{source.pk}/enrol/"
    bad = api.post(url, {"client": str(world.client_a.pk), "start_date": "2025-05-01"})
    assert bad.status_code == 400 and "start_date" in bad.json()
    foreign = api.post(url, {"client": str(world.client_b.pk), "start_date": "2025-06-02"})
    assert foreign.status_code == 404
    with scopes_disabled():
        assert not Pathway.objects.filter(origin=source).exists()
    made = api.post(url, {"client": str(world.client_a.pk), "start_date": "2025-06-02"})
    assert made.status_code == 201
    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=made.json()["enrolment"])
    assert str(enrolment.pathway_id) == made.json()["pathway"]
    assert enrolment.client_id == world.client_a.pk
