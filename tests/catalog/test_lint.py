from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import HomeCareTip, Indication, Offering, Treatment

pytestmark = pytest.mark.django_db


def run_lint() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("lint_catalog", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_the_shipped_catalog_passes():
    code, output = run_lint()
    assert code == 0, output


@pytest.mark.parametrize(
    "phrase", ["必ず改善します", "半永久的に続きます", "日本一の施術", "results are guaranteed"]
)
def test_a_planted_advertising_phrase_fails_naming_object_and_field(phrase):
    treatment = Treatment.objects.get(slug="subcision")
    field = "summary_en" if phrase.isascii() else "summary_ja"
    setattr(treatment, field, phrase)
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[subcision]: {field}: exaggerated or guaranteed claim" in output


@pytest.mark.parametrize(
    "phrase",
    [
        "厚生労働省承認の再生医療です",
        "厚労省認可の施術",
        "厚生労働省受理クリニックで受けられます",
        "厚生労働省に受理された治療計画",
        "国が認めた治療法",
        "approved by the MHLW",
        "an MHLW-approved regenerative treatment",
        "accepted by Japan's Ministry of Health, Labour and Welfare",
    ],
)
def test_a_planted_claim_of_mhlw_approval_fails_naming_object_and_field(phrase):
    treatment = Treatment.objects.get(slug="prp-skin-regeneration")
    field = "how_it_works_en" if phrase.isascii() else "how_it_works_ja"
    setattr(treatment, field, f"{getattr(treatment, field)} {phrase}")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[prp-skin-regeneration]: {field}: claims approval by the MHLW" in output
    assert "filed 届出, not approved" in output


@pytest.mark.parametrize(
    "text",
    [
        "提供計画を厚生労働省（地方厚生局）に届け出ています（届出）。",
        "国内で承認された同じ目的の医薬品はありません。",
        "米国が承認した製品です。",
        "The plan is filed (届出) with the MHLW; it is not approved.",
        "Approved in the US for acne.",
    ],
)
def test_filing_and_foreign_approval_wording_passes(text):
    treatment = Treatment.objects.get(slug="prp-skin-regeneration")
    treatment.variants_ja = treatment.variants_en = text
    treatment.save()
    code, output = run_lint()
    assert code == 0, output


def test_english_words_match_whole_words_only():
    treatment = Treatment.objects.get(slug="subcision")
    treatment.summary_en = "A secure, procured approach."
    treatment.save()
    assert run_lint()[0] == 0


def test_a_missing_translation_fails():
    treatment = Treatment.objects.get(slug="potenza")
    treatment.downtime_description_en = ""
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[potenza]: downtime_description_en: missing translation" in output


def test_a_lead_time_without_an_explanation_fails():
    treatment = Treatment.objects.get(slug="subcision")
    treatment.lead_time_weeks = 2
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[subcision]: lead_time_description: lead time without an explanation" in output


def test_an_indication_rated_not_suitable_passes():
    assert Indication.objects.filter(strength=Indication.Strength.NOT_FOR).exists()
    assert run_lint()[0] == 0


def test_an_unapproved_product_without_a_statement_fails():
    treatment = Treatment.objects.filter(regulatory_status="unapproved").first()
    treatment.relief_system_note_ja = ""
    treatment.relief_system_note_en = ""
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[{treatment.slug}]: relief_system_note_ja: unapproved product" in output


@pytest.mark.parametrize("statement", Treatment.UNAPPROVED_FIELDS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_of_the_five_unapproved_statements_is_required_in_each_language(statement, language):
    treatment = Treatment.objects.get(slug="rejuran")
    setattr(treatment, f"{statement}_{language}", "")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert (
        f"catalog.treatment[rejuran]: {statement}_{language}: "
        "unapproved product without this required statement"
    ) in output.splitlines()


def test_an_unapproved_product_with_all_five_statements_blank_is_reported_once_per_statement():
    treatment = Treatment.objects.get(slug="rejuran")
    for statement in Treatment.UNAPPROVED_FIELDS:
        setattr(treatment, f"{statement}_ja", "")
        setattr(treatment, f"{statement}_en", "")
    treatment.save()
    code, output = run_lint()
    assert code == 1
    reported = [line for line in output.splitlines() if "without this required statement" in line]
    assert len(reported) == 2 * len(Treatment.UNAPPROVED_FIELDS)


def test_regenerative_medicine_without_plan_number_fails():
    offering = Offering.objects.filter(
        treatment__regulatory_status="regenerative", clinic__slug="demo-clinic"
    ).first()
    offering.regenerative_plan_number = ""
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert "regenerative medicine offered without the clinic's plan number" in output


@pytest.mark.parametrize("slug", ["fibroblast-transplant", "prp-skin-regeneration", "acrs"])
def test_each_regenerative_offering_without_a_plan_number_is_named(slug):
    offering = Offering.objects.get(treatment__slug=slug, clinic__slug="demo-clinic")
    offering.regenerative_plan_number = ""
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert (
        output.splitlines().count(
            f"catalog.offering[demo-clinic/{slug}]: regenerative_plan_number: "
            "regenerative medicine offered without the clinic's plan number"
        )
        == 1
    )


def test_a_new_clinic_offering_regenerative_medicine_without_a_plan_number_fails(other_clinic):
    Offering.objects.create(
        clinic=other_clinic,
        treatment=Treatment.objects.get(slug="prp-skin-regeneration"),
        price_per_session_yen=100_000,
    )
    code, output = run_lint()
    assert code == 1
    assert "catalog.offering[other-clinic/prp-skin-regeneration]: regenerative_plan_number" in output


def test_regenerative_medicine_without_its_class_fails():
    treatment = Treatment.objects.get(slug="acrs")
    treatment.regenerative_class = None
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[acrs]: regenerative_class: regenerative medicine without its class" in output


def test_every_shipped_indication_and_home_care_tip_cites_a_source():
    assert not Indication.objects.filter(source__isnull=True).exists()
    assert not HomeCareTip.objects.filter(source__isnull=True).exists()


def test_an_indication_without_a_source_fails():
    indication = Indication.objects.get(treatment__slug="subcision", condition__slug="rolling-scar")
    indication.source = None
    indication.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.indication[subcision/rolling-scar]: source: cites no source" in output


def test_a_home_care_tip_without_a_source_fails():
    tip = HomeCareTip.objects.get(slug="daily-uv-protection")
    tip.source = None
    tip.save()
    code, output = run_lint()
    assert code == 1
    assert "catalog.homecaretip[daily-uv-protection]: source: cites no source" in output


def test_a_treatment_without_sources_fails():
    Treatment.objects.get(slug="subcision").sources.clear()
    code, output = run_lint()
    assert code == 1
    assert "catalog.treatment[subcision]: sources: cites no source" in output


def test_min_greater_than_max_is_reported_without_touching_the_database():
    # The database refuses min > max, so the lint's own check is exercised on an unsaved object.
    from catalog.lint import _range_problems

    treatment = Treatment.objects.get(slug="subcision")
    treatment.downtime_days_min, treatment.downtime_days_max = 9, 2
    problems = [str(p) for p in _range_problems(treatment)]
    assert problems == ["catalog.treatment[subcision]: downtime_days: min 9 > max 2"]


def test_the_database_refuses_min_greater_than_max():
    from django.db import IntegrityError, transaction

    treatment = Treatment.objects.get(slug="subcision")
    treatment.sessions_min, treatment.sessions_max = 5, 1
    with pytest.raises(IntegrityError), transaction.atomic():
        treatment.save()


# Lint v2: each advertising rule, pinned by a text it must flag and an honest one it must pass, in
# both languages. Inflections and spacing variants are among the flagged texts.
from catalog.lint import RULES, advertising_findings  # noqa: E402

RULE_EXAMPLES = {
    "guarantee": {
        "ja": (
            ["必ず改善します", "確実に効果が出ます", "効果を保証します", "１００％満足"],
            ["効果には個人差があります"],
        ),
        "en": (
            ["Results are guaranteed.", "It will definitely work."],
            ["Results differ from person to person."],
        ),
    },
    "permanence": {
        "ja": (
            ["半永久的に続きます", "効果が長く保たれます", "一生ものの肌"],
            ["効果の持ち方は人によって異なります"],
        ),
        "en": (["a semi-permanent result", "Results last a long time."], ["How long results last varies."]),
    },
    "cure": {
        "ja": (
            ["ニキビ跡を根本的に改善", "根本 から 治す", "クレーターが完治します"],
            ["内出血は1週間ほどで消えます"],
        ),
        "en": (["It cures acne scars.", "Get rid of scars."], ["Bruising usually clears within a week."]),
    },
    "superlative": {
        "ja": (
            ["最も効果的な治療", "最 高の仕上がり", "Ｎｏ．１クリニック", "業界最先端の機器"],
            ["比較的よくみられる副作用です"],
        ),
        "en": (
            ["the most effective treatment", "noticed most readily", "the best clinic", "No. 1 in Tokyo"],
            ["Most people can work the same day.", "a month at most"],
        ),
    },
    "dramatic": {
        "ja": (["劇的な変化", "驚くほど変わります"], ["少しずつ変化を見ていきます"]),
        "en": (["dramatic results", "a miracle treatment"], ["Change builds up over several sessions."]),
    },
    "no-pain": {
        "ja": (
            ["痛みがない施術", "痛み は ほとんど ありません", "痛くない治療", "無痛で受けられます"],
            ["痛みの感じ方には個人差があります", "痛みが強い場合は麻酔を使います"],
        ),
        "en": (
            ["a painless treatment", "It is pain-free.", "no pain at all", "It doesn't hurt."],
            ["How much it hurts varies from person to person."],
        ),
    },
    "no-downtime": {
        "ja": (
            [
                "ダウンタイムがない",
                "ダウンタイムはほとんどなく",
                "ダウンタイムが短い",
                "ダウンタイム も 短く済みます",
                "ダウンタイムは0日です",
            ],
            [
                "ダウンタイムは1〜3日です",
                "ダウンタイムは0〜3日です",
                "ダウンタイムの長さは施術の強さで変わります",
            ],
        ),
        "en": (
            [
                "no downtime",
                "almost no downtime",
                "Downtime is minimal.",
                "short downtime",
                "ダウンタイムは0日です",
            ],
            ["Downtime is one to three days.", "Redness settles within a few days."],
        ),
    },
    "no-risk": {
        "ja": (
            ["副作用の心配がない", "副作用はありません", "リスクはほとんどありません", "安心・安全な治療"],
            ["副作用がないわけではありません", "妊娠中の安全性は確認されていません"],
        ),
        "en": (
            ["It is completely safe.", "a safe and effective treatment", "risk-free", "no side effects"],
            ["Its safety in pregnancy has not been established.", "Ask whether it is safe for you."],
        ),
    },
    "natural": {
        "ja": (
            ["自然な仕上がり", "仕上がりは自然になりやすい", "周囲にバレない"],
            ["自然治癒力を利用します"],
        ),
        "en": (["natural-looking results", "Results look natural."], ["the skin's natural healing process"]),
    },
    "rejuvenation": {
        "ja": (["肌が若返ります", "マイナス5歳肌", "リフトアップ効果"], ["年齢とともにコラーゲンは減ります"]),
        "en": (
            ["rejuvenates the skin", "look ten years younger", "a lifting effect"],
            ["Collagen declines with age."],
        ),
    },
    "recommendation": {
        "ja": (["当院のおすすめ", "お勧めの施術", "人気の治療"], ["医師と相談して選びます"]),
        "en": (
            ["our recommended treatment", "We recommend Potenza.", "a popular choice"],
            ["Postponing elective treatment is recommended.", "The physician decides with you."],
        ),
    },
    "testimonial": {
        "ja": (
            ["患者様の声", "体験談を紹介します", "口コミで評判", "「受けてよかった」"],
            ["経過には個人差があります"],
        ),
        "en": (
            ["patient testimonials", "customer reviews", "a 98% satisfaction rate"],
            ["A systematic review found moderate evidence."],
        ),
    },
    "price-pressure": {
        "ja": (["期間限定の特別価格", "モニター価格"], ["価格は税込です"]),
        "en": (["a limited-time offer", "our cheapest plan"], ["Prices include tax."]),
    },
}


def test_every_rule_has_examples_and_names_a_guideline_category():
    assert set(RULE_EXAMPLES) == {rule.slug for rule in RULES}
    for rule in RULES:
        assert rule.category and rule.reason and rule.ja and rule.en


@pytest.mark.parametrize(
    ("rule", "language", "text"),
    [
        (rule, language, text)
        for rule, languages in RULE_EXAMPLES.items()
        for language, (flagged, _honest) in languages.items()
        for text in flagged
    ],
)
def test_a_rule_flags_its_phrase_in_each_language(rule, language, text):
    findings = advertising_findings(text)
    assert rule in [finding.rule for finding in findings], (text, findings)
    finding = next(f for f in findings if f.rule == rule)
    assert "医療広告ガイドライン: " in str(finding)


@pytest.mark.parametrize(
    ("rule", "language", "text"),
    [
        (rule, language, text)
        for rule, languages in RULE_EXAMPLES.items()
        for language, (_flagged, honest) in languages.items()
        for text in honest
    ],
)
def test_honest_wording_passes_every_rule(rule, language, text):
    assert advertising_findings(text) == [], text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("最も効果的な治療", "比較優良広告"),
        ("痛みがない施術", "誇大広告"),
        ("患者様の声", "体験談"),
        ("半永久的に続きます", "虚偽広告"),
    ],
)
def test_the_finding_names_the_guideline_category(text, category):
    assert any(f"(医療広告ガイドライン: {category})" in str(f) for f in advertising_findings(text))


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("ビフォーアフター写真をご覧ください", True),
        ("Before and after photos", True),
        ("ビフォーアフター（治療内容：ポテンツァ3回、費用：1回55,000円、リスク：赤み・腫れ）", False),
        ("Before/after: Potenza, 3 sessions, cost 55,000 yen each; risks: redness, swelling.", False),
    ],
)
def test_before_after_needs_the_treatment_cost_and_risks_alongside(text, flagged):
    rules = [finding.rule for finding in advertising_findings(text)]
    assert ("before-after" in rules) is flagged


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("how_it_works_ja", "ダウンタイムがほとんどない施術です。", "ダウンタイムがほとんどない"),
        ("how_it_works_en", "A painless treatment.", "painless"),
    ],
)
def test_the_command_names_object_field_phrase_and_category(field, text, expected):
    treatment = Treatment.objects.get(slug="subcision")
    setattr(treatment, field, text)
    treatment.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.treatment[subcision]: {field}: exaggerated or guaranteed claim: '{expected}'" in output
    assert "(医療広告ガイドライン: 誇大広告)" in output


