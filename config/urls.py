from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from outperform.core.views import LoginView

urlpatterns = [
    path("", include("outperform.core.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/", include("outperform.org.urls")),
    path("vendors/", include("outperform.vendors.urls")),
    path("workers/", include("outperform.workers.urls")),
    path("indicators/", include("outperform.indicators.urls")),
    path("cycles/", include("outperform.cycles.urls")),
    path("inbox/", include("outperform.notifications.urls")),
    path("records/", include("outperform.records.urls")),
    path("ingest/", include("outperform.ingest.urls")),
    path("metrics/", include("outperform.metrics.urls")),
    path("surveys/", include("outperform.surveys.urls")),
    path("rewards/", include("outperform.rewards.urls")),
    path("development/", include("outperform.development.urls")),
    path("alerts/", include("outperform.alerts.urls")),
    path("insights/", include("outperform.insights.urls")),
    path("standings/", include("outperform.standings.urls")),
    path("compliance/", include("outperform.compliance.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("outperform.api_urls")),
    path("api/v1/auth/token/", obtain_auth_token, name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("favicon.ico", RedirectView.as_view(url="/static/img/favicon.svg")),
]

handler500 = "outperform.core.errors.server_error"
