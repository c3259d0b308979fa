"""`{% route %}`: argument-less URLs reversed once per URL configuration and script prefix."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

TEMPLATE = Template("{% load routes %}{% route 'cart:add' %} {% route 'accounts:login' %}")


def test_route_equals_reverse_and_follows_the_script_prefix():
    assert TEMPLATE.render(Context()) == f"{reverse('cart:add')} {reverse('accounts:login')}"
    try:
        set_script_prefix("/shop/")
        assert TEMPLATE.render(Context()) == "/shop/cart/add/ /shop/accounts/login/"
    finally:
        clear_script_prefix()
    assert TEMPLATE.render(Context()) == "/cart/add/ /accounts/login/"
