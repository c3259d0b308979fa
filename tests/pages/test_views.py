from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.pages.models import DynamicPage
from apps.pages.routing import reserved_segments
from tests.factories import StaffFactory, UserFactory

from .factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    """Staff who may view pages in the admin (and so preview them)."""
    staff = StaffFactory()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="pages"))
    return staff


def test_published_page_is_served_at_its_url(client):
    PageFactory(slug="about", title="About us", body="<p>We <strong>sell</strong> things</p>")
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>About us</h1>" in html
    assert "We <strong>sell</strong> things" in html
    assert 'data-testid="preview-banner"' not in html


def test_nested_paths(client):
    PageFactory(slug="help", title="Help")
    PageFactory(slug="help/shipping", title="Shipping")
    PageFactory(slug="help/returns/eu", title="EU returns")
    assert "<h1>Shipping</h1>" in client.get("/help/shipping/").content.decode()
    assert "<h1>EU returns</h1>" in client.get("/help/returns/eu/").content.decode()
    assert client.get("/help/returns/").status_code == 404


def test_missing_slash_redirects_to_the_page(client):
    PageFactory(slug="help/shipping")
    response = client.get("/help/shipping")
    assert response.status_code == 301
    assert response["Location"] == "/help/shipping/"


@pytest.mark.parametrize("who", ["anonymous", "shopper", "staff_without_page_rights"])
def test_unpublished_page_is_404_for_everyone_but_editors(client, who):
    PageFactory(slug="draft", title="Secret draft", is_published=False)
    if who == "shopper":
        client.force_login(UserFactory())
    elif who == "staff_without_page_rights":
        client.force_login(StaffFactory())
    response = client.get("/draft/")
    assert response.status_code == 404
    assert "Secret draft" not in response.content.decode()


def test_scheduled_page_is_404_until_its_publish_date(client):
    PageFactory(slug="soon", published_at=timezone.now() + timedelta(days=1))
    assert client.get("/soon/").status_code == 404


