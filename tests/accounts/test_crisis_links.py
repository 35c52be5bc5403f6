"""A practice's own crisis lines become one tap on a phone, and stay escaped (issue 23)."""

from accounts.crisis import linked_line, tel_href


def test_tel_href_keeps_digits_and_a_leading_plus():
    assert tel_href("116 123") == "tel:116123"
    assert tel_href("9-8-8") == "tel:988"
    assert tel_href("+44 (0)20 7946 0000") == "tel:+442079460000"
    assert tel_href("0800 (123) 456") == "tel:0800123456"


def test_a_practice_line_links_its_numbers_and_addresses_and_escapes_the_rest():
    html = str(linked_line("Duty <b>phone</b>: 0161 496 0000 until 17:30, or https://example.org"))
    assert '<a class="tel-link" href="tel:01614960000">0161 496 0000</a>' in html
    assert '<a href="https://example.org"' in html
    assert "&lt;b&gt;phone&lt;/b&gt;" in html
    assert "17:30" in html and "tel:1730" not in html  # a time is not a number to call
