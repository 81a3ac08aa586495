from .resources import RESOURCES

app_name = "indicators"
urlpatterns = [p for r in RESOURCES for p in r.urls()]
