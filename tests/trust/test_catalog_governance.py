"""Catalog governance (issue 12, item 7): the shared catalog's text is edited by catalog editors only;
clinic admins edit their clinic's offerings; every clinic admin sees changes to the shared text."""

from __future__ import annotations

import pytest

from catalog.models import Membership, Offering, Treatment
from catalog.roles import add_member
from consult.models import AuditEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_SUMMARY = "改訂された概要（カタログ編集者）"


def _form_data(response) -> dict:
    """What the browser would send back from an admin change page, unchanged (fields and inlines)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if field.disabled:
                continue
            key = bound.html_name
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def _change_treatment(client, treatment: Treatment, summary: str):
    url = f"/admin/catalog/treatment/{treatment.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page)
    data["summary_ja"] = summary
    return page, client.post(url, data)


def test_a_clinic_admin_reads_but_cannot_change_a_treatments_text(client, clinic_admin):
    treatment = Treatment.objects.get(slug="subcision")
    client.force_login(clinic_admin)
    page = client.get(f"/admin/catalog/treatment/{treatment.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # Django's read-only view
    response = client.post(f"/admin/catalog/treatment/{treatment.pk}/change/", {"summary_ja": NEW_SUMMARY})
    assert response.status_code == 403
    assert Treatment.objects.get(pk=treatment.pk).summary_ja == treatment.summary_ja
    assert client.get("/admin/catalog/treatment/add/").status_code == 403
    assert not AuditEvent.objects.filter(action="catalog-change").exists()


def test_a_clinic_admin_still_edits_the_clinics_offering(client, clinic_admin, demo_clinic):
    """Prices, the per-offering plan number and the clinic's own note stay with the clinic admin."""
    offering = demo_clinic.offerings.first()
    client.force_login(clinic_admin)
    url = f"/admin/catalog/offering/{offering.pk}/change/"
    data = _form_data(client.get(url))
    data.update(price_per_session_yen="12345", regenerative_plan_number="PC-0001", note_ja="当院の注記")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    offering.refresh_from_db()
    assert (offering.price_per_session_yen, offering.regenerative_plan_number, offering.note_ja) == (
        12345,
        "PC-0001",
        "当院の注記",
    )


def test_a_catalog_editor_changes_a_treatments_text(client, catalog_editor):
    treatment = Treatment.objects.get(slug="subcision")
    client.force_login(catalog_editor)
    page, response = _change_treatment(client, treatment, NEW_SUMMARY)
    assert 'name="_save"' in page.content.decode()
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Treatment.objects.get(pk=treatment.pk).summary_ja == NEW_SUMMARY
    event = AuditEvent.objects.get(action="catalog-change")
    assert (event.user, event.clinic, event.object_id) == (catalog_editor, None, str(treatment.pk))


def test_a_catalog_editor_sees_no_clinic_and_no_staff(client, catalog_editor, demo_clinic):
    client.force_login(catalog_editor)
    offering = demo_clinic.offerings.first()
    # A clinic's own records answer outsiders as if they did not exist (ClinicScopedAdmin).
    assert client.get(f"/admin/catalog/offering/{offering.pk}/change/").status_code == 404
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/consultations/").status_code == 403


def test_every_clinic_admin_sees_a_change_to_the_shared_text(
    client, catalog_editor, demo_clinic, other_clinic
):
    """An editor who also counsels at clinic A changes a treatment clinic B offers: B's admin sees it
    in B's audit log (a shared-catalog change is one row without a clinic, shown to every clinic)."""
    add_member(catalog_editor, demo_clinic, Membership.Role.COUNSELOR)
    treatment = Offering.objects.filter(clinic=other_clinic).first().treatment
    client.force_login(catalog_editor)
    _page, response = _change_treatment(client, treatment, NEW_SUMMARY)
    assert response.status_code == 302
    admin_b = make_user("admin-b", other_clinic, Membership.Role.CLINIC_ADMIN)
    client.force_login(admin_b)
    body = client.get("/audit/?action=catalog-change").content.decode()
    assert "catalogeditor" in body
    csv_body = b"".join(client.get("/audit/?format=csv&action=catalog-change").streaming_content).decode()
    assert f"catalogeditor,catalog-change,,,catalog.treatment,{treatment.pk}" in csv_body


def test_clinic_admins_cannot_manage_catalog_editor_accounts(
    client, clinic_admin, catalog_editor, demo_clinic
):
    """An editor who also works at the clinic keeps rights beyond the role: its admin cannot reset
    the editor's password (and so cannot take over the shared catalog)."""
    add_member(catalog_editor, demo_clinic, Membership.Role.COUNSELOR)
    client.force_login(clinic_admin)
    assert client.get(f"/admin/auth/user/{catalog_editor.pk}/change/").status_code == 404


def test_a_catalog_editor_always_needs_a_second_factor(client, settings):
    """Like a superuser's: what an editor changes reaches every clinic's patients."""
    from django.contrib.auth.models import User

    from catalog.roles import make_catalog_editor
    from tests.conftest import force_login_password_only

    settings.MFA_REQUIRED_FOR = frozenset({Membership.Role.PHYSICIAN})
    editor = User.objects.create_user("new-editor", password="unused-in-this-test")
    make_catalog_editor(editor)
    force_login_password_only(client, editor)
    response = client.get("/admin/catalog/treatment/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")


def test_a_catalog_editor_lands_in_the_admin_without_a_refusal(client, catalog_editor):
    client.force_login(catalog_editor)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/catalog/treatments/").content.decode()
    assert 'href="/consultations/"' not in page and 'href="/admin/"' in page
    assert not AuditEvent.objects.filter(action="refused").exists()