@pytest.mark.parametrize(
    ("text", "language"), [("期間限定の特別価格です", "ja"), ("Results look natural.", "en")]
)
def test_an_offering_note_is_checked(text, language):
    offering = Offering.objects.filter(clinic__slug="demo-clinic").first()
    setattr(offering, f"note_{language}", text)
    setattr(offering, f"note_{'en' if language == 'ja' else 'ja'}", "注記" if language == "en" else "A note")
    offering.save()
    code, output = run_lint()
    assert code == 1
    assert f"catalog.offering[{offering.pk}]: note_{language}: exaggerated or guaranteed claim" in output


def test_lint_object_reports_a_treatment_and_its_inline_rows():
    from catalog.lint import lint_object

    treatment = Treatment.objects.get(slug="potenza")
    indication = treatment.indications.first()
    indication.rationale_en = "The best option for scars."
    indication.save()
    problems = [str(p) for p in lint_object(treatment)]
    assert any(p.startswith(f"catalog.indication[{indication.pk}]: rationale_en:") for p in problems)
    assert lint_object(Treatment.objects.get(slug="subcision")) == []


def _post_flag(client, flag, **changes):
    fields = ["slug", "sort_order", "label_ja", "label_en", "question_ja", "question_en"]
    data = {name: getattr(flag, name) for name in [*fields, "explanation_ja", "explanation_en"]}
    data.update(changes)
    response = client.post(f"/admin/catalog/medicalflag/{flag.pk}/change/", data, follow=True)
    assert response.status_code == 200  # saved, not refused
    return response


