from django.urls import path

from . import views, views_account, views_password

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    # the account area
    path("", views_account.account, name="account"),
    path("orders/", views_account.orders, name="orders"),
    path("addresses/", views_account.addresses, name="addresses"),
    path("addresses/new/", views_account.address_edit, name="address_new"),
    path("addresses/<int:pk>/", views_account.address_edit, name="address_edit"),
    path("addresses/<int:pk>/delete/", views_account.address_delete, name="address_delete"),
    path("addresses/<int:pk>/default/", views_account.address_default, name="address_default"),
    path("delete/", views_account.delete_account, name="delete"),
    # passwords and e-mail
    path("password/", views_password.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views_password.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views_password.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views_password.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("email/", views_password.email_change, name="email_change"),
    path("email/confirm/<str:token>/", views_password.email_confirm, name="email_confirm"),
]
