from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator


class SignUpForm(UserCreationForm):
    first_name = forms.CharField(max_length=150, required=True, label="Your name")
    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail already exists.")
        return email


class LoginForm(AuthenticationForm):
    """Django's login form, refusing an over-long username before anyone looks it up.

    AuthenticationForm sets the field's max_length after the field was built, so its validator
    is missing and any length reached authenticate() (and django-axes' varchar(255) column).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
