from django.urls import path

from .badges import views as badge_views
from .invitations import views as invitation_views
from .registration import views

app_name = "delegates"

urlpatterns = [
    path("forums/<slug:forum_slug>/register/", views.register, name="register"),
    path("invitations/<str:token>/", invitation_views.invitation_register, name="invitation"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("my/registrations/", views.my_registrations, name="my-registrations"),
    path("my/registrations/<str:public_id>/", views.registration_detail, name="registration"),
    path("my/registrations/<str:public_id>/edit/", views.registration_edit, name="registration-edit"),
    path("my/registrations/<str:public_id>/cancel/", views.registration_cancel, name="registration-cancel"),
    path("my/registrations/<str:public_id>/programme.ics", views.registration_ics, name="registration-ics"),
    path("my/registrations/<str:public_id>/badge.pdf", badge_views.badge_download, name="badge-download"),
]
