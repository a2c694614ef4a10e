"""Routes of the reminders app: ``push/…`` per user, ``families/{id}/…`` per family."""

from django.urls import path

from core.ids import Router  # ids in range: <id:pk>

from . import views

urlpatterns = [
    path("push/vapid-public-key/", views.VapidPublicKeyView.as_view(), name="push-vapid-key"),
    path("push/subscriptions/", views.SubscriptionsView.as_view(), name="push-subscriptions"),
    path(
        "push/subscriptions/unsubscribe/",
        views.UnsubscribeView.as_view(),
        name="push-unsubscribe",
    ),
    path("push/test/", views.TestPushView.as_view(), name="push-test"),
]

family_router = Router()
family_router.register("deliveries", views.DeliveryViewSet, basename="delivery")
family_urlpatterns = [
    path(
        "reminder-settings/me/",
        views.MyReminderSettingsView.as_view(),
        name="reminder-settings-me",
    ),
    *family_router.urls,
]
