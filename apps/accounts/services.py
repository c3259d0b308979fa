from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .forms import SignUpForm


@transaction.atomic
def sign_up(form: SignUpForm) -> AbstractBaseUser:
    """Create the account from a validated form."""
    user = form.save(commit=False)
    user.email = form.cleaned_data["email"]
    user.save()
    return user


