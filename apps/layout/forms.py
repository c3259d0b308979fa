"""Forms of the marketer tools: a preview link's lifetime and a publish time."""

from __future__ import annotations

from django import forms
from django.conf import settings

from .sharing import DURATIONS


class PreviewLinkForm(forms.Form):
    hours = forms.TypedChoiceField(
        choices=DURATIONS,
        coerce=int,
        initial=24,
        label="Valid for",
        error_messages={"invalid_choice": "A preview link lasts from 1 hour to 7 days."},
    )


class ScheduleForm(forms.Form):
    run_at = forms.DateTimeField(
        label=f"Publish at ({settings.TIME_ZONE})",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter a date and time, like 2026-12-07 08:00."},
    )
