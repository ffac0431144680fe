"""What a clinic uses when it offers a treatment, as the law asks it to be told (issue 11, item 3).

The medical advertising guideline (医療広告ガイドライン, 限定解除要件) asks for five statements about an
unapproved product, or an approved one used outside its approval (適応外使用): that it is unapproved,
how the clinic obtains it, whether an approved product for the same purpose exists in Japan, safety
information from other countries, and that the relief system for adverse drug reactions does not
cover it. The device model, the supply route and the approval status differ from clinic to clinic,
so the first three are composed from facts recorded on the clinic's offering; the last two are the
treatment's general facts. `disclosure_statements` is the one place that composes them: the
handout, the consent form and the catalog page print what it returns.

The fields are added to `Offering` with `add_to_class` when `catalog/models.py` loads (it imports
this module at its end), like those of `catalog/evidence.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Offering, Treatment


class JapanApproval(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded (the treatment's status applies)")
    APPROVED = "approved", _("Approved in Japan, used within its approval")
    OFF_LABEL = "off-label", _("Approved in Japan, used outside its approval (適応外使用)")
    UNAPPROVED = "unapproved", _("Not approved in Japan (未承認)")


class SupplyRoute(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded")
    PERSONAL_IMPORT = (
        "personal-import",
        _("The physician's personal import under the PMD Act (医師の個人輸入)"),
    )
    DOMESTIC_SUPPLIER = "domestic-supplier", _("Bought from an importer or supplier in Japan")
    IN_HOUSE = "in-house", _("Prepared at the clinic (院内調製)")
    APPROVED_PRODUCT = "approved-product", _("An approved product bought in Japan")


class Alternatives(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded")
    NONE = "none", _("None is approved in Japan for this purpose")
    NAMED = "named", _("Approved products exist: named below")


# Offering fields with a ja and an en column (catalog/translation.py registers them).
TRANSLATED_FIELDS = ("product_name", "approved_use", "supply_note", "alternatives_named")

Offering.add_to_class(
    "product_name",
    models.CharField(
        _("product or device (name and model)"),
        max_length=200,
        blank=True,
        help_text=_(
            "The product or device model this clinic uses for the treatment, as the patient is told: "
            "the guideline asks for the product itself, not the treatment's general name."
        ),
    ),
)
Offering.add_to_class(
    "manufacturer",
    models.CharField(_("manufacturer"), max_length=200, blank=True),
)
Offering.add_to_class(
    "japan_approval",
    models.CharField(
        _("approval in Japan"),
        max_length=20,
        choices=JapanApproval.choices,
        blank=True,
        default="",
        help_text=_(
            "Unapproved products and approved ones used outside their approval (a different purpose, "
            "dose or route) need the five statements of the medical advertising guideline."
        ),
    ),
)
Offering.add_to_class(
    "approval_number",
    models.CharField(
        _("approval or certification number"),
        max_length=60,
        blank=True,
        help_text=_("The number of the approval (承認番号) or certification (認証番号) in Japan, if any."),
    ),
)
Offering.add_to_class(
    "approved_use",
    models.TextField(
        _("what it is approved for"),
        blank=True,
        help_text=_(
            "For use outside the approval: the purpose (効能・効果) or use the product is approved for in "
            "Japan, so the patient can see how this treatment differs from it."
        ),
    ),
)
Offering.add_to_class(
    "supply_route",
    models.CharField(
        _("supply route (入手経路)"),
        max_length=20,
        choices=SupplyRoute.choices,
        blank=True,
        default="",
        help_text=_(
            "How the clinic actually obtains it. For a physician's personal import the guideline asks "
            "to say so and to point to the MHLW's page on personally imported medicines."
        ),
    ),
)
Offering.add_to_class(
    "supply_note",
    models.TextField(
        _("supply route: details"),
        blank=True,
        help_text=_("Optional: e.g. the importer or supplier, printed after the supply route."),
    ),
)
Offering.add_to_class(
    "alternatives_status",
    models.CharField(
        _("approved alternatives in Japan"),
        max_length=10,
        choices=Alternatives.choices,
        blank=True,
        default="",
        help_text=_(
            "Whether a product with the same ingredient or performance is approved in Japan for the "
            "same purpose: a definite answer, not 'ask at the clinic'."
        ),
    ),
)
Offering.add_to_class(
    "alternatives_named",
    models.TextField(
        _("approved alternatives: names"),
        blank=True,
        help_text=_("The approved products for the same purpose, by name (when there are any)."),
    ),
)


# The five statements, in the guideline's order; the handout's headings are keyed by these names
# (consult/documents/wording.py UNAPPROVED_HEADINGS).
STATEMENT_KEYS = Treatment.UNAPPROVED_FIELDS

DEMO_MARK = {"ja": "（架空のデモ値）", "en": " (fictional demo value)"}

TEXT = {
    "ja": {
        "product": "{product}（{maker}）",
        "unapproved": "この施術で使う{product}は、医薬品医療機器等法（薬機法）にもとづく国内の承認・認証を受けていない医薬品等（未承認医薬品等）です。",
        "off_label": "この施術で使う{product}は国内で承認されています（{number}承認された効能・用途：{use}）。この施術の目的での使用は承認の範囲外（適応外使用）です。",
        "number": "承認・認証番号 {n}。",
        "personal-import": "当院の医師が、自らの患者の治療に用いるため、薬機法の手続き（輸入確認）を経て個人輸入したもの（医師の個人輸入）を使います。個人輸入される医薬品等の注意点は、厚生労働省のページ（https://www.yakubutsu.mhlw.go.jp/）で確認できます。",
        "domestic-supplier": "当院が国内の輸入業者・販売業者から購入したものを使います。",
        "in-house": "医師の指示と責任のもと、当院で調製したもの（院内調製）を使います。",
        "approved-product": "国内で承認された製品を、国内の販売業者から購入して使います。",
        "none": "この施術と同じ成分・性能をもち、同じ目的で国内承認された医薬品等はありません。",
        "named": "同じ目的で国内承認された医薬品等として、{names}があります。",
        "relief_off_label": "承認された範囲と異なる使い方のため、万一、重い健康被害が起きた場合でも、医薬品副作用被害救済制度の対象にはなりません。",
    },
    "en": {
        "product": "{product} ({maker})",
        "unapproved": "The {product} used for this treatment is not approved or certified in Japan under the Pharmaceuticals and Medical Devices Act: it is an unapproved product.",
        "off_label": "The {product} used for this treatment is approved in Japan ({number}approved for: {use}). Its use for this treatment is outside that approval (off-label use).",
        "number": "approval or certification number {n}; ",
        "personal-import": "A physician of this clinic imports it personally to treat their own patients, with the import confirmation the Pharmaceuticals and Medical Devices Act requires (a physician's personal import). The MHLW explains the risks of personally imported medicines at https://www.yakubutsu.mhlw.go.jp/ (in Japanese).",
        "domestic-supplier": "The clinic buys it from an importer or supplier in Japan.",
        "in-house": "It is prepared at this clinic under a physician's instruction and responsibility (in-house preparation).",
        "approved-product": "An approved product that the clinic buys from a supplier in Japan.",
        "none": "No product with the same ingredients or performance is approved in Japan for this purpose.",
        "named": "Products approved in Japan for this purpose: {names}.",
        "relief_off_label": "Because it is used outside its approval, the relief system for adverse drug reactions does not cover serious harm from it.",
    },
}


@dataclass(frozen=True)
class Statement:
    """One of the five statements; `text` is empty when the facts it needs are not recorded."""

    key: str
    text: str

    @property
    def missing(self) -> bool:
        return not self.text.strip()


def _value(obj: models.Model, field: str, language: str) -> str:
    return (getattr(obj, f"{field}_{language}", "") or "").strip()


def approval_of(treatment: Treatment, offering: Offering | None) -> str:
    """The product's status in Japan at this clinic: the offering's record, else the treatment's."""
    if offering is not None and offering.japan_approval:
        return offering.japan_approval
    if treatment.regulatory_status == Treatment.Regulatory.UNAPPROVED:
        return JapanApproval.UNAPPROVED
    return ""


