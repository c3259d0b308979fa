"""Orders in the admin: read-only records with a timeline, and the staff operations (ship,
mark delivered, cancel with restock, refund, internal notes) behind `checkout.manage_orders`,
which the "Order staff" group holds (see apps.checkout.permissions)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.catalog.models import Category, Product

from . import lifecycle
from .models import Coupon, Order, OrderEvent, OrderLine
from .staff_forms import CancelForm, DeliverForm, NoteForm, RefundForm, ShipForm, chosen_lines

MANAGE = "checkout.manage_orders"


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = [
        "sku",
        "name",
        "attributes",
        "unit_price",
        "quantity",
        "discount",
        "line_total",
        "quantity_shipped",
        "quantity_refunded",
    ]
    readonly_fields = fields


class OrderEventInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderEvent
    extra = 0
    verbose_name = "event"
    verbose_name_plural = "Timeline"
    fields = ["created_at", "kind", "actor", "user", "amount", "message", "details", "internal"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="details")
    def details(self, event: OrderEvent) -> str:
        data = event.data or {}
        parts = [f"{line['quantity']} × {line['name']}" for line in data.get("lines", {}).values()]
        if data.get("tracking_number"):
            parts.insert(0, f"{data.get('carrier_name')} {data['tracking_number']}")
        if data.get("shipping"):
            parts.append("shipping")
        if data.get("reference"):
            parts.append(f"ref {data['reference']}")
        return "; ".join(parts)


OPERATIONS = {
    "ship": ("Ship lines", ShipForm),
    "deliver": ("Mark delivered", DeliverForm),
    "refund": ("Refund", RefundForm),
    "cancel": ("Cancel and restock", CancelForm),
    "note": ("Add an internal note", NoteForm),
}


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "created_at",
        "status",
        "payment_state",
        "email",
        "total",
        "refunded_total",
    ]
    list_filter = ["status", "shipping_method"]
    search_fields = ["number", "email", "full_name"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderEventInline]
    list_select_related = False
    change_form_template = "admin/checkout/order/change_form.html"

    @admin.display(description="payment")
    def payment_state(self, order: Order) -> str:
        return order.payment_state

    def get_urls(self):
        return [
            path(
                "<int:order_id>/operation/<str:name>/",
                self.admin_site.admin_view(self.operation_view),
                name="checkout_order_operation",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "operations": OPERATIONS.items() if request.user.has_perm(MANAGE) else (),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def operation_view(self, request: HttpRequest, order_id: int, name: str) -> HttpResponse:
        """One staff operation: GET shows its form, POST runs the lifecycle service and
        returns to the order, or shows the form again with the refusal (400)."""
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied
        if name not in OPERATIONS:
            raise Http404("No such operation.")
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise Http404("No such order.")
        title, form_class = OPERATIONS[name]
        lines = list(order.lines.all())
        kwargs = {"lines": lines} if name in ("ship", "refund") else {}
        if name == "refund":
            kwargs["order"] = order
        form = form_class(request.POST or None, **kwargs)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    message = self._run(name, order, form, lines, request.user)
                except lifecycle.TransitionRefused as refused:
                    form.add_error(None, str(refused))
                else:
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:checkout_order_change", args=[order.pk])
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "title": f"{title}: order {order.number}",
            "form": form,
            "name": name,
        }
        return TemplateResponse(
            request, "admin/checkout/order/operation.html", context, status=status
        )

    @staticmethod
    def _run(name: str, order: Order, form, lines, user) -> str:
        data = form.cleaned_data
        if name == "ship":
            lifecycle.ship(
                order.pk,
                lines=chosen_lines(form, lines),
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                user=user,
            )
            return f"Order {order.number}: shipment recorded and the customer e-mailed."
        if name == "deliver":
            lifecycle.deliver(order.pk, user=user)
            return f"Order {order.number} marked delivered."
        if name == "refund":
            event = lifecycle.refund(
                order.pk,
                lines=chosen_lines(form, lines),
                shipping=data["shipping"],
                key=data["key"],
                user=user,
                reason=data["reason"],
            )
            return f"Order {order.number}: {event.amount} refunded."
        if name == "cancel":
            lifecycle.cancel(order.pk, user=user, reason=data["reason"])
            return f"Order {order.number} cancelled; its stock is back."
        lifecycle.add_note(order.pk, text=data["text"], user=user)
        return "Note added."


class IdsOnlyAutocomplete(AutocompleteSelectMultiple):
    """Django's autocomplete re-renders a refused form by looking up the submitted values as
    they are: "abc" or a NUL byte there is a 500 instead of the form error. Only ids are looked
    up (the field itself still says what was wrong)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(
            name, [v for v in value if str(v).isascii() and str(v).isdigit()], attr
        )


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "value",
        "min_subtotal",
        "valid_until",
        "times_used",
        "usage_limit",
        "is_active",
        "scope",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["times_used"]
    # Autocomplete, not filter_horizontal: a shop has thousands of products.
    autocomplete_fields = ["products", "categories"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = IdsOnlyAutocomplete(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        # The scope column: two prefetch queries for the page, not two per coupon.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("products", queryset=Product.objects.only("pk", "name")),
                Prefetch("categories", queryset=Category.objects.only("pk", "name", "path")),
            )
        )

    @admin.display(description="scope")
    def scope(self, coupon: Coupon) -> str:
        names = sorted(c.name for c in coupon.categories.all())
        names += sorted(p.name for p in coupon.products.all())
        if not names:
            return "Whole cart"
        return ", ".join(names[:4]) + (f" (+{len(names) - 4})" if len(names) > 4 else "")
