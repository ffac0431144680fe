"""Who paid for the handout and who made it (issue 14, IPDASi v4.0: "funding used for development"
and "authors' credentials"): the clinic's funding statement in the About box, a handout refused
without one, the signing physician's title and the preparer's role — read back from real PDFs."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.utils import translation

from catalog.lint import lint
from catalog.models import Clinic, Condition, Membership, Physician, Treatment
from catalog.regulatory import DEMO_MARK
from consult.documents import handout as handout_kind
from consult.documents import pipeline
from consult.documents.handout_text import TEXT
from consult.models import ChosenOption, Concern, Consultation
from tests.conftest import make_user, sign_off

from .conftest import squash

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "h.pdf"
    path.write_bytes(pdf)
    return squash(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    )


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="F-1", handout_language="ja"
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="rolling-scar"), severity=3
    )
    ChosenOption.objects.create(
        consultation=consultation, treatment=Treatment.objects.get(slug="subcision"), position=1
    )
    return consultation


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_about_box_prints_the_clinics_funding_statement(handout_ja, handout_en, language):
    handout = {"ja": handout_ja, "en": handout_en}[language]
    t = TEXT[language]
    statement = getattr(Clinic.objects.get(slug="demo-clinic"), f"funding_statement_{language}")
    assert statement
    # The demo clinic's value is marked as fictional, like its other per-clinic statements.
    statement += DEMO_MARK[language]
    flat = handout.flat
    about = flat[flat.index(squash(t["about_h"])) : flat.index(squash(t["sources"]))]
    assert squash(t["about_funding"].format(statement=statement)) in about


def test_a_clinic_without_a_funding_statement_gets_no_handout(counselor_client, consultation, physician):
    Clinic.objects.filter(pk=consultation.clinic_id).update(funding_statement_ja="", funding_statement_en="")
    sign_off(consultation, physician)
    with translation.override("ja"), pytest.raises(pipeline.Refused) as refused:
        pipeline.issue(handout_kind.KIND, consultation.reloaded(), consultation.counselor)
    assert any("資料作成の費用の出どころ" in p for p in refused.value.problems), refused.value.problems
    response = counselor_client.post(f"/consultations/{consultation.public_id}/handouts/", **HX)
    assert response.status_code == 422
    assert "資料作成の費用の出どころ" in response.content.decode()
    assert not consultation.documents.exists()
    # lint_catalog tells the clinic admin before anyone prints.
    assert any(p.field == "funding_statement" and "demo-clinic" in p.obj for p in lint())
    # Written in the handout's language only: the Japanese handout is issued.
    Clinic.objects.filter(pk=consultation.clinic_id).update(funding_statement_ja="当院が負担しました。")
    response = counselor_client.post(f"/consultations/{consultation.public_id}/handouts/")
    assert response.status_code == 302
    assert consultation.documents.count() == 1


def test_a_statement_missing_in_the_handouts_language_refuses_that_language(consultation, physician):
    Clinic.objects.filter(pk=consultation.clinic_id).update(funding_statement_en="")
    Consultation.objects.filter(pk=consultation.pk).update(handout_language="en")
    sign_off(consultation, physician)
    with translation.override("ja"), pytest.raises(pipeline.Refused) as refused:
        pipeline.issue(handout_kind.KIND, consultation.reloaded(), consultation.counselor)
    assert any("資料作成の費用の出どころ" in p and "（en）" in p for p in refused.value.problems), (
        refused.value.problems
    )


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_about_box_prints_the_physicians_title_and_the_preparers_role(
    consultation, counselor, physician, tmp_path, language
):
    physician.first_name, counselor.first_name = "医師 太郎", "相談 花子"
    physician.save()
    counselor.save()
    Physician.objects.filter(clinic=consultation.clinic, pk=1).update(user=physician)
    title = getattr(Physician.objects.get(pk=1), f"title_{language}")
    assert title
    Consultation.objects.filter(pk=consultation.pk).update(handout_language=language)
    sign_off(consultation, physician)
    document = pipeline.issue(handout_kind.KIND, consultation.reloaded(), counselor)
    text = _pdf_text(bytes(document.pdf), tmp_path)
    t = TEXT[language]
    when = document.snapshot["signed_off_display"]
    assert squash(t["about_signed_title"].format(by="医師 太郎", title=title, when=when)) in text
    clinic = document.snapshot["clinic"]["name"]
    assert squash(t["about_prepared"].format(clinic=clinic, who="相談 花子")) in text
    assert ("カウンセラー" if language == "ja" else "counselor") in t["about_prepared"]


def test_a_physician_without_a_recorded_title_is_named_without_one(consultation, physician, tmp_path):
    physician.first_name = "医師 太郎"
    physician.save()
    sign_off(consultation, physician)
    document = pipeline.issue(handout_kind.KIND, consultation.reloaded(), consultation.counselor)
    text = _pdf_text(bytes(document.pdf), tmp_path)
    when = document.snapshot["signed_off_display"]
    assert squash(TEXT["ja"]["about_signed"].format(by="医師 太郎", when=when)) in text


def test_the_clinic_admin_writes_the_statement_and_links_only_their_own_physicians(
    client, clinic_admin, physician, demo_clinic, other_clinic
):
    elsewhere = make_user("elsewhere-physician", other_clinic, Membership.Role.PHYSICIAN)
    client.force_login(clinic_admin)
    page = client.get(f"/admin/catalog/clinic/{demo_clinic.pk}/change/").content.decode()
    assert 'name="funding_statement_ja"' in page and 'name="funding_statement_en"' in page
    choices = re.search(r'<select name="physicians-0-user".*?</select>', page, re.S).group(0)
    assert f'value="{physician.pk}"' in choices and f'value="{elsewhere.pk}"' not in choices
