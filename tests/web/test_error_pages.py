"""A page that does not exist, or that the person may not open, answers with our own page."""

from django.test import override_settings

from revdesk.testing import signed_in


@override_settings(DEBUG=False)
def test_not_found_is_our_page_with_the_navigation(client, world):
    signed_in(client, "collector")
    other = f"/customers/{world.customer_west.pk}/edit/"
    for url in ("/nope/", other):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "<h1>Not found</h1>" in page
        assert "There is no such page, or it is not one you may open." in page
        assert 'href="/customers/"' in page  # the collector's navigation is there
        assert "URLconf" not in page
