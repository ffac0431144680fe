"""One source for the per-session price (issue 16 item 6): a 1-session "course" row left in the data
cannot disagree with the offering's price per session, in the facts the handout prints or in the admin."""

from __future__ import annotations

from django.test import Client

from catalog.models import CoursePrice, Membership, Offering
from consult.facts import build_catalog_facts
from tests.conftest import give_second_factor, make_user


def _single_session_row() -> CoursePrice:
    return (
        CoursePrice.objects.filter(sessions=1)
        .select_related("offering__clinic", "offering__treatment")
        .first()
    )


def test_an_edited_price_per_session_is_the_price_of_one_session(db):
    row = _single_session_row()
    offering = row.offering
    Offering.objects.filter(pk=offering.pk).update(price_per_session_yen=row.price_yen + 2200)
    facts = build_catalog_facts(offering.clinic, "ja")
    treatment = next(t for t in facts.treatments if t.slug == offering.treatment.slug)
    assert treatment.price.course_cost(1) == row.price_yen + 2200
    # A course is never dearer per session than the price per session would make it.
    assert treatment.price.course_cost(3) <= 3 * (row.price_yen + 2200)
    assert (1, row.price_yen) not in treatment.price.courses


def test_the_admin_offers_no_one_session_course(db, demo_clinic):
    admin_user = make_user("priceadmin", demo_clinic, Membership.Role.CLINIC_ADMIN)
    give_second_factor(admin_user)
    client = Client()
    client.force_login(admin_user)
    row = _single_session_row()
    page = client.get(f"/admin/catalog/offering/{row.offering.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    # The 1-session row is not listed to disagree: only the courses of two or more sessions are.
    courses = CoursePrice.objects.filter(offering=row.offering, sessions__gte=2).count()
    assert f'name="course_prices-INITIAL_FORMS" value="{courses}"' in html
    assert "クリニック" in html and "施術" in html  # labels in the admin's language
