from .resources import RESOURCES

app_name = "org"
urlpatterns = [p for r in RESOURCES for p in r.urls()]