def test_staff_preview_of_unpublished_page(client, editor):
    PageFactory(slug="draft", title="Secret draft", is_published=False)
    client.force_login(editor)
    response = client.get("/draft/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret draft" in html
    assert 'data-testid="preview-banner"' in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_published_page_for_staff_has_no_preview_banner(client, editor):
    PageFactory(slug="live")
    client.force_login(editor)
    response = client.get("/live/")
    assert 'data-testid="preview-banner"' not in response.content.decode()
    assert "X-Robots-Tag" not in response


def test_head_has_title_description_canonical_and_open_graph(client):
    PageFactory(
        slug="about",
        title="About",
        seo_title="About Hypershop",
        meta_description='Who we are & why "hyper"',
    )
    html = client.get("/about/?utm_source=x").content.decode()
    head = html.split("</head>", 1)[0]
    assert "<title>About Hypershop · Hypershop</title>" in head
    assert '<meta name="description" content="Who we are &amp; why &quot;hyper&quot;">' in head
    assert '<link rel="canonical" href="http://testserver/about/">' in head
    assert '<meta property="og:title" content="About Hypershop">' in head
    assert '<meta property="og:url" content="http://testserver/about/">' in head
    assert "noindex" not in head


def test_custom_canonical_and_noindex(client):
    PageFactory(slug="copy", canonical_url="https://example.com/original/", noindex=True)
    head = client.get("/copy/").content.decode().split("</head>", 1)[0]
    assert '<link rel="canonical" href="https://example.com/original/">' in head
    assert '<meta name="robots" content="noindex, follow">' in head


def test_every_page_type_gets_a_canonical_link(client):
    head = client.get("/").content.decode().split("</head>", 1)[0]
    assert '<link rel="canonical" href="http://testserver/">' in head
    assert '<meta property="og:site_name" content="Hypershop">' in head


@pytest.mark.parametrize(
    "path",
    ["/nope/", "/a/b/c/d/e/f/g/", "/%00/", "/..%2f..%2fetc/", "/" + "x" * 5000 + "/", "/ü/"],
)
def test_unknown_or_hostile_paths_404_without_error(client, path):
    assert client.get(path).status_code == 404


def test_post_is_refused(client):
    PageFactory(slug="about")
    assert client.post("/about/").status_code == 405


def test_real_routes_win_over_the_catch_all(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200


def test_reserved_segments_come_from_the_url_resolver():
    reserved = reserved_segments()
    for segment in ["admin", "accounts", "catalog", "products", "cart", "checkout", "wishlist",
                    "healthz", "static", "media"]:  # fmt: skip
        assert segment in reserved
    assert "about" not in reserved


@pytest.mark.parametrize("slug", ["admin", "cart/terms", "products/x", "Accounts", "static/a"])
def test_reserved_slugs_are_refused(slug):
    page = DynamicPage(slug=slug, title="Clash")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "used by the shop itself" in str(error.value.message_dict["slug"])


@pytest.mark.parametrize("slug", ["Bad Slug", "a//b", "-a", "a_b", "a/b/c/d/e/f", "../x", ""])
def test_malformed_slugs_are_refused(slug):
    with pytest.raises(ValidationError):
        DynamicPage(slug=slug, title="x").full_clean()


def test_slug_is_normalised():
    page = DynamicPage(slug="/Help/Shipping/", title="Shipping")
    page.full_clean()
    page.save()
    assert page.slug == "help/shipping"


def test_admin_form_refuses_reserved_slug_with_a_message(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/pages/dynamicpage/add/",
        {
            "title": "Checkout",
            "slug": "checkout/help",
            "body": "<p>x</p>",
            "published_at_0": "",
            "published_at_1": "",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "used by the shop itself" in response.content.decode()
    assert not DynamicPage.objects.exists()


def test_admin_add_page_renders_prose_editor(client, editor):
    client.force_login(editor)
    html = client.get("/admin/pages/dynamicpage/add/").content.decode()
    assert "data-django-prose-editor-configurable" in html
    assert 'type="importmap" nonce=' in html


@pytest.mark.parametrize("depth", [2, 5])
def test_page_query_count_does_not_grow_with_depth(client, django_assert_num_queries, depth):
    parts = [f"level{i}" for i in range(depth)]
    for i in range(depth):
        PageFactory(slug="/".join(parts[: i + 1]), title=f"Level {i}")
    PageFactory.create_batch(20 * depth)
    # anonymous, no session, cold cache: one query for the page, one for all its parents
    # (breadcrumb), one for its layout blocks (none here; cached afterwards)
    with django_assert_num_queries(3):
        response = client.get("/" + "/".join(parts) + "/")
    assert response.status_code == 200
    assert response.content.decode().count('"@type": "ListItem"') == depth + 1


def test_uppercase_address_is_not_a_duplicate_of_the_page(client):
    PageFactory(slug="about")
    assert client.get("/About/").status_code == 404


def test_paths_no_page_can_have_are_not_redirected_to_a_slash(client):
    assert client.get("/apple-touch-icon.png").status_code == 404


def test_admin_publish_without_a_date_publishes_now(client, editor):
    page = PageFactory(slug="soon", is_published=False)
    client.force_login(editor)
    response = client.post(
        f"/admin/pages/dynamicpage/{page.pk}/change/",
        {
            "title": page.title,
            "slug": "soon",
            "body": page.body,
            "is_published": "on",
            "published_at_0": "",
            "published_at_1": "",
        },  # fmt: skip
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.is_live
    client.logout()
    assert client.get("/soon/").status_code == 200


def test_nested_page_shows_a_breadcrumb_of_visible_parents(client):
    PageFactory(slug="help", title="Help centre")
    PageFactory(slug="help/returns", title="Returns", is_published=False)
    PageFactory(slug="help/returns/eu", title="EU returns")
    html = client.get("/help/returns/eu/").content.decode()
    nav = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/help/">Help centre</a>' in nav
    assert "Returns</a>" not in nav  # an unpublished parent is not revealed
    assert '<span aria-current="page">EU returns</span>' in nav


def test_open_graph_image_is_an_absolute_url(client):
    from django.core.files.base import ContentFile

    from tests.factories import ProductImageFactory

    source = ProductImageFactory.build().image  # a real PNG from factory_boy
    page = PageFactory(slug="promo")
    page.og_image.save("promo.png", ContentFile(source.read()))
    head = client.get("/promo/").content.decode().split("</head>", 1)[0]
    assert f'<meta property="og:image" content="http://testserver{page.og_image.url}">' in head
    assert '<meta name="twitter:card" content="summary_large_image">' in head
