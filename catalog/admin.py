from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from catalog import models


class AuditedAdmin(TabbedTranslationAdmin):
    """Every catalog change made in the admin also lands in the append-only audit trail."""

    def _audit(self, request, obj, verb: str) -> None:
        from consult.audit import record

        record(request, "catalog-change", obj=obj, detail={"verb": verb, "object": str(obj)[:100]})

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "delete")
        return super().log_deletions(request, queryset)


class IndicationInline(TranslationTabularInline):
    model = models.Indication
    extra = 0
    autocomplete_fields = ["condition"]


class ContraindicationInline(TranslationTabularInline):
    model = models.Contraindication
    extra = 0


class SideEffectInline(TranslationTabularInline):
    model = models.SideEffect
    extra = 0


@admin.register(models.Treatment)
class TreatmentAdmin(AuditedAdmin):
    list_display = ["name", "slug", "category", "regulatory_status", "uses_needles", "pain", "reviewed_on"]
    list_filter = ["category", "regulatory_status", "uses_needles", "pain"]
    search_fields = ["slug", "name_ja", "name_en", "summary_ja", "summary_en"]
    filter_horizontal = ["sources"]
    inlines = [IndicationInline, ContraindicationInline, SideEffectInline]
    fieldsets = [
        (None, {"fields": ["slug", "category", "name", "summary", "reviewed_on", "sources"]}),
        ("How it works", {"fields": ["how_it_works", "session_description", "variants"]}),
        (
            "Course",
            {
                "fields": [
                    ("sessions_min", "sessions_max"),
                    ("interval_weeks_min", "interval_weeks_max"),
                    ("effect_weeks_min", "effect_weeks_max"),
                    "duration_text",
                ]
            },
        ),
        (
            "Downtime and comfort",
            {
                "fields": [
                    ("downtime_days_min", "downtime_days_max"),
                    "downtime_description",
                    "pain",
                    "anesthesia",
                    "uses_needles",
                    "pih_risk_from_skin_type",
                    "skin_type_note",
                ]
            },
        ),
        (
            "Regulatory status in Japan",
            {
                "fields": [
                    "regulatory_status",
                    "approval_note",
                    "regenerative_class",
                    *models.Treatment.UNAPPROVED_FIELDS,
                ]
            },
        ),
    ]


class ChildConditionInline(admin.TabularInline):
    model = models.Condition
    fk_name = "parent"
    fields = ["slug", "name_ja", "name_en", "sort_order"]
    extra = 0
    show_change_link = True


@admin.register(models.Condition)
class ConditionAdmin(AuditedAdmin):
    list_display = ["name", "slug", "group", "parent"]
    list_filter = ["group", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["slug", "name_ja", "name_en"]
    filter_horizontal = ["sources"]
    inlines = [ChildConditionInline]


@admin.register(models.MedicalFlag)
class MedicalFlagAdmin(AuditedAdmin):
    list_display = ["label", "slug", "sort_order"]
    search_fields = ["slug", "label_ja", "label_en"]


@admin.register(models.Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "slug", "publisher", "published_on"]
    search_fields = ["slug", "title_ja", "title_en"]


@admin.register(models.HomeCareTip)
class HomeCareTipAdmin(AuditedAdmin):
    list_display = ["slug", "topic", "text"]
    list_filter = ["topic", "conditions"]
    search_fields = ["slug", "text_ja", "text_en"]
    filter_horizontal = ["conditions"]


@admin.register(models.Nutrient)
class NutrientAdmin(AuditedAdmin):
    list_display = ["name", "slug", "foods"]
    search_fields = ["slug", "name_ja", "name_en"]
    filter_horizontal = ["conditions"]


class CoursePriceInline(admin.TabularInline):
    model = models.CoursePrice
    extra = 0


@admin.register(models.Offering)
class OfferingAdmin(AuditedAdmin):
    list_display = ["treatment", "clinic", "price_per_session_yen", "is_sample_price", "active"]
    list_filter = ["clinic", "active", "is_sample_price", "treatment__category"]
    search_fields = ["treatment__slug", "treatment__name_ja", "treatment__name_en"]
    inlines = [CoursePriceInline]


class PhysicianInline(TranslationTabularInline):
    model = models.Physician
    extra = 0


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Clinic)
class ClinicAdmin(AuditedAdmin):
    list_display = ["name", "slug", "phone", "is_demo"]
    search_fields = ["slug", "name_ja", "name_en"]
    inlines = [PhysicianInline, MembershipInline]
