"""What the clinic knows and offers: conditions, treatments, flags, clinics and prices.

Every patient-facing text field is registered with django-modeltranslation in
``catalog/translation.py`` and therefore exists as ``<field>_ja`` and ``<field>_en``.
Ranges are stored as two numbers with a database constraint that min <= max.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def _range_check(prefix: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{prefix}_min__lte": F(f"{prefix}_max")}),
        name=f"{name}_{prefix}_min_lte_max",
    )


class Source(models.Model):
    """A document the catalog's facts come from (a seed article, a paper)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("URL"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    summary = models.TextField(_("what it covers"), blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


def _changed_at() -> models.DateTimeField:
    """When the row was last saved: part of the catalog revision that keys cached engine facts.

    Null for rows written by `loaddata`, which bypasses `auto_now`; `load_demo` stamps them afterwards.
    """
    return models.DateTimeField(_("last changed"), auto_now=True, null=True, db_index=True)


class ConditionQuerySet(models.QuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)


class Condition(models.Model):
    class Group(models.TextChoices):
        ACNE = "acne", _("Acne and acne scars")
        TONE = "tone", _("Colour and tone")
        PORES = "pores", _("Pores and texture")
        AGEING = "ageing", _("Firmness and ageing")
        BARRIER = "barrier", _("Dryness and skin barrier")

    slug = models.SlugField(unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent condition"),
    )
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what it is"))
    causes = models.TextField(_("causes"), blank=True)
    how_told_apart = models.TextField(_("how it is told apart"), blank=True)
    home_care = models.TextField(_("home care"), blank=True)
    sources = models.ManyToManyField(Source, blank=True, verbose_name=_("sources"))
    changed_at = _changed_at()

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["group", "sort_order", "slug"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.name

    def lineage_slugs(self) -> list[str]:
        """This condition's slug followed by its ancestors' (nearest first)."""
        slugs, node = [], self
        while node is not None:
            slugs.append(node.slug)
            node = node.parent
        return slugs


class MedicalFlag(models.Model):
    slug = models.SlugField(unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("short label"), max_length=120)
    question = models.CharField(_("question to the patient"), max_length=300)
    explanation = models.TextField(_("why it matters"), blank=True)
    changed_at = _changed_at()

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("medical flag")
        verbose_name_plural = _("medical flags")

    def __str__(self) -> str:
        return self.label


class TreatmentQuerySet(models.QuerySet):
    def offered_by(self, clinic: Clinic):
        return self.filter(offerings__clinic=clinic, offerings__active=True)


class Treatment(models.Model):
    class Category(models.TextChoices):
        ENERGY_DEVICE = "energy-device", _("Energy device")
        MICRONEEDLING = "microneedling", _("Microneedling")
        INJECTABLE = "injectable", _("Injectable skin booster")
        REGENERATIVE = "regenerative", _("Regenerative medicine")
        SURGICAL = "surgical", _("Surgical")
        CHEMICAL_PEEL = "chemical-peel", _("Chemical peel")
        HOME_CARE = "home-care", _("Home care")

    class Regulatory(models.TextChoices):
        APPROVED = "approved", _("Approved in Japan")
        UNAPPROVED = "unapproved", _("Unapproved in Japan (未承認)")
        REGENERATIVE = "regenerative", _("Regenerative medicine (再生医療等)")
        NOT_REGULATED = "not-regulated", _("Not a regulated product (procedure or cosmetic)")

    class RegenerativeClass(models.IntegerChoices):
        CLASS_2 = 2, _("Class 2 (第二種再生医療等)")
        CLASS_3 = 3, _("Class 3 (第三種再生医療等)")

    PAIN_LEVELS = [(0, _("none")), (1, _("mild")), (2, _("moderate")), (3, _("strong"))]

    class SctaPurpose(models.TextChoices):
        # 特定商取引法施行令 別表第四 (美容医療): the purposes; empty = not in scope.
        NONE = "", _("Not in scope")
        SKIN = "skin", _("Removing acne, spots, freckles, moles, tattoos etc., or skin activation")
        WRINKLES = "wrinkles", _("Reducing wrinkles or sagging")
        HAIR = "hair", _("Hair removal")
        FAT = "fat", _("Fat reduction")
        TEETH = "teeth", _("Tooth whitening")

    class SctaMethod(models.TextChoices):
        # 特定商取引法施行規則: the methods that make a purpose fall in scope.
        NONE = "", _("—")
        LIGHT = "light", _("Light irradiation")
        SOUND = "sound", _("Sound-wave irradiation")
        DRUG = "drug", _("Use of a drug")
        DEVICE = "device", _("Stimulation with a device")
        THREAD = "thread", _("Thread insertion")
        NEEDLE_CURRENT = "needle-current", _("Electric current through a needle")
        BLEACH = "bleach", _("Applying a bleaching agent to the teeth")

    # Which methods the law lists for each purpose (design.md §10).
    SCTA_METHODS = {
        "skin": {"light", "sound", "drug", "device"},
        "wrinkles": {"drug", "thread"},
        "hair": {"light", "needle-current"},
        "fat": {"light", "sound", "drug", "device"},
        "teeth": {"bleach"},
    }

    slug = models.SlugField(unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("one-line summary"), max_length=300)
    how_it_works = models.TextField(_("how it works"))
    session_description = models.TextField(_("what a session is like"))
    sessions_min = models.PositiveSmallIntegerField(_("typical sessions (min)"))
    sessions_max = models.PositiveSmallIntegerField(_("typical sessions (max)"))
    interval_weeks_min = models.PositiveSmallIntegerField(_("interval in weeks (min)"))
    interval_weeks_max = models.PositiveSmallIntegerField(_("interval in weeks (max)"))
    downtime_days_min = models.PositiveSmallIntegerField(_("downtime in days (min)"))
    downtime_days_max = models.PositiveSmallIntegerField(_("downtime in days (max)"))
    downtime_description = models.TextField(_("what the downtime looks like"))
    pain = models.PositiveSmallIntegerField(_("pain (0-3)"), choices=PAIN_LEVELS)
    anesthesia = models.CharField(_("anesthesia"), max_length=300)
    uses_needles = models.BooleanField(_("uses needles or injections"))
    effect_weeks_min = models.PositiveSmallIntegerField(_("weeks until a change may show (min)"))
    effect_weeks_max = models.PositiveSmallIntegerField(_("weeks until a change may show (max)"))
    lead_time_weeks = models.PositiveSmallIntegerField(
        _("weeks of preparation before the first session"),
        default=0,
        help_text=_(
            "The shortest time from the decision to the first session, e.g. while the patient's cells "
            "are cultured; 0 when the first session can follow right away."
        ),
    )
    lead_time_description = models.TextField(_("what the preparation involves"), blank=True)
    duration_text = models.TextField(_("how long results last"))
    pih_risk_from_skin_type = models.PositiveSmallIntegerField(
        _("higher pigmentation risk from Fitzpatrick type"),
        null=True,
        blank=True,
        help_text=_("1-6; leave empty when skin type does not change the risk."),
    )
    skin_type_note = models.TextField(_("skin-type note"), blank=True)
    variants = models.TextField(_("product variants"), blank=True)

    regulatory_status = models.CharField(
        _("regulatory status in Japan"), max_length=20, choices=Regulatory.choices
    )
    approval_note = models.TextField(_("approval details"), blank=True)
    # The five statements Japan requires for an unapproved drug or device
    # (限定解除要件, 医療広告ガイドライン).
    unapproved_statement = models.TextField(_("1. that it is unapproved"), blank=True)
    acquisition_route = models.TextField(_("2. how the clinic obtains it"), blank=True)
    domestic_alternatives = models.TextField(
        _("3. approved products in Japan with the same purpose"), blank=True
    )
    foreign_safety_info = models.TextField(_("4. safety information from other countries"), blank=True)
    relief_system_note = models.TextField(_("5. relief-system coverage"), blank=True)
    regenerative_class = models.PositiveSmallIntegerField(
        _("regenerative medicine class"), choices=RegenerativeClass.choices, null=True, blank=True
    )
    scta_purpose = models.CharField(
        _("specified continuous service: purpose"),
        max_length=20,
        choices=SctaPurpose.choices,
        blank=True,
        default="",
        help_text=_(
            "特定商取引法 (美容医療): the purpose under which this treatment falls in scope; empty when it "
            "does not. A default from the law's list; the clinic's physician has the last word."
        ),
    )
    scta_method = models.CharField(
        _("specified continuous service: method"),
        max_length=20,
        choices=SctaMethod.choices,
        blank=True,
        default="",
    )

    sources = models.ManyToManyField(Source, blank=True, verbose_name=_("sources"))
    reviewed_on = models.DateField(_("content reviewed on"))
    changed_at = _changed_at()

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["category", "slug"]
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")
        constraints = [
            _range_check("sessions", "treatment"),
            _range_check("interval_weeks", "treatment"),
            _range_check("downtime_days", "treatment"),
            _range_check("effect_weeks", "treatment"),
            models.CheckConstraint(condition=Q(pain__lte=3), name="treatment_pain_0_3"),
            models.CheckConstraint(condition=Q(sessions_min__gte=1), name="treatment_sessions_min_gte_1"),
            models.CheckConstraint(
                condition=Q(pih_risk_from_skin_type__isnull=True)
                | Q(pih_risk_from_skin_type__gte=1, pih_risk_from_skin_type__lte=6),
                name="treatment_pih_skin_type_1_6",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_scta_scope(self) -> bool:
        """Whether 特定継続的役務提供 (美容医療) covers this treatment: a purpose with a method the law
        lists for it."""
        return self.scta_method in self.SCTA_METHODS.get(self.scta_purpose, set())

    def clean(self) -> None:
        super().clean()
        if self.scta_purpose and not self.in_scta_scope:
            raise ValidationError({"scta_method": _("Choose a method the law lists for this purpose.")})
        if self.scta_method and not self.scta_purpose:
            raise ValidationError({"scta_purpose": _("Choose the purpose, or clear the method.")})

    UNAPPROVED_FIELDS = (
        "unapproved_statement",
        "acquisition_route",
        "domestic_alternatives",
        "foreign_safety_info",
        "relief_system_note",
    )


class SideEffect(models.Model):
    class Frequency(models.TextChoices):
        COMMON = "common", _("common")
        OCCASIONAL = "occasional", _("occasional")
        RARE = "rare", _("rare")

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="side_effects")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("side effect or risk"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    usual_duration = models.CharField(_("how long it usually lasts"), max_length=200)

    class Meta:
        ordering = ["treatment", "sort_order", "id"]
        verbose_name = _("side effect")
        verbose_name_plural = _("side effects")

    def __str__(self) -> str:
        return self.name


class ConsentText(models.Model):
    """The clinic's words for a treatment's consent form (同意書), versioned: a signed consent keeps the
    version it showed. The form adds the facts the catalog and the plan hold (risks with frequency and
    duration, regulatory statements, sessions, cost) and the right to withdraw; this text says what the
    treatment is for, how it is done and what else the patient could do."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="consent_texts")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    purpose = models.TextField(_("purpose"))
    method = models.TextField(_("method"))
    expected_course = models.TextField(_("expected course"))
    alternatives = models.TextField(
        _("alternatives"), help_text=_("Other treatments for the same purpose. Not treating is always added.")
    )
    changed_at = _changed_at()

    class Meta:
        ordering = ["treatment", "-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        constraints = [
            models.UniqueConstraint(fields=["treatment", "version"], name="consent_text_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.treatment} v{self.version}"


class Indication(models.Model):
    class Strength(models.IntegerChoices):
        FIRST_LINE = 3, _("first-line")
        GOOD = 2, _("good")
        ADJUNCT = 1, _("adjunct")
        # On a child condition, overrides the parent's rating: the treatment does not suit it
        # (subcision for ice-pick scars). The rationale says why.
        NOT_FOR = 0, _("not suitable")

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="indications")
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="indications")
    strength = models.PositiveSmallIntegerField(_("how well"), choices=Strength.choices)
    rationale = models.TextField(_("rationale"))
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)
    changed_at = _changed_at()

    class Meta:
        ordering = ["treatment", "-strength", "condition"]
        verbose_name = _("indication")
        verbose_name_plural = _("indications")
        constraints = [
            models.UniqueConstraint(fields=["treatment", "condition"], name="indication_unique"),
            models.CheckConstraint(
                condition=Q(strength__gte=0, strength__lte=3), name="indication_strength_0_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treatment} → {self.condition}"


class Contraindication(models.Model):
    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", _("absolute")
        RELATIVE = "relative", _("relative")

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="contraindications")
    flag = models.ForeignKey(MedicalFlag, on_delete=models.PROTECT, related_name="contraindications")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("note"))
    changed_at = _changed_at()

    class Meta:
        ordering = ["treatment", "kind", "flag"]
        verbose_name = _("contraindication")
        verbose_name_plural = _("contraindications")
        constraints = [
            models.UniqueConstraint(fields=["treatment", "flag"], name="contraindication_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment} × {self.flag} ({self.kind})"


def _avoid_with(related_name: str) -> models.ManyToManyField:
    """The medical flags for which a piece of home-care advice must not be given (retinol or vitamin A
    supplements in pregnancy): a patient document leaves it out when the patient has one of them."""
    return models.ManyToManyField(
        MedicalFlag,
        related_name=related_name,
        blank=True,
        verbose_name=_("not for patients with"),
        help_text=_("The advice is left out of the handout of a patient with any of these flags."),
    )


class HomeCareTip(models.Model):
    class Topic(models.TextChoices):
        SKIN_CARE = "skin-care", _("Skin care")
        UV = "uv", _("Sun protection")
        HANDS_OFF = "hands-off", _("Hands off")
        NUTRITION = "nutrition", _("Nutrition")
        SLEEP = "sleep", _("Sleep and lifestyle")
        MAKE_UP = "make-up", _("Make-up")

    slug = models.SlugField(unique=True)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("advice"))
    conditions = models.ManyToManyField(
        Condition, related_name="home_care_tips", verbose_name=_("conditions")
    )
    avoid_with = _avoid_with("avoided_tips")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["topic", "sort_order", "slug"]
        verbose_name = _("home-care tip")
        verbose_name_plural = _("home-care tips")

    def __str__(self) -> str:
        return self.text[:60]


class Nutrient(models.Model):
    """A row of the nutrients-and-foods table (what it does for the skin, where to find it)."""

    slug = models.SlugField(unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("nutrient"), max_length=120)
    role = models.TextField(_("what it does for the skin"))
    foods = models.TextField(_("foods rich in it"))
    conditions = models.ManyToManyField(
        Condition, related_name="nutrients", blank=True, verbose_name=_("conditions")
    )
    avoid_with = _avoid_with("avoided_nutrients")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("nutrient")
        verbose_name_plural = _("nutrients")

    def __str__(self) -> str:
        return self.name


class Clinic(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40)
    website = models.URLField(_("website"), blank=True)
    representative = models.CharField(
        _("representative (代表者)"),
        max_length=120,
        blank=True,
        help_text=_(
            "The name of the clinic's representative, printed on the estimate and contract documents."
        ),
    )
    is_demo = models.BooleanField(
        _("demo clinic"), default=False, help_text=_("Fictional clinic with sample prices.")
    )
    # Required for every handout (IPDASi: funding used for development), like the regulatory facts:
    # blank here so that a clinic can be saved before it is written; the handout refuses without it.
    funding_statement = models.TextField(
        _("funding statement"),
        blank=True,
        help_text=_(
            "Who paid for preparing the patient handouts, printed in their “About this handout” box. "
            "Required: a handout is not issued without it."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="clinics", blank=True
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        COUNSELOR = "counselor", _("Counselor")
        PHYSICIAN = "physician", _("Physician")
        CLINIC_ADMIN = "clinic-admin", _("Clinic admin")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The account's name as printed on an English handout (its full name is printed on a Japanese
    # one); empty: the full name on both.
    name_en = models.CharField(_("name in English (for English handouts)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic} ({self.role})"


def staff_name(user, clinic, language: str) -> str:
    """A staff account's name in a handout's language: the English name its membership at `clinic`
    records for English handouts, else its full name (or user name)."""
    if language == "en":
        name_en = (
            Membership.objects.filter(user=user, clinic=clinic)
            .exclude(name_en="")
            .values_list("name_en", flat=True)
            .first()
        )
        if name_en:
            return name_en
    return user.get_full_name() or user.get_username()


class Physician(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="physicians")
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The staff account that signs off consultations: documents it signs print this title.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="physician_profiles",
        verbose_name=_("staff account"),
        help_text=_("The account this physician signs in with; their title is printed on what they sign."),
    )

    class Meta:
        ordering = ["clinic", "id"]
        verbose_name = _("physician")
        verbose_name_plural = _("physicians")

    def __str__(self) -> str:
        return self.name


class Offering(models.Model):
    """A treatment a clinic offers, at a tax-inclusive price (総額表示)."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("clinic")
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("treatment")
    )
    active = models.BooleanField(_("offered"), default=True)
    price_per_session_yen = models.PositiveIntegerField(_("price per session (yen, tax incl.)"))
    is_sample_price = models.BooleanField(_("sample price"), default=False)
    regenerative_plan_number = models.CharField(
        _("regenerative medicine plan number (提供計画番号)"), max_length=40, blank=True
    )
    note = models.CharField(_("price note"), max_length=300, blank=True)
    changed_at = _changed_at()

    class Meta:
        ordering = ["clinic", "treatment"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "treatment"], name="offering_unique"),
            models.CheckConstraint(condition=Q(price_per_session_yen__gte=0), name="offering_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic} — {self.treatment}"


class CoursePrice(models.Model):
    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="course_prices", verbose_name=_("offering")
    )
    sessions = models.PositiveSmallIntegerField(_("sessions"))
    price_yen = models.PositiveIntegerField(_("course price (yen, tax incl.)"))
    changed_at = _changed_at()

    class Meta:
        ordering = ["offering", "sessions"]
        verbose_name = _("course price")
        verbose_name_plural = _("course prices")
        constraints = [
            models.UniqueConstraint(fields=["offering", "sessions"], name="course_price_unique"),
            models.CheckConstraint(condition=Q(sessions__gte=1), name="course_sessions_gte_1"),
            models.CheckConstraint(condition=Q(price_yen__gte=0), name="course_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} × {self.offering}"


class CatalogRevision(models.Model):
    """A counter that every catalog change made through the admin or `load_demo` moves, in the same
    transaction. Two admins' changes committed in either order each move it (the UPDATE takes a row
    lock), which the latest `changed_at` alone cannot promise: a save stamped earlier can commit later.
    """

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"catalog revision {self.number}"

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(number=F("number") + 1):
            cls.objects.get_or_create(pk=1)
            cls.objects.filter(pk=1).update(number=F("number") + 1)


# The models whose rows the suggestion engine's facts are built from; their row counts and latest
# `changed_at`, with the CatalogRevision counter, make the catalog revision (consult/facts.py).
REVISIONED_MODELS = (Treatment, Indication, Contraindication, Condition, MedicalFlag, Offering, CoursePrice)


# Where each fact comes from (issue 11): fields added to Source, Indication and Treatment above.
from catalog.evidence import (  # noqa: E402, F401
    RANGE_STEMS,
    EvidenceLevel,
    FigureOrigin,
    SourceKind,
    range_origin,
)

# Natural frequencies and the course without treatment (issue 14): fields added to SideEffect,
# Indication and Condition above.
from catalog.figures import Denominator, Figure, figure_of  # noqa: E402, F401

# What each clinic uses and how it obtains it, for the five statements (issue 11): fields added to
# Offering above.
from catalog.regulatory import (  # noqa: E402, F401
    Alternatives,
    JapanApproval,
    SupplyRoute,
    disclosure_statements,
    status_at,
)
