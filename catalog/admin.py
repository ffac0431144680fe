from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models as db_models
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from catalog import models
from catalog.lint import lint_object
from catalog.roles import admin_clinics, clinic_id_of, manageable_users, sync_groups
from consult.audit import record
from consult.models import AuditEvent

LINT_FINDINGS_SHOWN = 20


class AuditedChanges:
    """Every change made through this admin also lands in the append-only audit trail."""

    audit_action = AuditEvent.Action.CATALOG_CHANGE

    def audit_clinic(self, request, obj) -> models.Clinic | None:
        """The clinic whose log shows the change: the object's own clinic; None for the shared catalog,
        which every clinic's audit log shows (consult/audit_views.py): its text reaches every
        clinic's pages and documents."""
        clinic_id = clinic_id_of(obj)
        return models.Clinic.objects.filter(pk=clinic_id).first() if clinic_id else None

    def _audit(self, request, obj, verb: str) -> None:
        record(
            request,
            self.audit_action,
            obj=obj,
            clinic=self.audit_clinic(request, obj),
            detail={"verb": verb, "object": str(obj)[:100]},
        )

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

    # Django runs the add, change and delete pages (and list editing) in a transaction, so the
    # change and its audit row commit together; a bulk action and the password page it does not.
    def response_action(self, request, queryset):
        with transaction.atomic():
            return super().response_action(request, queryset)


class RevisesCatalog:
    """Every saved or deleted catalog row (the object and its inlines) moves the catalog revision, in
    the admin's transaction, so running servers reload the engine's cached facts (consult/facts.py)."""

    def save_related(self, request, form, formsets, change):
        # Called once per add or change, after save_model: the object and its inlines are saved.
        super().save_related(request, form, formsets, change)
        models.CatalogRevision.bump()
        self.show_lint_findings(request, form.instance)

    def show_lint_findings(self, request, obj) -> None:
        """The catalog lint's findings for the row just saved, as a warning under Django's "changed
        successfully": the save stands (an admin may fix a text in several steps), but what the
        medical advertising guideline forbids is named at once, not only when `lint_catalog` runs."""
        problems = lint_object(obj)
        if not problems:
            return
        shown = problems[:LINT_FINDINGS_SHOWN]
        more = len(problems) - len(shown)
        # One finding a line: a nested list inside Django's message list would take on the styling
        # (and the tick) of a success message.
        message = format_html(
            "{}{}{}",
            _("The catalog lint found %(count)d problem(s) in what was just saved:")
            % {"count": len(problems)},
            format_html_join("", "<br>• {}: {}", ((p.field, p.message) for p in shown)),
            format_html("<br>{}", _("…and %(count)d more (run manage.py lint_catalog).") % {"count": more})
            if more
            else "",
        )
        self.message_user(request, message, level=messages.WARNING)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        models.CatalogRevision.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        models.CatalogRevision.bump()


