"""One form per checkout step; each validates on the server whatever the browser sent."""

from __future__ import annotations

import re

from django import forms

from .payments import CardRejected, CardToken, get_gateway

COUNTRIES = [
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("BE", "Belgium"),
    ("AT", "Austria"),
    ("IT", "Italy"),
    ("ES", "Spain"),
    ("GB", "United Kingdom"),
]


def clean_postal_code(raw: str) -> str:
    """Shared with the account's address book."""
    value = raw.strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9 \-]{1,9}", value):
        raise forms.ValidationError("Enter a valid postal code.")
    return value


class AddressForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    full_name = forms.CharField(label="Full name", max_length=150)
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    address_line1 = forms.CharField(label="Street and number", max_length=200)
    address_line2 = forms.CharField(
        label="Address line 2 (optional)", max_length=200, required=False
    )
    postal_code = forms.CharField(label="Postal code", max_length=20)
    city = forms.CharField(label="City", max_length=100)
    country = forms.ChoiceField(label="Country", choices=COUNTRIES)
    # Signed-in shoppers only (the view drops it for guests); not part of the stored answer.
    save_address = forms.BooleanField(label="Save this address in my account", required=False)

    def __init__(self, *args, signed_in: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not signed_in:
            del self.fields["save_address"]

    def clean_postal_code(self) -> str:
        return clean_postal_code(self.cleaned_data["postal_code"])

    def details(self) -> dict[str, str]:
        """What the checkout session stores: the address without the save choice."""
        return {k: v for k, v in self.cleaned_data.items() if k != "save_address"}


class ShippingForm(forms.Form):
    method = forms.ChoiceField(label="Shipping method", widget=forms.RadioSelect)

    def __init__(self, *args, methods: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [
            (key, f"{label} — {price}") for key, (label, price) in methods.items()
        ]


class CodeInput(forms.PasswordInput):
    """A text box that, like a password box, never writes the typed value back into the page (a
    refused form comes back with the CVC empty). Not type=password: the HTML standard allows
    autocomplete="cc-csc" on text inputs only, so browsers can fill it."""

    input_type = "text"


class PaymentForm(forms.Form):
    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        help_text="Test cards: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines.",
    )
    expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        label="CVC",
        max_length=4,
        widget=CodeInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    card: CardToken | None = None

    def clean_expiry(self) -> str:
        value = self.cleaned_data["expiry"].strip()
        match = re.fullmatch(r"(0[1-9]|1[0-2])/(\d{2})", value)
        if not match:
            raise forms.ValidationError("Enter the expiry date as MM/YY.")
        from django.utils import timezone

        now = timezone.now()
        month, year = int(match[1]), 2000 + int(match[2])
        if (year, month) < (now.year, now.month):
            raise forms.ValidationError("This card has expired.")
        return value

    def clean_cvc(self) -> str:
        value = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3,4}", value):
            raise forms.ValidationError("Enter the 3 or 4 digits on the back of the card.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                self.card = get_gateway().tokenize(data["card_number"], data["expiry"], data["cvc"])
            except CardRejected as rejected:
                self.add_error("card_number", str(rejected))
        return data
