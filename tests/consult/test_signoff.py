"""The physician's sign-off gates the options handout; absolute contraindications are a hard stop
(design.md §9, issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Condition, MedicalFlag, Treatment
from consult.models import AuditEvent, ChosenOption, Concern, Consultation
from tests.conftest import sign_off

HX = {"HTTP_HX_REQUEST": "true"}
EVENT = timezone.localdate() + timedelta(days=70)


@pytest.fixture
def consultation(counselor, demo_clinic) -> Consultation:
    """Rolling scars, every wish set, no flag, two options compared."""
    consultation = Consultation.objects.create(
        clinic=demo_clinic,
        counselor=counselor,
        chart_number="S-1001",
        display_name="確認 花子",
        skin_type=4,
        max_downtime_days=7,
        budget_yen=300_000,
        needles_ok=True,
        max_pain=2,
        event_date=EVENT,
        notes="結婚式あり",
    )
    Concern.objects.create(
        consultation=consultation,
        condition=Condition.objects.get(slug="rolling-scar"),
        severity=3,
        areas=["cheek-left"],
    )
    for position, slug in enumerate(("subcision", "dermapen-4")):
        ChosenOption.objects.create(
            consultation=consultation, treatment=Treatment.objects.get(slug=slug), position=position
        )
    return consultation


def url(consultation: Consultation, suffix: str = "") -> str:
    return f"/consultations/{consultation.public_id}/{suffix}"


def profile_post(consultation: Consultation, **changes) -> dict:
    """The workspace form as the page posts it, for the consultation as it is now, with `changes`."""
    consultation.refresh_from_db()
    data = {
        "version": consultation.version,
        "chart_number": consultation.chart_number,
        "display_name": consultation.display_name,
        "age_band": consultation.age_band,
        "skin_type": str(consultation.skin_type or ""),
        "handout_language": consultation.handout_language,
        "max_downtime_days": str(consultation.max_downtime_days),
        "budget_yen": str(consultation.budget_yen),
        "needles_ok": "yes" if consultation.needles_ok else "no",
        "max_pain": str(consultation.max_pain),
        "event_date": consultation.event_date.isoformat() if consultation.event_date else "",
        "notes": consultation.notes,
        "concern": [c.condition.slug for c in consultation.concerns.all()],
        **{f"severity-{c.condition.slug}": str(c.severity) for c in consultation.concerns.all()},
        **{f"areas-{c.condition.slug}": c.areas for c in consultation.concerns.all()},
        **{f"flag-{f.slug}": "yes" for f in consultation.flags.all()},
    }
    data.update(changes)
    return data


def option_post(client, consultation, action, slug, **extra):
    consultation.refresh_from_db()
    data = {"version": consultation.version, "action": action, "treatment": slug, **extra}
    return client.post(url(consultation, "options/"), data, **HX)


def issue(client, consultation, **extra):
    return client.post(url(consultation, "handouts/"), **extra)


def signed(consultation) -> bool:
    return Consultation.objects.get(pk=consultation.pk).is_signed_off


# --- the gate -------------------------------------------------------------------------------------


def test_a_counselor_cannot_issue_the_handout_before_the_sign_off(counselor_client, consultation):
    page = counselor_client.get(url(consultation)).content.decode()
    # The card shows the button disabled, says why, and what may be given before the sign-off.
    gate = page[page.index('id="handout-issue"') : page.index('id="handout-gate"') + 1200]
    assert "disabled" in gate and "医政発0815第21号" in gate
    assert "一般的な情報" in gate and 'href="/catalog/treatments/"' in gate and "料金表" in gate
    assert f'action="{url(consultation, "handouts/")}"' not in page

    response = issue(counselor_client, consultation, **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and "医政発0815第21号" in body and "医師" in body
    response = issue(counselor_client, consultation, follow=True)
    assert "未発行" in response.content.decode()
    assert not consultation.documents.exists()
    assert not AuditEvent.objects.filter(action="issue-handout").exists()


def test_the_physicians_sign_off_enables_issuing(client, counselor_client, consultation, physician):
    client.force_login(physician)
    page = client.get(url(consultation)).content.decode()
    assert 'class="card signoff unsigned"' in page
    response = client.post(url(consultation, "review/"), {"version": consultation.version})
    assert response.status_code == 302
    assert response["Location"] == url(consultation) + "#signoff"
    consultation.refresh_from_db()
    assert consultation.is_signed_off and consultation.reviewed_by == physician
    assert AuditEvent.objects.get(action="review").detail == {"version": consultation.version}

    page = counselor_client.get(url(consultation)).content.decode()
    assert 'class="card signoff signed"' in page
    assert f'action="{url(consultation, "handouts/")}"' in page
    assert issue(counselor_client, consultation).status_code == 302
    handout = consultation.documents.get()
    snapshot = handout.snapshot
    assert snapshot["preview"] is False
    assert snapshot["signed_off_by"] == "physician"
    assert (
        snapshot["signed_off_at"]
        == timezone.localtime(consultation.reviewed_at).replace(microsecond=0).isoformat()
    )
    assert snapshot["signed_off_display"].startswith(f"{consultation.reviewed_at.year}年")
    assert [o["slug"] for o in snapshot["options"]] == ["subcision", "dermapen-4"]
    assert snapshot["options_source"] == "chosen"


def test_a_stale_page_is_not_signed_off(client, counselor_client, consultation, physician):
    client.force_login(physician)
    seen = consultation.version
    counselor_client.post(url(consultation, "save/"), profile_post(consultation, budget_yen="400000"), **HX)
    response = client.post(url(consultation, "review/"), {"version": seen}, follow=True)
    assert not signed(consultation)
    assert "変更されています" in response.content.decode()
    assert not AuditEvent.objects.filter(action="review").exists()


def test_the_physician_withdraws_the_sign_off(client, consultation, physician):
    sign_off(consultation, physician)
    client.force_login(physician)
    client.post(url(consultation, "review/"), {"reviewed": "0"})
    assert not signed(consultation)
    event = AuditEvent.objects.get(action="review-cleared")
    assert event.detail == {"reason": "withdrawn", "version": consultation.version}
    assert event.user == physician


# --- any change clears it -------------------------------------------------------------------------

CHANGES = {
    # name: (how, what, field, old, new)
    "concern-added": (
        "profile",
        {"concern": ["rolling-scar", "dullness"], "severity-dullness": "2", "areas-dullness": ["forehead"]},
        "concern:dullness",
        None,
        {"severity": 2, "areas": ["forehead"]},
    ),
    "concern-severity": (
        "profile",
        {"severity-rolling-scar": "4"},
        "concern:rolling-scar",
        {"severity": 3, "areas": ["cheek-left"]},
        {"severity": 4, "areas": ["cheek-left"]},
    ),
    "concern-areas": (
        "profile",
        {"areas-rolling-scar": ["cheek-left", "cheek-right"]},
        "concern:rolling-scar",
        {"severity": 3, "areas": ["cheek-left"]},
        {"severity": 3, "areas": ["cheek-left", "cheek-right"]},
    ),
    "concern-removed": (
        "profile",
        {"concern": []},
        "concern:rolling-scar",
        {"severity": 3, "areas": ["cheek-left"]},
        None,
    ),
    "flag": ("profile", {"flag-pregnancy": "yes"}, "flags", [], ["pregnancy"]),
    "downtime": ("profile", {"max_downtime_days": "14"}, "max_downtime_days", 7, 14),
    "budget": ("profile", {"budget_yen": "500000"}, "budget_yen", 300_000, 500_000),
    "needles": ("profile", {"needles_ok": "no"}, "needles_ok", True, False),
    "pain": ("profile", {"max_pain": "1"}, "max_pain", 2, 1),
    "event-date": (
        "profile",
        {"event_date": (EVENT + timedelta(days=7)).isoformat()},
        "event_date",
        EVENT.isoformat(),
        (EVENT + timedelta(days=7)).isoformat(),
    ),
    "skin-type": ("profile", {"skin_type": "3"}, "skin_type", 4, 3),
    "option-added": (
        "option",
        ("add", "exosome"),
        "options",
        ["subcision", "dermapen-4"],
        ["subcision", "dermapen-4", "exosome"],
    ),
    "option-removed": (
        "option",
        ("remove", "subcision"),
        "options",
        ["subcision", "dermapen-4"],
        ["dermapen-4"],
    ),
    "option-moved": (
        "option",
        ("up", "dermapen-4"),
        "options",
        ["subcision", "dermapen-4"],
        ["dermapen-4", "subcision"],
    ),
}


@pytest.mark.parametrize(("how", "what", "field", "old", "new"), CHANGES.values(), ids=CHANGES.keys())
def test_each_kind_of_change_clears_the_sign_off_with_the_diff_audited(
    counselor_client, consultation, physician, how, what, field, old, new
):
    sign_off(consultation, physician)
    if how == "profile":
        response = counselor_client.post(url(consultation, "save/"), profile_post(consultation, **what), **HX)
    else:
        response = option_post(counselor_client, consultation, *what)
    assert response.status_code == 200
    assert not signed(consultation)
    event = AuditEvent.objects.get(action="review-cleared")
    assert event.user.username == "counselor" and event.detail["reason"] == "changed"
    assert event.detail["changes"] == [{"field": field, "old": old, "new": new}]
    # The htmx answer re-renders the sign-off panel and disables the print button at once.
    body = response.content.decode()
    assert 'class="card signoff unsigned"' in body and 'id="handout-issue" data-hx-swap-oob="true"' in body
    assert "disabled" in body[body.index('id="handout-issue"') :]
    assert issue(counselor_client, consultation, **HX).status_code == 422
    assert not consultation.documents.exists()


def test_notes_names_and_the_handout_language_leave_the_sign_off(counselor_client, consultation, physician):
    sign_off(consultation, physician)
    post = profile_post(
        consultation,
        notes="新しいメモ 090-1234-5678",
        display_name="別名 花子",
        chart_number="S-9999",
        handout_language="en",
        age_band="40s",
    )
    assert counselor_client.post(url(consultation, "save/"), post, **HX).status_code == 200
    assert signed(consultation)
    assert not AuditEvent.objects.filter(action="review-cleared").exists()


def test_the_audit_of_a_cleared_sign_off_never_holds_notes_or_names(
    counselor_client, consultation, physician
):
    sign_off(consultation, physician)
    post = profile_post(consultation, notes="秘密のメモ", display_name="秘密 花子", budget_yen="1000")
    counselor_client.post(url(consultation, "save/"), post, **HX)
    event = AuditEvent.objects.get(action="review-cleared")
    detail = str(event.detail)
    assert "budget_yen" in detail
    for secret in ("秘密", "S-1001", "確認 花子", "結婚式"):
        assert secret not in detail


# --- absolute contraindications -----------------------------------------------------------------


@pytest.fixture
def fish_allergy(consultation) -> Consultation:
    consultation.flags.set(MedicalFlag.objects.filter(slug="fish-allergy"))
    return consultation


def names() -> tuple[str, str]:
    return Treatment.objects.get(slug="rejuran").name_ja, MedicalFlag.objects.get(
        slug="fish-allergy"
    ).label_ja


def test_a_counselor_cannot_add_an_absolutely_contraindicated_option(counselor_client, fish_allergy):
    response = option_post(counselor_client, fish_allergy, "add", "rejuran")
    assert response.status_code == 422
    body = response.content.decode()
    rejuran, flag = names()
    assert rejuran in body and flag in body and "医師" in body
    assert list(fish_allergy.options.values_list("treatment__slug", flat=True)) == ["subcision", "dermapen-4"]
    # Only a physician may override.
    response = option_post(counselor_client, fish_allergy, "override", "rejuran", reason="理由")
    assert response.status_code == 403
    assert not fish_allergy.options.filter(treatment__slug="rejuran").exists()


def test_the_workspace_marks_contraindicated_treatments_most_prominently(counselor_client, fish_allergy):
    body = counselor_client.get(url(fish_allergy)).content.decode()
    rejuran, _flag = names()
    excluded = body[body.index('class="excluded"') :]
    entry = excluded[excluded.index('class="absolute-contra"') :]
    assert entry.index("絶対禁忌") < entry.index(rejuran) < entry.index("</li>")
    # The "compare any treatment" list says so too.
    assert f"{rejuran} (絶対禁忌)" in body


def test_a_physician_overrides_with_a_medical_reason(client, fish_allergy, physician):
    client.force_login(physician)
    response = option_post(client, fish_allergy, "add", "rejuran")
    assert response.status_code == 422 and "医学的理由" in response.content.decode()
    response = option_post(client, fish_allergy, "override", "rejuran", reason="  ")
    assert response.status_code == 422
    assert not fish_allergy.options.filter(treatment__slug="rejuran").exists()
    response = option_post(
        client, fish_allergy, "override", "rejuran", reason="魚アレルギーは加熱魚のみで軽微と確認"
    )
    assert response.status_code == 200
    option = fish_allergy.options.get(treatment__slug="rejuran")
    assert option.override_by == physician and option.override_flags == ["fish-allergy"]
    assert AuditEvent.objects.get(action="override").detail == {
        "treatment": "rejuran",
        "flags": ["fish-allergy"],
    }
    body = response.content.decode()
    column = body[body.index("<thead>") : body.index("</thead>")]
    box = column[column.index('class="absolute-contra"') :]
    assert box.index("絶対禁忌") < box.index("魚アレルギーは加熱魚のみで軽微と確認")
    # A second override of the same option has nothing left to override.
    assert option_post(client, fish_allergy, "override", "subcision", reason="x").status_code == 422


def test_a_fish_allergy_handout_cannot_include_rejuran_without_an_override(
    client, counselor_client, consultation, physician
):
    """Rejuran added before the allergy was known, then the flag answered yes: the handout waits
    for its removal or a physician's override, even after a sign-off."""
    assert option_post(counselor_client, consultation, "add", "rejuran").status_code == 200
    post = profile_post(consultation, **{"flag-fish-allergy": "yes"})
    assert counselor_client.post(url(consultation, "save/"), post, **HX).status_code == 200
    page = counselor_client.get(url(consultation)).content.decode()
    rejuran, flag = names()
    signoff = page[page.index('id="signoff"') : page.index("</section>", page.index('id="signoff"'))]
    assert "absolute-contra" in signoff and rejuran in signoff
    sign_off(consultation, physician)
    response = issue(counselor_client, consultation, **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert rejuran in body and flag in body
    assert not consultation.documents.exists()

    client.force_login(physician)
    reason = "加熱した魚は問題なく、皮膚科医がパッチテストで確認"
    assert option_post(client, consultation, "override", "rejuran", reason=reason).status_code == 200
    assert not signed(consultation)  # the override changed the options: sign off again
    sign_off(consultation, physician)
    assert issue(counselor_client, consultation).status_code == 302
    option = next(o for o in consultation.documents.get().snapshot["options"] if o["slug"] == "rejuran")
    assert option["override"]["reason"] == reason
    assert option["override"]["by"] == "physician"
    assert option["absolute_contraindications"] == [flag] and option["blocked_by"] == []


def test_an_override_covers_only_the_flags_it_was_made_for(client, counselor_client, fish_allergy, physician):
    client.force_login(physician)
    option_post(client, fish_allergy, "override", "rejuran", reason="医師の判断")
    contraindicated = set(
        Treatment.objects.get(slug="rejuran")
        .contraindications.filter(kind="absolute")
        .exclude(flag__slug="fish-allergy")
        .values_list("flag__slug", flat=True)
    )
    if not contraindicated:
        pytest.skip("Rejuran has no other absolute contraindication in the catalog")
    other = sorted(contraindicated)[0]
    post = profile_post(fish_allergy, **{f"flag-{other}": "yes"})
    counselor_client.post(url(fish_allergy, "save/"), post, **HX)
    sign_off(fish_allergy, physician)
    response = issue(counselor_client, fish_allergy, **HX)
    assert response.status_code == 422
    assert MedicalFlag.objects.get(slug=other).label_ja in response.content.decode()


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_and_filters_by_sign_off(
    counselor_client, consultation, physician, counselor, demo_clinic
):
    other = Consultation.objects.create(clinic=demo_clinic, counselor=counselor, chart_number="S-2002")
    sign_off(consultation, physician)
    body = counselor_client.get("/consultations/").content.decode()
    rows = {
        number: body[body.index(number) : body.index("</tr>", body.index(number))]
        for number in ("S-1001", "S-2002")
    }
    assert "確認済み" in rows["S-1001"] and "physician" in rows["S-1001"]
    assert "未確認" in rows["S-2002"]
    signed_list = counselor_client.get("/consultations/?review=signed").content.decode()
    assert "S-1001" in signed_list and "S-2002" not in signed_list
    unsigned_list = counselor_client.get("/consultations/?review=unsigned").content.decode()
    assert "S-2002" in unsigned_list and "S-1001" not in unsigned_list
    assert other.public_id and 'value="unsigned" selected' in unsigned_list


def test_a_sign_off_made_after_a_save_read_the_row_is_still_cleared(consultation, physician):
    """The counselor's request read the consultation unsigned; the physician signed that version
    before the save claimed it (a sign-off keeps the version). The save still voids the sign-off."""
    read = Consultation.objects.with_details().get(pk=consultation.pk)
    Consultation.objects.get(pk=consultation.pk).sign_off(physician, read.version)
    options = read.change_options(read.version, "remove", Treatment.objects.get(slug="dermapen-4"))
    assert options == [{"field": "options", "old": ["subcision", "dermapen-4"], "new": ["subcision"]}]
    assert not signed(consultation)
    # And the other way round: read signed, withdrawn before the save; the save is not a conflict.
    sign_off(consultation, physician)
    read = Consultation.objects.with_details().get(pk=consultation.pk)
    Consultation.objects.get(pk=consultation.pk).clear_sign_off()
    assert read.change_options(read.version, "add", Treatment.objects.get(slug="exosome")) == []
    assert not signed(consultation)
