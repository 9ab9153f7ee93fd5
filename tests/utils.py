import html


def text(response):
    """The page as a reader sees it: entities decoded, so apostrophes compare plainly."""
    return html.unescape(response.content.decode())


def plain(response):
    """The page's words only: tags removed, white space folded, as a screen reader reads."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())
