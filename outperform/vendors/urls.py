from .resources import RESOURCES

app_name = "vendors"
urlpatterns = [p for r in RESOURCES for p in r.urls()]
