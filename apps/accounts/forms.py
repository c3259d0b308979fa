from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.validators import MaxLengthValidator

from apps.checkout.forms import COUNTRIES, clean_postal_code

from . import emails
from .models import Address


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


class AddressBookForm(forms.ModelForm):
    """A saved address: the checkout address step's rules (postal code, known countries)."""

    class Meta:
        model = Address
        fields = Address.FIELDS
        labels = {
            "full_name": "Full name",
            "phone": "Phone (optional)",
            "address_line1": "Street and number",
            "address_line2": "Address line 2 (optional)",
            "postal_code": "Postal code",
            "city": "City",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(label="Country", choices=COUNTRIES)
        self.order_fields(self.Meta.fields)

    def clean_postal_code(self) -> str:
        return clean_postal_code(self.cleaned_data["postal_code"])


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the task worker with links on settings.SITE_URL."""

    email = forms.EmailField(
        label="E-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        context = {**context, "site_url": settings.SITE_URL, "shop_name": settings.SHOP_NAME}
        emails.enqueue(subject_template_name, email_template_name, context, to_email)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New e-mail", max_length=254)
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if email == (self.user.email or "").lower():
            raise forms.ValidationError("This is already your e-mail address.")
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError("An account with this e-mail already exists.")
        return email


class DetailsForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ("first_name", "last_name")
        labels = {"first_name": "First name", "last_name": "Last name (optional)"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account, addresses and wishlist are deleted for good."
    )

    def __init__(self, user, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
