"""URL map. The CMS pages' catch-all is registered last so it never shadows a real route."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.layout import views as layout_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.catalog.urls")),
    path("cart/", include("apps.cart.urls")),
    path("checkout/", include("apps.checkout.urls")),
    path("wishlist/", include("apps.wishlist.urls")),
    path("layout/", include("apps.layout.urls")),
    path("", layout_views.home, name="home"),
    path("", include("apps.core.urls")),
    path("", include("apps.core.seo_urls")),  # sitemap.xml, robots.txt: before the catch-all
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Must stay last: serves published CMS pages at any remaining path.
urlpatterns += [path("", include("apps.pages.urls"))]
