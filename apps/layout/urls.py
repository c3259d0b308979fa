from django.urls import path

from . import views

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
]
