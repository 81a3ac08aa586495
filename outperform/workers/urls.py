from .resources import RESOURCES

app_name = "workers"
urlpatterns = [p for r in RESOURCES for p in r.urls()]
