import html


def text(response):
    """The page as a reader sees it: entities decoded, so apostrophes compare plainly."""
    return html.unescape(response.content.decode())
