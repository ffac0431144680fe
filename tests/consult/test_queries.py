"""How many queries the workspace costs (issue 13: at most 12 per page load and per htmx update,
whatever the catalog's size), and that the checks they replaced still hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Condition, Indication, Membership, Offering, Treatment
from consult.models import AuditEvent, ChosenOption, Consultation
from tests.consult.test_workspace import HX, profile_post, url

BUDGET = 12


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="Q-1")
    for position, slug in enumerate(("subcision", "dermapen-4")):
        ChosenOption.objects.create(
            consultation=consultation, treatment=Treatment.objects.get(slug=slug), position=position
        )
    return consultation


def _grow_catalog(total: int) -> None:
    """Synthetic treatments, each indicated for rolling scars and offered by the demo clinic."""
    template = Treatment.objects.get(slug="subcision")
    clinic_id = Offering.objects.filter(treatment=template).values_list("clinic_id", flat=True).first()
    condition = Condition.objects.get(slug="rolling-scar")
    missing = total - Treatment.objects.count()
    fields = {f.attname: getattr(template, f.attname) for f in Treatment._meta.concrete_fields}
    fields.pop("id")
    created = Treatment.objects.bulk_create(
        [Treatment(**{**fields, "slug": f"synthetic-{n}"}) for n in range(missing)]
    )
    Indication.objects.bulk_create(
        Indication(
            treatment=t, condition=condition, strength=2, rationale_ja="合成", rationale_en="synthetic"
        )
        for t in created
    )
    Offering.objects.bulk_create(
        Offering(clinic_id=clinic_id, treatment=t, price_per_session_yen=10000) for t in created
    )
    assert Treatment.objects.count() == total


def _signed_in(client, user, consultation):
    client.force_login(user)
    # The first request after signing in pushes the session's end on (once a minute at most) and
    # fills the per-process catalog cache; what is counted is the counselor's steady state.
    client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    consultation.refresh_from_db()
    assert client.get(url(consultation)).status_code == 200


@pytest.mark.parametrize("size", [18, 2000])
@pytest.mark.parametrize("role", ["counselor", "physician"])
def test_it_loads_the_page_and_saves_a_change_within_the_budget(
    client, consultation, counselor, physician, django_assert_max_num_queries, size, role
):
    if size > Treatment.objects.count():
        _grow_catalog(size)
    _signed_in(client, counselor if role == "counselor" else physician, consultation)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url(consultation))
    assert response.status_code == 200
    assert "Q-1" in response.content.decode()
    consultation.refresh_from_db()
    with django_assert_max_num_queries(BUDGET):
        response = client.post(
            url(consultation, "save/"), profile_post(consultation, skin_type="3", max_pain="2"), **HX
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="save-state"' in body
    # What the update shows is what was saved: the new version, and the change in the database.
    consultation.refresh_from_db()
    assert f'value="{consultation.version}"' in body
    assert (consultation.skin_type, consultation.max_pain) == (3, 2)
    # Every request is still audited: the view and the change.
    assert AuditEvent.objects.filter(consultation=consultation, action="view").count() == 2
    assert AuditEvent.objects.filter(consultation=consultation, action="change").count() == 2


def _statements(captured) -> int:
    """Statements a server sends the database: the test's own transaction turns the view's
    BEGIN/COMMIT (not counted by Django) into a SAVEPOINT and its RELEASE, which are left out."""
    return sum(1 for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


@pytest.mark.parametrize(
    ("action", "slug"), [("add", "potenza"), ("up", "dermapen-4"), ("remove", "subcision")]
)
def test_an_option_change_stays_within_the_budget(counselor_client, consultation, action, slug):
    _signed_in(counselor_client, consultation.counselor, consultation)
    consultation.refresh_from_db()
    data = {"version": consultation.version, "action": action, "treatment": slug}
    with CaptureQueriesContext(connection) as ctx:
        response = counselor_client.post(url(consultation, "options/"), data, **HX)
    assert response.status_code == 200
    assert _statements(ctx.captured_queries) <= BUDGET, [q["sql"][:80] for q in ctx.captured_queries]
    # The answer shows the comparison as stored.
    stored = [o.treatment.slug for o in consultation.options.order_by("position", "id")]
    expected = {
        "add": ["subcision", "dermapen-4", "potenza"],
        "up": ["dermapen-4", "subcision"],
        "remove": ["dermapen-4"],
    }[action]
    assert stored == expected
    body = response.content.decode()
    names = [Treatment.objects.get(slug=s).name for s in stored]
    positions = [body.index(name) for name in names]
    assert positions == sorted(positions)


def test_a_role_taken_away_is_seen_at_the_next_request(client, counselor, consultation):
    """The role is remembered for one request only: no cache outlives a membership."""
    _signed_in(client, counselor, consultation)
    # Made a clinic admin: that role needs a second factor, and the gate sends her to set one up.
    Membership.objects.filter(user=counselor).update(role=Membership.Role.CLINIC_ADMIN)
    consultation.refresh_from_db()
    response = client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/two-factor/setup/")
    Membership.objects.filter(user=counselor).delete()
    assert client.get(url(consultation)).status_code == 404


def test_a_user_with_no_role_granting_the_action_is_refused_as_before(
    client, clinic_admin, outsider, consultation
):
    client.force_login(clinic_admin)  # views consultations, never edits them
    response = client.post(url(consultation, "save/"), profile_post(consultation), **HX)
    assert response.status_code == 403
    client.force_login(outsider)  # a counselor at another clinic
    assert client.get(url(consultation)).status_code == 404
    refused = AuditEvent.objects.filter(action="refused", consultation=consultation)
    assert sorted(e.detail["status"] for e in refused) == [403, 404]


def test_the_session_row_is_written_at_most_once_a_minute(client, counselor, consultation, settings):
    settings.SESSION_REFRESH_SECONDS = 60
    client.force_login(counselor)
    assert client.get(url(consultation)).status_code == 200
    session = Session.objects.get()
    first_end = session.expire_date
    assert timedelta(minutes=29) < first_end - timezone.now() <= timedelta(minutes=30)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(consultation)).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    # Past the interval the end moves on again (the idle time-out is kept).
    settings.SESSION_REFRESH_SECONDS = 0
    assert client.get(url(consultation)).status_code == 200
    assert Session.objects.get().expire_date > first_end