class AuditedAdmin(AuditedChanges, RevisesCatalog, TabbedTranslationAdmin):
    """Catalog entries, with ja/en side by side; changes are audited as catalog changes and move the
    catalog revision."""


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
    list_filter = ["category", "regulatory_status", "uses_needles", "pain", "scta_purpose"]
    search_fields = ["slug", "name_ja", "name_en", "summary_ja", "summary_en"]
    filter_horizontal = ["sources"]
    inlines = [IndicationInline, ContraindicationInline, SideEffectInline]
    fieldsets = [
        (None, {"fields": ["slug", "category", "name", "summary", "reviewed_on", "sources"]}),
        (_("How it works"), {"fields": ["how_it_works", "session_description", "variants"]}),
        (
            _("Course"),
            {
                "fields": [
                    ("sessions_min", "sessions_max"),
                    ("interval_weeks_min", "interval_weeks_max"),
                    ("effect_weeks_min", "effect_weeks_max"),
                    "duration_text",
                    "lead_time_weeks",
                    "lead_time_description",
                ]
            },
        ),
        (
            _("Downtime and comfort"),
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
            _("Origin of the figures"),
            {
                "description": _(
                    "For each range above: the source it comes from, or this clinic's typical practice "
                    "(which the clinic reviews and edits)."
                ),
                "fields": [(f"{stem}_origin", f"{stem}_source") for stem in models.RANGE_STEMS],
            },
        ),
        (
            _("Regulatory status in Japan"),
            {
                "fields": [
                    "regulatory_status",
                    "insurance_covered",
                    "approval_note",
                    "regenerative_class",
                    *models.Treatment.UNAPPROVED_FIELDS,
                ]
            },
        ),
        (
            _("Specified Commercial Transactions Act (特定継続的役務提供)"),
            {"fields": [("scta_purpose", "scta_method")]},
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
    list_display = ["title", "slug", "kind", "year", "identifier"]
    list_filter = ["kind"]
    search_fields = ["slug", "title_ja", "title_en"]


@admin.register(models.HomeCareTip)
class HomeCareTipAdmin(AuditedAdmin):
    list_display = ["slug", "topic", "text"]
    list_filter = ["topic", "conditions", "avoid_with"]
    search_fields = ["slug", "text_ja", "text_en"]
    filter_horizontal = ["conditions", "avoid_with"]


@admin.register(models.Nutrient)
class NutrientAdmin(AuditedAdmin):
    list_display = ["name", "slug", "foods"]
    search_fields = ["slug", "name_ja", "name_en"]
    filter_horizontal = ["conditions", "avoid_with"]


class ClinicScopedAdmin(AuditedAdmin):
    """A clinic's own records: a clinic admin sees and edits only the clinics they administer.

    Everything else answers as if it did not exist (404), from the list, the change, history and
    delete pages alike; superusers see every clinic. Inlines follow their parent.
    """

    clinic_lookup = "clinic"  # from this model to its Clinic

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.clinic_lookup}__in": admin_clinics(request.user)})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django would redirect with "does not exist"; a plain 404 tells an outsider nothing more.
            raise Http404
        return obj

    def _in_scope(self, request, obj) -> bool:
        return (
            obj is None or request.user.is_superuser or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.remote_field.model is models.Clinic and not request.user.is_superuser:
            kwargs["queryset"] = admin_clinics(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CoursePriceForm(forms.ModelForm):
    class Meta:
        model = models.CoursePrice
        fields = ["sessions", "price_yen"]
        # A tabular inline labels its inputs only by the column headers: screen readers need their own.
        widgets = {
            "sessions": forms.NumberInput(attrs={"aria-label": _("sessions")}),
            "price_yen": forms.NumberInput(attrs={"aria-label": _("course price (yen, tax incl.)")}),
        }

    def clean_sessions(self) -> int:
        sessions = self.cleaned_data["sessions"]
        if sessions < 2:
            raise forms.ValidationError(
                _("One session costs the price per session above; a course has two or more sessions.")
            )
        return sessions


class CoursePriceFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete this course")


class CoursePriceInline(admin.TabularInline):
    """Courses of two or more sessions. A single session is the offering's price per session, its one
    source (consult/facts.py ignores 1-session rows left from older data, so they are not shown)."""

    model = models.CoursePrice
    form = CoursePriceForm
    formset = CoursePriceFormSet
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(sessions__gte=2)


@admin.register(models.Offering)
class OfferingAdmin(ClinicScopedAdmin):
    # The price list: per session and every course, tax-inclusive, readable at 1280 px and on a
    # tablet (static/css/admin.css lets long treatment names wrap and puts the filters below).
    list_display = ["treatment", "per_session", "courses", "is_sample_price", "active"]
    # Only the clinics whose offerings the user sees, not every clinic's name.
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        "active",
        "is_sample_price",
        "treatment__category",
    ]
    search_fields = ["treatment__slug", "treatment__name_ja", "treatment__name_en"]
    inlines = [CoursePriceInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "clinic",
                    "treatment",
                    "active",
                    "price_per_session_yen",
                    "is_sample_price",
                    "note",
                    "regenerative_plan_number",
                ]
            },
        ),
        (
            _("What this clinic uses: the facts behind the five statements"),
            {
                "description": _(
                    "For an unapproved product, or an approved one used outside its approval, the medical "
                    "advertising guideline (医療広告ガイドライン, 限定解除要件) expects five definite statements: "
                    "that it is unapproved, how the clinic obtains it, whether an approved product for the "
                    "same purpose exists in Japan, safety information from other countries (from the "
                    "treatment), and that the relief system for adverse drug reactions does not cover it "
                    "(from the treatment). The handout, consent form and catalog page print them from these "
                    "facts; a handout is not issued while one is missing."
                ),
                "fields": [
                    "product_name",
                    "manufacturer",
                    ("japan_approval", "approval_number"),
                    "approved_use",
                    "supply_route",
                    "supply_note",
                    "alternatives_status",
                    "alternatives_named",
                ],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_list_display(self, request):
        # The clinic column only where the list can hold more than one clinic.
        if admin_clinics(request.user).count() > 1:
            return [*self.list_display, "clinic"]
        return self.list_display

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("treatment", "clinic")
            .prefetch_related("course_prices")
        )

    @admin.display(description=_("per session (tax incl.)"), ordering="price_per_session_yen")
    def per_session(self, obj) -> str:
        return f"¥{obj.price_per_session_yen:,}"

    @admin.display(description=_("courses (tax incl.)"))
    def courses(self, obj) -> str:
        # 1-session rows left from older data are not a course (CoursePriceInline).
        texts = [
            _("%(sessions)s sessions ¥%(amount)s") % {"sessions": c.sessions, "amount": f"{c.price_yen:,}"}
            for c in obj.course_prices.all()
            if c.sessions >= 2
        ]
        return format_html_join("", '<span class="course-price">{}</span>', ((t,) for t in texts)) or "—"


class PhysicianInline(TranslationTabularInline):
    model = models.Physician
    fields = ["name", "title", "user"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only physicians of the clinics this admin administers (a superuser: all physicians).
        if db_field.name == "user":
            physicians = models.Membership.objects.filter(role=models.Membership.Role.PHYSICIAN)
            if not request.user.is_superuser:
                physicians = physicians.filter(clinic__in=admin_clinics(request.user))
            kwargs["queryset"] = User.objects.filter(memberships__in=physicians).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipForm(forms.ModelForm):
    """A membership row names its account for good: to move a role to someone else, delete the row
    and add one (so the account that loses the role is re-synced and nobody keeps stale rights)."""

    class Meta:
        model = models.Membership
        fields = ["user", "role", "name_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    model = models.Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            # Accounts the admin manages, and the clinic's current members (who may also work
            # elsewhere) so that their rows stay valid; never any other account.
            members = User.objects.filter(memberships__clinic__in=admin_clinics(request.user))
            kwargs["queryset"] = User.objects.filter(
                Q(pk__in=manageable_users(request.user).values("pk")) | Q(pk__in=members.values("pk"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    clinic_lookup = "pk"
    list_display = ["name", "slug", "phone", "is_demo"]
    search_fields = ["slug", "name_ja", "name_en"]
    inlines = [PhysicianInline, MembershipInline]
    # A website typed without a scheme is taken as https:// (Django 6's default).
    formfield_overrides = {db_models.URLField: {"assume_scheme": "https"}}

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is models.Membership:
            # A role given or taken away here changes what the user may do at once.
            changed = [obj for obj, _fields in formset.changed_objects]
            for membership in [*formset.new_objects, *changed, *formset.deleted_objects]:
                sync_groups(membership.user)


class StaffMembershipInline(admin.TabularInline):
    """A staff account's roles, at the clinics the editing admin administers only."""

    model = models.Membership
    fk_name = "user"
    fields = ["clinic", "role", "name_en"]
    extra = 0
    verbose_name = _("role at a clinic")
    verbose_name_plural = _("roles at clinics")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(clinic__in=admin_clinics(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clinic" and not request.user.is_superuser:
            kwargs["queryset"] = admin_clinics(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        # An account a clinic admin creates or edits must keep a role at their clinic, or it would
        # vanish from their view the moment it is saved.
        if not request.user.is_superuser:
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)


admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(AuditedChanges, UserAdmin):
    """Staff accounts. A clinic admin manages the accounts of their own clinic: names, e-mail,
    password, active or not, and roles there. Superuser, staff and permission flags stay with
    superusers; accounts are deactivated, never deleted (the audit trail refers to them)."""

    inlines = [StaffMembershipInline]
    audit_action = AuditEvent.Action.STAFF_CHANGE

    def audit_clinic(self, request, obj):
        # The clinic (of the editor's) where the account works: its log shows the change.
        clinics = obj.memberships.filter(clinic__in=admin_clinics(request.user)).values("clinic")
        return models.Clinic.objects.filter(pk__in=clinics).order_by("pk").first()

    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    clinic_admin_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=manageable_users(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.clinic_admin_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["last_login", "date_joined"]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():  # the new password and its audit row
            return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A role given or taken away here changes what the account may do at once.
        sync_groups(form.instance)


@admin.register(models.ConsentText)
class ConsentTextAdmin(AuditedAdmin):
    """Consent texts (同意書), per treatment and version: add a new version rather than rewriting one a
    patient may have signed."""

    list_display = ["treatment", "version", "changed_at"]
    list_filter = ["treatment"]
    search_fields = ["treatment__slug", "treatment__name_ja", "treatment__name_en"]
