"""/api/v1/ routes of this app, registered on the shared router by `register`."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
