"""Hostile and broken input never produces a 5xx and never loses what was already saved."""

from __future__ import annotations

import unicodedata
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.db import DatabaseError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from catalog.models import Condition
from consult.forms import clean_text
from consult.models import Concern, Consultation

HX = {"HTTP_HX_REQUEST": "true"}
FIELDS = [
    "version",
    "chart_number",
    "display_name",
    "age_band",
    "skin_type",
    "handout_language",
    "max_downtime_days",
    "budget_yen",
    "needles_ok",
    "max_pain",
    "event_date",
    "notes",
    "concern",
    "severity-rolling-scar",
    "areas-rolling-scar",
    "flag-pregnancy",
    "flag-unknown",
]
NASTY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\u202e\u200f",
            "9999-12-31",
            "-1",
            "1e309",
            "99999999999999999999",
            "NaN",
            "🙂" * 50,
            "<script>alert(1)</script>",
            "rolling-scar",
            "../../etc/passwd",
            "a" * 6000,
            "\ud800",
        ]
    ),
)


@pytest.fixture
def saved(counselor, demo_clinic) -> Consultation:
    consultation = Consultation.objects.create(
        clinic=demo_clinic, counselor=counselor, chart_number="H-1", display_name="既存", notes="既存のメモ"
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="rolling-scar"),
        severity=3,
        areas=["chin"],
    )
    return consultation


def _state(consultation: Consultation) -> tuple:
    c = Consultation.objects.get(pk=consultation.pk)
    return (
        c.version,
        c.chart_number,
        c.display_name,
        c.notes,
        c.skin_type,
        c.max_downtime_days,
        c.budget_yen,
        c.event_date,
        sorted((x.condition_id, x.severity, tuple(x.areas)) for x in c.concerns.all()),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), NASTY_TEXT, max_size=len(FIELDS)))
def test_generated_saves_never_fail_with_5xx_nor_lose_data(counselor_client, saved, data):
    before = _state(saved)
    body = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in data.items()})
    response = counselor_client.generic(
        "POST",
        f"/consultations/{saved.public_id}/save/",
        body,
        content_type="application/x-www-form-urlencoded",
        **HX,
    )
    assert response.status_code < 500
    if response.status_code != 200:
        assert _state(saved) == before
    else:
        # Accepted: the version moved on and the text fields hold no control characters.
        after = Consultation.objects.get(pk=saved.pk)
        assert after.version == before[0] + 1
        assert "\x00" not in after.notes + after.chart_number + after.display_name


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["version", "action", "treatment"]), NASTY_TEXT, max_size=3))
def test_generated_option_changes_never_fail_with_5xx(counselor_client, saved, data):
    body = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in data.items()})
    response = counselor_client.generic(
        "POST",
        f"/consultations/{saved.public_id}/options/",
        body,
        content_type="application/x-www-form-urlencoded",
        **HX,
    )
    assert response.status_code < 500


def test_invalid_utf8_bytes_are_refused_cleanly(counselor_client, saved):
    before = _state(saved)
    response = counselor_client.generic(
        "POST",
        f"/consultations/{saved.public_id}/save/",
        b"version=1&notes=%FF%FE%80&chart_number=%C3",
        content_type="application/x-www-form-urlencoded",
        **HX,
    )
    assert response.status_code < 500
    assert _state(saved)[2:] == before[2:]


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/not-a-uuid/",
        "/consultations/00000000-0000-0000-0000-000000000000/",
        "/consultations/00000000-0000-0000-0000-000000000000/save/",
        "/catalog/treatments/%00/",
        "/consultations/?page=999999&date=9999-99-99&q=%00",
    ],
)
def test_tampered_ids_and_queries_are_404_or_handled(counselor_client, path):
    assert counselor_client.get(path).status_code in (200, 404, 405)


def test_missing_csrf_token_is_403_and_changes_nothing(client, counselor, saved):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(counselor)
    before = _state(saved)
    response = strict.post(
        f"/consultations/{saved.public_id}/save/", {"version": 1, "chart_number": "X"}, **HX
    )
    assert response.status_code == 403
    assert _state(saved) == before


def test_a_database_error_while_saving_is_shown_as_a_failed_save_and_the_page_recovers(
    counselor_client, saved, caplog
):
    before = _state(saved)
    data = {
        "version": saved.version,
        "chart_number": "H-1",
        "handout_language": "ja",
        "needles_ok": "yes",
        "notes": "new",
        "concern": ["rolling-scar"],
        "severity-rolling-scar": "2",
    }
    with mock.patch("consult.models.Consultation.save_profile", side_effect=DatabaseError("disk full")):
        response = counselor_client.post(f"/consultations/{saved.public_id}/save/", data, **HX)
    assert response.status_code == 503
    body = response.content.decode()
    assert 'class="save-state failed"' in body and 'role="alert"' in body
    assert _state(saved) == before
    # The failure is logged for the IT person, without the patient's chart number, name or notes.
    assert "saving consultation" in caplog.text
    for private in ("H-1", "既存", "new"):
        assert private not in caplog.text.replace("consultation", "")
    # Once the database is back, the same save goes through.
    response = counselor_client.post(f"/consultations/{saved.public_id}/save/", data, **HX)
    assert response.status_code == 200
    assert Consultation.objects.get(pk=saved.pk).notes == "new"


