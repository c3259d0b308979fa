"""Forms of the staff operations on an order (admin): one quantity field per order line."""

from __future__ import annotations

import uuid

from django import forms

from .models import Order, OrderLine
from .shipping import CARRIERS


def _line_fields(form: forms.Form, lines: list[OrderLine], left, initial_all: bool) -> None:
    for line in lines:
        remaining = left(line)
        form.fields[f"line_{line.pk}"] = forms.IntegerField(
            label=f"{line.name} ({line.sku}): {remaining} of {line.quantity}",
            min_value=0,
            max_value=remaining,
            initial=remaining if initial_all else 0,
            required=False,
            disabled=remaining == 0,
        )


def chosen_lines(form: forms.Form, lines: list[OrderLine]) -> dict[int, int]:
    return {
        line.pk: form.cleaned_data.get(f"line_{line.pk}") or 0
        for line in lines
        if form.cleaned_data.get(f"line_{line.pk}")
    }


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(choices=[(k, name) for k, (name, _) in CARRIERS.items()])
    tracking_number = forms.CharField(max_length=60)

    def __init__(self, *args, lines: list[OrderLine], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _line_fields(
            self,
            lines,
            lambda line: line.quantity - line.quantity_shipped - line.quantity_refunded,
            initial_all=True,
        )


class RefundForm(forms.Form):
    shipping = forms.BooleanField(label="Refund the shipping", required=False)
    reason = forms.CharField(max_length=200, required=False)
    # Fixed when the form is shown: a double click or a resubmit refunds once.
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, lines: list[OrderLine], order: Order, **kwargs) -> None:
        kwargs.setdefault("initial", {})["key"] = f"refund-{uuid.uuid4()}"
        super().__init__(*args, **kwargs)
        _line_fields(self, lines, lambda line: line.quantity - line.quantity_refunded, False)
        if order.shipping_refunded or not order.shipping_total:
            self.fields["shipping"].disabled = True


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class DeliverForm(forms.Form):
    pass