def test_the_admin_shows_lint_findings_after_a_catalog_row_is_saved(client, catalog_editor):
    from catalog.models import MedicalFlag

    flag = MedicalFlag.objects.get(slug="recent-tan")
    client.force_login(catalog_editor)  # shared text is the catalog editor's (issue 12)
    body = _post_flag(
        client, flag, explanation_en="The laser is painless and completely safe."
    ).content.decode()
    assert "保存した内容に、カタログの点検で2件の問題が見つかりました" in body
    assert "explanation_en: exaggerated or guaranteed claim: &#x27;painless&#x27;" in body
    assert "医療広告ガイドライン: 誇大広告" in body
    # One finding a line inside the warning, not a nested list styled like a success message.
    assert "<br>• explanation_en: exaggerated or guaranteed claim" in body
    # The save itself stands: the admin fixes the wording next.
    assert MedicalFlag.objects.get(pk=flag.pk).explanation_en.startswith("The laser is painless")


def test_the_admin_shows_no_lint_warning_for_honest_wording(client, catalog_editor):
    from catalog.models import MedicalFlag

    flag = MedicalFlag.objects.get(slug="recent-tan")
    client.force_login(catalog_editor)  # shared text is the catalog editor's (issue 12)
    body = _post_flag(
        client, flag, explanation_en="How much it hurts varies from person to person."
    ).content.decode()
    assert "カタログの点検で" not in body
