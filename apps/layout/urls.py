from django.urls import path

from . import views, views_marketers

app_name = "layout"

urlpatterns = [
    path("<slug:page>/mode/", views.set_mode, name="mode"),
    path("<slug:page>/add/", views.add_block, name="add"),
    path("<slug:page>/block/<str:key>/edit/", views.edit_block, name="edit"),
    path("<slug:page>/block/<str:key>/move/", views.move_block, name="move"),
    path("<slug:page>/block/<str:key>/toggle/", views.toggle_block, name="toggle"),
    path("<slug:page>/block/<str:key>/delete/", views.delete_block, name="delete"),
    path("<slug:page>/publish/", views.publish, name="publish"),
    path("<slug:page>/rebase/", views.rebase, name="rebase"),
    path("<slug:page>/discard/", views.discard, name="discard"),
    path("<slug:page>/revisions/", views.revisions, name="revisions"),
    path("<slug:page>/revisions/<int:pk>/restore/", views.restore, name="restore"),
    path("<slug:page>/revisions/<int:pk>/", views_marketers.revision, name="revision"),
    path("<slug:page>/device/", views_marketers.set_device, name="device"),
    path("<slug:page>/links/", views_marketers.links, name="links"),
    path("<slug:page>/links/<int:pk>/revoke/", views_marketers.revoke_link, name="revoke-link"),
    path("<slug:page>/links/<int:pk>/refresh/", views_marketers.refresh_link, name="refresh-link"),
    path("<slug:page>/schedules/", views_marketers.schedules, name="schedules"),
    path(
        "<slug:page>/schedules/<int:pk>/move/",
        views_marketers.move_schedule,
        name="move-schedule",
    ),
    path(
        "<slug:page>/schedules/<int:pk>/cancel/",
        views_marketers.cancel_schedule,
        name="cancel-schedule",
    ),
    path("preview/<str:token>/", views_marketers.preview, name="preview"),
]
