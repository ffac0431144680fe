from django.contrib import admin
from django.urls import include, path

from consult import audit_views, auth
from consult import views as consult_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin logs in through the same throttled, audited view as everyone else.
    path("admin/login/", auth.LoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("catalog/", include("catalog.urls")),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("", include("consult.urls")),
    path("", consult_views.home, name="home"),
]