def status_at(treatment: Treatment, offering: Offering | None) -> str:
    """The regulatory status a patient of this clinic is told (a key of wording.REGULATORY): the
    offering's record of the product it uses ("off-label" for an approved product used outside its
    approval), else the treatment's status. Regenerative medicine keeps its own."""
    return told_status(treatment.regulatory_status, offering.japan_approval if offering else "")


def told_status(regulatory_status: str, japan_approval: str) -> str:
    """`status_at` from the two stored values (the workspace reads them cached, without the rows)."""
    if regulatory_status == Treatment.Regulatory.REGENERATIVE:
        return regulatory_status
    return japan_approval or regulatory_status


def status_label(regulatory_status: str, japan_approval: str) -> str:
    """Staff's label for `told_status`: the clinic's own record of the product when it has one
    ("used outside its approval (適応外使用)"), else the catalog's status."""
    told = told_status(regulatory_status, japan_approval)
    if japan_approval and told == japan_approval:
        return str(JapanApproval(told).label)
    return str(Treatment.Regulatory(told).label)


def needs_disclosure(treatment: Treatment, offering: Offering | None) -> bool:
    """Whether the five statements are required: an unapproved product, or one used off-label."""
    if treatment.regulatory_status == Treatment.Regulatory.REGENERATIVE:
        return False  # its disclosures are the class and the filed plan number
    return approval_of(treatment, offering) in (JapanApproval.UNAPPROVED, JapanApproval.OFF_LABEL)


