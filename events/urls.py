from django.urls import path

from . import feeds, views

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("forums/<slug:forum_slug>/", views.forum_detail, name="forum"),
    path("forums/<slug:forum_slug>/programme/", views.programme, name="programme"),
    path("forums/<slug:forum_slug>/programme.ics", feeds.programme_ics, name="programme-ics"),
    path("forums/<slug:forum_slug>/programme.json", feeds.programme_json, name="programme-json"),
    path("forums/<slug:forum_slug>/sessions/<slug:session_slug>/", views.session_detail, name="session"),
    path("forums/<slug:forum_slug>/sessions/<slug:session_slug>.ics", feeds.session_ics, name="session-ics"),
    path("forums/<slug:forum_slug>/speakers/", views.speaker_list, name="speakers"),
    path("forums/<slug:forum_slug>/speakers/<slug:speaker_slug>/", views.speaker_detail, name="speaker"),
]
