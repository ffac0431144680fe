from modeltranslation.translator import TranslationOptions, register

from catalog import models, regulatory


@register(models.Source)
class SourceTR(TranslationOptions):
    fields = ("title", "publisher", "summary")


@register(models.Condition)
class ConditionTR(TranslationOptions):
    fields = ("name", "description", "causes", "how_told_apart", "home_care", "natural_course")


@register(models.MedicalFlag)
class MedicalFlagTR(TranslationOptions):
    fields = ("label", "question", "explanation")


@register(models.Treatment)
class TreatmentTR(TranslationOptions):
    fields = (
        "name",
        "summary",
        "how_it_works",
        "session_description",
        "downtime_description",
        "lead_time_description",
        "anesthesia",
        "duration_text",
        "skin_type_note",
        "variants",
        "approval_note",
        *models.Treatment.UNAPPROVED_FIELDS,
    )


@register(models.SideEffect)
class SideEffectTR(TranslationOptions):
    fields = ("name", "usual_duration", "figure_group", "figure_time_frame")


@register(models.Indication)
class IndicationTR(TranslationOptions):
    fields = ("rationale", "figure_outcome", "figure_group", "figure_time_frame")


@register(models.Contraindication)
class ContraindicationTR(TranslationOptions):
    fields = ("note",)


@register(models.HomeCareTip)
class HomeCareTipTR(TranslationOptions):
    fields = ("text",)


@register(models.Nutrient)
class NutrientTR(TranslationOptions):
    fields = ("name", "role", "foods")


@register(models.Clinic)
class ClinicTR(TranslationOptions):
    fields = ("name", "address", "funding_statement")


@register(models.Physician)
class PhysicianTR(TranslationOptions):
    fields = ("name", "title")


@register(models.Offering)
class OfferingTR(TranslationOptions):
    fields = ("note", *regulatory.TRANSLATED_FIELDS)


@register(models.ConsentText)
class ConsentTextTR(TranslationOptions):
    fields = ("purpose", "method", "expected_course", "alternatives")
