from django.contrib import admin
from django.urls import include, path

from consult import audit_views, auth, two_factor_views
from consult import views as consult_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin logs in through the same throttled, audited view as everyone else.
    path("admin/login/", auth.LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor_views.overview, name="two_factor"),
    path("accounts/two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery-codes/", two_factor_views.recovery_codes, name="two_factor_codes"),
    path("accounts/two-factor/reset/<int:user_id>/", two_factor_views.reset, name="two_factor_reset"),
    path("catalog/", include("catalog.urls")),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("", include("consult.urls")),
    path("", consult_views.home, name="home"),
]