def disclosure_statements(treatment: Treatment, offering: Offering | None, language: str) -> list[Statement]:
    """The five statements for `treatment` as `offering`'s clinic gives it, in `language` (ja/en);
    empty when none is required.

    With an offering, the first three are composed from the clinic's facts (product, approval,
    supply route, approved alternatives) and marked as fictional at a demo clinic; without one (the
    catalog's general page, an option the clinic does not offer) they are the treatment's general
    texts. The last two are always the treatment's. A statement whose facts are missing has an empty
    text: `missing_disclosures` and the lint report it, and a handout with one is not issued.
    """
    if not needs_disclosure(treatment, offering):
        return []
    foreign = _value(treatment, "foreign_safety_info", language)
    relief = _value(treatment, "relief_system_note", language)
    if offering is None:
        first = [_value(treatment, key, language) for key in STATEMENT_KEYS[:3]]
    else:
        first = _clinic_statements(offering, language)
        if not relief and offering.japan_approval == JapanApproval.OFF_LABEL:
            relief = TEXT[language]["relief_off_label"]
    return [Statement(key, text) for key, text in zip(STATEMENT_KEYS, [*first, foreign, relief], strict=True)]


def _clinic_statements(offering: Offering, language: str) -> list[str]:
    """Statements 1-3 from the offering's facts; an empty string where a fact is missing."""
    text = TEXT[language]
    # The clinic says what it uses; the treatment's general status is no answer for its product.
    approval = offering.japan_approval
    product = _value(offering, "product_name", language)
    if product and offering.manufacturer.strip():
        product = text["product"].format(product=product, maker=offering.manufacturer.strip())

    unapproved = ""
    if product and approval == JapanApproval.UNAPPROVED:
        unapproved = text["unapproved"].format(product=product)
    elif product and approval == JapanApproval.OFF_LABEL:
        use = _value(offering, "approved_use", language)
        number = (
            text["number"].format(n=offering.approval_number.strip())
            if offering.approval_number.strip()
            else ""
        )
        unapproved = text["off_label"].format(product=product, number=number, use=use) if use else ""

    route = text[offering.supply_route] if offering.supply_route else ""
    note = _value(offering, "supply_note", language)
    if route and note:
        route = f"{route}{'' if language == 'ja' else ' '}{note}"

    alternatives = ""
    if offering.alternatives_status == Alternatives.NONE:
        alternatives = text["none"]
    elif offering.alternatives_status == Alternatives.NAMED:
        names = _value(offering, "alternatives_named", language)
        alternatives = text["named"].format(names=names) if names else ""

    statements = [unapproved, route, alternatives]
    if offering.clinic.is_demo:
        statements = [s + DEMO_MARK[language] if s else s for s in statements]
    return statements


def missing_facts(treatment: Treatment, offering: Offering) -> list[str]:
    """The offering's facts (field names) that keep a required statement from being written, in
    either language: what the lint and the admin name."""
    if not needs_disclosure(treatment, offering):
        return []
    missing = []
    if not offering.japan_approval:
        missing.append("japan_approval")
    for field in (
        "product_name",
        *(("approved_use",) if offering.japan_approval == JapanApproval.OFF_LABEL else ()),
    ):
        missing += [f"{field}_{lang}" for lang in ("ja", "en") if not _value(offering, field, lang)]
    if not offering.supply_route:
        missing.append("supply_route")
    if not offering.alternatives_status:
        missing.append("alternatives_status")
    elif offering.alternatives_status == Alternatives.NAMED:
        missing += [
            f"alternatives_named_{lang}"
            for lang in ("ja", "en")
            if not _value(offering, "alternatives_named", lang)
        ]
    return missing
