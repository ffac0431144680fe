"""Each treatment carries whether, and under which purpose/method, the Specified Commercial
Transactions Act's 美容医療 covers it (design.md §10), editable in the admin and linted."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from catalog.models import Treatment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_fixture_defaults_follow_the_law():
    scope = {t.slug: (t.scta_purpose, t.scta_method, t.in_scta_scope) for t in Treatment.objects.all()}
    assert scope["dermapen-4"] == ("skin", "device", True)
    assert scope["potenza"] == ("skin", "device", True)
    assert scope["pico-fractional"] == ("skin", "light", True)
    assert scope["co2-fractional"] == ("skin", "light", True)
    assert scope["profhilo"] == ("wrinkles", "drug", True)
    assert scope["rejuran"] == ("wrinkles", "drug", True)
    assert scope["subcision"] == ("", "", False)
    assert scope["cultured-epidermal-autograft"] == ("", "", False)
    assert scope["retinoid-therapy"] == ("", "", False)
    # The standard options of issue 11: peels and the vascular laser in scope; home-care drugs, like
    # retinoid-therapy, and surgery not.
    assert scope["tca-cross"] == scope["chemical-peel"] == ("skin", "drug", True)
    assert scope["vascular-laser"] == ("skin", "light", True)
    for slug in ("hydroquinone", "tranexamic-acid-oral", "punch-techniques"):
        assert scope[slug] == ("", "", False)
    # every one of the shipped catalog's treatments has been decided on
    assert len(scope) >= 25
    assert sum(in_scope for *_, in_scope in scope.values()) == 18


def test_a_method_the_law_does_not_list_for_the_purpose_is_refused():
    treatment = Treatment.objects.get(slug="profhilo")
    treatment.scta_method = "light"  # wrinkles: only drugs or threads
    with pytest.raises(ValidationError) as error:
        treatment.clean()
    assert "scta_method" in error.value.message_dict


def test_a_method_without_a_purpose_is_refused():
    treatment = Treatment.objects.get(slug="subcision")
    treatment.scta_method = "device"
    with pytest.raises(ValidationError) as error:
        treatment.clean()
    assert "scta_purpose" in error.value.message_dict


def test_lint_reports_a_mismatch():
    Treatment.objects.filter(slug="profhilo").update(scta_method="light")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    assert "catalog.treatment[profhilo]: scta_method: purpose and method do not match" in out.getvalue()


def test_the_catalog_editor_edits_the_scope_in_the_admin(client, demo_clinic, catalog_editor):
    # The scope is shared catalog text (issue 12): the catalog editor changes it, a clinic admin reads it.
    treatment = Treatment.objects.get(slug="subcision")
    client.force_login(catalog_editor)
    page = client.get(f"/admin/catalog/treatment/{treatment.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="scta_purpose"' in content and 'name="scta_method"' in content
    client.force_login(make_user("scope-admin", demo_clinic, "clinic-admin"))
    page = client.get(f"/admin/catalog/treatment/{treatment.pk}/change/")
    assert page.status_code == 200 and 'name="scta_purpose"' not in page.content.decode()
