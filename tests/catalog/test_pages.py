from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/catalog/conditions/",
    "/catalog/conditions/rolling-scar/",
    "/catalog/conditions/acne-scar/",
    "/catalog/treatments/",
    "/catalog/treatments/?category=regenerative",
    "/catalog/treatments/subcision/",
    "/catalog/treatments/rejuran/",
    "/catalog/treatments/prp-skin-regeneration/",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/catalog/treatment/",
    "/admin/catalog/treatment/?q=potenza",
    "/admin/catalog/condition/",
    "/admin/catalog/offering/",
    "/admin/catalog/medicalflag/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("language,word", [("ja", "施術"), ("en", "Treatments")])
@pytest.mark.parametrize("path", PAGES)
def test_catalog_pages_render_in_both_languages(client, counselor, path, language, word):
    client.force_login(counselor)
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert word in body


def test_treatment_detail_shows_catalog_text_in_the_ui_language(client, counselor):
    from catalog.models import Treatment

    subcision = Treatment.objects.get(slug="subcision")
    client.force_login(counselor)
    client.cookies["django_language"] = "en"
    assert subcision.name_en in client.get("/catalog/treatments/subcision/").content.decode()
    client.cookies["django_language"] = "ja"
    assert subcision.name_ja in client.get("/catalog/treatments/subcision/").content.decode()


def test_unknown_slug_is_404(client, counselor):
    client.force_login(counselor)
    assert client.get("/catalog/treatments/no-such-thing/").status_code == 404


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render_for_a_clinic_admin(client, clinic_admin, path, language):
    client.force_login(clinic_admin)
    client.cookies["django_language"] = language
    assert client.get(path).status_code == 200


def test_treatment_admin_form_has_japanese_and_english_side_by_side(client, clinic_admin):
    from catalog.models import Treatment

    client.force_login(clinic_admin)
    pk = Treatment.objects.get(slug="subcision").pk
    body = client.get(f"/admin/catalog/treatment/{pk}/change/").content.decode()
    assert 'name="name_ja"' in body and 'name="name_en"' in body
    assert "indications-" in body and "contraindications-" in body


def test_a_counselor_cannot_reach_the_admin(client, counselor):
    client.force_login(counselor)
    assert client.get("/admin/catalog/treatment/").status_code == 302


def test_the_ui_language_can_be_switched(client, counselor):
    client.force_login(counselor)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalog/treatments/"})
    assert response.status_code == 302
    assert "Treatments" in client.get("/catalog/treatments/").content.decode()
