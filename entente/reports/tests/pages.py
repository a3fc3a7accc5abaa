"""Reading rendered pages in view tests: the text of an element, the rows of a table."""

from html.parser import HTMLParser

VOID = {"input", "meta", "link", "br", "img", "hr", "source", "area", "col", "wbr"}


def _clean(text: str) -> str:
    return " ".join(text.split())


class _Tree(HTMLParser):
    """A minimal element tree: each node is [tag, attrs, children]; text is a str child."""

    def __init__(self, html: str):
        super().__init__()
        self.root: list = ["#root", {}, []]
        self._stack = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = [tag, dict(attrs), []]
        self._stack[-1][2].append(node)
        if tag not in VOID:
            self._stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self._stack[-1][2].append([tag, dict(attrs), []])

    def handle_endtag(self, tag):
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data):
        self._stack[-1][2].append(data)


BLOCK = {"br", "p", "div", "li", "dt", "dd", "td", "th", "tr", "h1", "h2", "h3", "section"}


def _text(node) -> str:
    if isinstance(node, str):
        return node
    inner = "".join(_text(child) for child in node[2])
    # Block boundaries separate words, as they do on screen.
    return f" {inner} " if node[0] in BLOCK else inner


def _walk(node):
    if isinstance(node, str):
        return
    yield node
    for child in node[2]:
        yield from _walk(child)


def _by_id(html: str, element_id: str):
    for node in _walk(_Tree(html).root):
        if node[1].get("id") == element_id:
            return node
    raise AssertionError(f"no element with id {element_id!r}")


def has_id(html: str, element_id: str) -> bool:
    return any(node[1].get("id") == element_id for node in _walk(_Tree(html).root))


def text(html: str, element_id: str) -> str:
    return _clean(_text(_by_id(html, element_id)))


def rows(html: str, table_id: str) -> list[list[str]]:
    """The cells' text of every body row of the table with `table_id`."""
    table = _by_id(html, table_id)
    body_rows = [
        node
        for body in _walk(table)
        if body[0] == "tbody"
        for node in body[2]
        if not isinstance(node, str) and node[0] == "tr"
    ]
    return [
        [
            _clean(_text(cell))
            for cell in row[2]
            if not isinstance(cell, str) and cell[0] in ("td", "th")
        ]
        for row in body_rows
    ]


def items(html: str, list_id: str) -> list[str]:
    """The text of each item of the list with `list_id`."""
    node = _by_id(html, list_id)
    return [_clean(_text(li)) for li in node[2] if not isinstance(li, str) and li[0] == "li"]


def links(html: str, element_id: str) -> list[tuple[str, str]]:
    """(href, text) of the links inside an element."""
    return [
        (node[1].get("href"), _clean(_text(node)))
        for node in _walk(_by_id(html, element_id))
        if node[0] == "a"
    ]


def page_links(html: str) -> dict[str, str]:
    """The links of a list's pagination by their label ("Next page"), each a query
    string (`?sort=title&page=...`) to add to the list's URL."""
    navs = [n for n in _walk(_Tree(html).root) if "pagination" in n[1].get("class", "").split()]
    return {
        _clean(_text(node)).strip("«‹›» "): node[1]["href"]
        for nav in navs
        for node in _walk(nav)
        if node[0] == "a"
    }