@pytest.mark.parametrize(
    "field,value",
    [
        ("notes", "x" * 5001),
        ("chart_number", "x" * 41),
        ("display_name", "x" * 81),
        ("event_date", "9999-12-31"),
        ("budget_yen", "-5"),
        ("budget_yen", "100000000000"),
        ("max_downtime_days", "366"),
        ("max_pain", "7"),
        ("skin_type", "9"),
        ("handout_language", "fr"),
        ("age_band", "ancient"),
        ("chart_number", "   "),
    ],
)
def test_each_bad_value_is_a_clear_validation_message(counselor_client, saved, field, value):
    data = {
        "version": saved.version,
        "chart_number": "H-1",
        "handout_language": "ja",
        "needles_ok": "yes",
        field: value,
    }
    response = counselor_client.post(f"/consultations/{saved.public_id}/save/", data, **HX)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert Consultation.objects.get(pk=saved.pk).notes == "既存のメモ"


def _valid_post(consultation: Consultation) -> dict[str, str | list[str]]:
    """A save the form accepts; the generated tests below spoil one to three of its fields."""
    return {
        "version": str(Consultation.objects.get(pk=consultation.pk).version),
        "chart_number": "H-1",
        "display_name": "既存",
        "age_band": "30s",
        "skin_type": "4",
        "handout_language": "ja",
        "max_downtime_days": "7",
        "budget_yen": "300000",
        "needles_ok": "yes",
        "max_pain": "2",
        "event_date": "2027-01-20",
        "notes": "既存のメモ",
        "concern": ["rolling-scar"],
        "severity-rolling-scar": "3",
        "areas-rolling-scar": ["chin"],
        "flag-pregnancy": "no",
    }


TEXT_FIELDS = ("chart_number", "display_name", "notes")


def _post_raw(client, path: str, data: dict):
    """POST as a browser would, but let lone surrogates through as raw (invalid) UTF-8 bytes."""

    def raw(value: str) -> bytes:
        return value.encode("utf-8", "surrogatepass")

    pairs = [(k, raw(v)) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
    return client.generic(
        "POST", path, urlencode(pairs), content_type="application/x-www-form-urlencoded", **HX
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spoiled=st.dictionaries(
        st.sampled_from([f for f in FIELDS if f != "version"]), NASTY_TEXT, min_size=1, max_size=3
    )
)
def test_a_valid_save_with_spoiled_fields_is_saved_exactly_or_refused_whole(counselor_client, saved, spoiled):
    before = _state(saved)
    data = {**_valid_post(saved), **spoiled}
    response = _post_raw(counselor_client, f"/consultations/{saved.public_id}/save/", data)
    event(f"status {response.status_code}")
    assert response.status_code < 500
    if response.status_code != 200:
        assert response.status_code == 422
        assert 'role="alert"' in response.content.decode()
        assert _state(saved) == before
        return
    after = Consultation.objects.get(pk=saved.pk)
    assert after.version == before[0] + 1
    for name in TEXT_FIELDS:
        kept = getattr(after, name)
        # What was typed is kept whole, only cleaned of control characters and surrounding blanks.
        assert kept == clean_text(data[name])
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in kept)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.sampled_from(["add", "remove", "up", "down"]),
    treatment=st.one_of(
        st.sampled_from(["subcision", "potenza", "dermapen-4", "exosome", "rejuran"]), NASTY_TEXT
    ),
    stale=st.booleans(),
)
def test_generated_option_changes_keep_the_comparison_consistent(
    counselor_client, saved, action, treatment, stale
):
    before = list(saved.options.values_list("treatment__slug", flat=True))
    version = Consultation.objects.get(pk=saved.pk).version - (1 if stale else 0)
    response = _post_raw(
        counselor_client,
        f"/consultations/{saved.public_id}/options/",
        {"version": str(version), "action": action, "treatment": treatment},
    )
    event(f"status {response.status_code}")
    assert response.status_code in (200, 409, 422)
    after = list(saved.options.values_list("treatment__slug", flat=True))
    if response.status_code != 200:
        assert after == before
    assert len(after) == len(set(after)) <= 4


def test_a_raw_non_utf8_byte_in_a_form_body_is_refused_with_a_message(counselor_client, demo_clinic):
    """The raw byte 0xFF (not percent-encoded) used to be decoded as Latin-1 and stored ('MAL-2ÿ')."""
    response = counselor_client.generic(
        "POST",
        "/consultations/new/",
        b"chart_number=MAL-2\xff&handout_language=ja&clinic=demo-clinic",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    assert not Consultation.objects.filter(chart_number__startswith="MAL-2").exists()


def test_a_raw_non_utf8_byte_in_a_save_is_refused_and_nothing_changes(counselor_client, saved):
    before = _state(saved)
    response = counselor_client.generic(
        "POST",
        f"/consultations/{saved.public_id}/save/",
        f"version={saved.version}&chart_number=MAL-2".encode() + b"\xff\xfe",
        content_type="application/x-www-form-urlencoded",
        **HX,
    )
    assert response.status_code == 400
    assert _state(saved) == before


def test_a_raw_non_utf8_byte_in_a_query_string_is_refused(counselor_client):
    response = counselor_client.get("/consultations/", QUERY_STRING="q=A-\xff")
    assert response.status_code == 400
