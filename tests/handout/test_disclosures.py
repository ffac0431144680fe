"""The handout prints the clinic's own five statements and is not issued while one lacks its facts
(issue 11, item 3)."""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Clinic, Condition, JapanApproval, Offering, Treatment
from consult.documents import handout as handout_kind
from consult.documents import pipeline
from consult.documents.handout import build_snapshot_for_profile, missing_disclosures, render_handout
from consult.documents.wording import REGULATORY_SHORT
from consult.models import ChosenOption, Concern, Consultation
from consult.profile import parse_profile
from tests.conftest import sign_off

from .conftest import squash

HX = {"HTTP_HX_REQUEST": "true"}
ISSUED_AT = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _snapshot(language: str, options: list[str]) -> dict:
    profile = {"clinic": "demo-clinic", "concerns": [{"condition": "rolling-scar", "severity": 3}]}
    return build_snapshot_for_profile(parse_profile({**profile, "language": language}), options, ISSUED_AT)


def _pdf_text(snapshot: dict, tmp_path) -> str:
    path = tmp_path / "h.pdf"
    path.write_bytes(render_handout(snapshot))
    return squash(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    )


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="A-3001", handout_language="ja"
    )
    Concern.objects.create(
        consultation=consultation, condition=Condition.objects.get(slug="rolling-scar"), severity=3
    )
    ChosenOption.objects.create(
        consultation=consultation, treatment=Treatment.objects.get(slug="rejuran"), position=1
    )
    return consultation


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_demo_handout_prints_the_clinics_statements_marked_fictional(language, tmp_path):
    snapshot = _snapshot(language, ["rejuran", "subcision"])
    assert missing_disclosures(snapshot) == []
    flat = _pdf_text(snapshot, tmp_path)
    marker = {"ja": "架空のデモ値", "en": "fictionaldemovalue"}[language]
    # Statements 1-3 of the one unapproved option, and the funding statement in the About box.
    assert flat.count(marker) == 4
    assert "yakubutsu.mhlw.go.jp" in flat  # the physician's personal import
    assert squash("リジュラン" if language == "ja" else "Rejuran") in flat


@pytest.mark.django_db
def test_a_real_clinics_handout_carries_no_demo_marker(tmp_path):
    Clinic.objects.filter(slug="demo-clinic").update(is_demo=False)
    snapshot = _snapshot("ja", ["rejuran"])
    statements = snapshot["options"][0]["regulatory"]["unapproved"]
    assert len(statements) == 5 and all(s["text"] for s in statements)
    assert not any("架空のデモ値" in s["text"] for s in statements)


@pytest.mark.django_db
def test_an_off_label_offering_of_a_procedure_needs_the_statements(db):
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="subcision").update(
        japan_approval=JapanApproval.OFF_LABEL
    )
    gaps = missing_disclosures(_snapshot("en", ["subcision"]))
    assert len(gaps) == 1
    for heading in (
        "That it is an unapproved product or use",
        "How the clinic obtains it",
        "Approved products in Japan",
    ):
        assert heading in gaps[0]


def test_issuing_is_refused_while_the_offering_lacks_its_supply_route(
    counselor_client, consultation, physician
):
    Offering.objects.filter(clinic=consultation.clinic, treatment__slug="rejuran").update(supply_route="")
    sign_off(consultation, physician)
    with pytest.raises(pipeline.Refused) as refused:
        pipeline.issue(handout_kind.KIND, consultation.reloaded(), consultation.counselor)
    assert "リジュラン" in refused.value.problems[0] and "入手経路等" in refused.value.problems[0]
    response = counselor_client.post(f"/consultations/{consultation.public_id}/handouts/", **HX)
    assert response.status_code == 422
    assert "入手経路等" in response.content.decode()
    assert not consultation.documents.exists()
    # With the fact recorded the same handout is issued.
    Offering.objects.filter(clinic=consultation.clinic, treatment__slug="rejuran").update(
        supply_route="personal-import"
    )
    response = counselor_client.post(f"/consultations/{consultation.public_id}/handouts/")
    assert response.status_code == 302
    assert consultation.documents.count() == 1


@pytest.mark.django_db
def test_the_status_row_follows_what_the_clinic_uses():
    snapshot = _snapshot("en", ["vascular-laser", "co2-fractional"])
    status = {o["slug"]: o["regulatory"]["short"] for o in snapshot["options"]}
    assert status == {
        "vascular-laser": "Approved in Japan, used off-label",
        "co2-fractional": "Unapproved in Japan",
    }
    # A clinic whose CO2 laser is an approved model, used within its approval: no statements to give.
    Offering.objects.filter(clinic__slug="demo-clinic", treatment__slug="co2-fractional").update(
        japan_approval=JapanApproval.APPROVED
    )
    co2 = _snapshot("ja", ["co2-fractional"])["options"][0]["regulatory"]
    assert co2["short"] == REGULATORY_SHORT["ja"]["approved"] and co2["unapproved"] == []


def test_the_statements_cost_no_query_per_option(db):
    """The snapshot reads each offering's clinic with the offering: an unapproved option more costs
    no further query (it cost one each, for `Clinic.is_demo`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _snapshot("ja", ["subcision"])  # the catalog facts cached, as in a running server
    counts = []
    for options in (["subcision"], ["dermapen-4", "subcision", "co2-fractional"]):
        with CaptureQueriesContext(connection) as queries:
            _snapshot("ja", options)
        counts.append(len(queries))
    assert counts[1] == counts[0], counts
