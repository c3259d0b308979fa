"""Shipping methods and carriers: prices, labels and tracking links."""

from __future__ import annotations

from urllib.parse import quote

CARRIERS: dict[str, tuple[str, str]] = {
    "dhl": ("DHL", "https://www.dhl.com/en/express/tracking.html?AWB={}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={}"),
    "dpd": ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{}"),
    "postnl": ("PostNL", "https://jouw.postnl.nl/track-and-trace/{}"),
}


def carrier_name(code: str) -> str:
    return CARRIERS.get(code, (code, ""))[0]


def tracking_url(carrier: str, number: str) -> str:
    if carrier not in CARRIERS or not number:
        return ""
    return CARRIERS[carrier][1].format(quote(number, safe=""))
