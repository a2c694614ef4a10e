"""Routes of the check-ins app: the vocabulary, and per family strategies, check-ins,
suggestions and insights."""

from django.urls import path

from core.ids import Router  # ids in range: <id:pk>

from . import views, views_export, views_insights

urlpatterns = [
    path("emotions/", views.EmotionsView.as_view(), name="emotions"),
]

family_router = Router()
family_router.register("strategies", views.StrategyViewSet, basename="strategy")
family_router.register("checkins", views.CheckInViewSet, basename="checkin")
family_urlpatterns = [
    *family_router.urls,
    path("suggestions/", views_insights.SuggestionsView.as_view(), name="suggestions"),
    path("insights/", views_insights.InsightsView.as_view(), name="insights"),
    path(
        "export/checkins.csv",
        views_export.CheckInsCsvView.as_view(),
        name="family-export-checkins-csv",
    ),
]
