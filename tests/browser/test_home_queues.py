"""Each figure on a home page equals the list it links to, and that list puts the oldest
first: on the demo data, every queue tile of the director's, the supervisor's, the board's
and the candidate's home pages is followed to its list, the items there are counted (a
grouped row counts as the items it stands for) and the dates that age them
(``data-queue-since``) are read in the order shown."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.browser.test_valid_html import signed_in_client

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class QueueParser(HTMLParser):
    """The home page's tiles: (key, count, link)."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[dict] = []
        self._in_count = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-queue" in attrs:
            self.tiles.append({"key": attrs["data-queue"]})
        elif tag == "a" and "queue-tile" in (attrs.get("class") or "") and self.tiles:
            self.tiles[-1]["url"] = attrs["href"]
        elif "queue-count" in (attrs.get("class") or ""):
            self._in_count = True

    def handle_data(self, data):
        if self._in_count:
            self.tiles[-1]["count"] = int(data)
            self._in_count = False


class ListParser(HTMLParser):
    """The items marked data-queue-item inside the element named by the fragment
    (its id, or the section it labels), or in the whole page without a fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment
        self.depth = 0 if fragment else 1
        self.items = 0
        self.since: list[str] = []
        self.found = not fragment

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth and tag not in VOID:
            self.depth += 1
        elif self.fragment in (attrs.get("id"), attrs.get("aria-labelledby")):
            self.depth, self.found = 1, True
        if self.depth and "data-queue-item" in attrs:
            self.items += int(attrs.get("data-queue-count") or 1)
        if self.depth and "data-queue-since" in attrs:
            self.since.append(attrs["data-queue-since"])

    def handle_endtag(self, tag):
        if self.depth and self.fragment and tag not in VOID:
            self.depth -= 1


DIRECTOR_KEYS = {
    "sign-offs",
    "issuing",
    "documents",
    "continuing-education",
    "board",
    "expiring",
    "stalled",
}
SUPERVISOR_KEYS = {"sign-offs", "grading", "evaluations", "endorsements"}
CANDIDATE_KEYS = {"returned", "drafts", "revise", "quizzes", "requirements"}
BOARD_KEYS = {"your-vote", "at-board"}
# Lists that are not a queue in time: the requirements still to meet, and the candidate's
# quizzes and case presentations, shown in the curriculum's order with the open ones marked.
UNDATED = {"requirements", "quizzes", "revise"}


def tiles_of(client, path: str) -> list[dict]:
    parser = QueueParser()
    parser.feed(client.get(path).get_data(as_text=True))
    return parser.tiles


def items_behind(client, url: str) -> tuple[int, list[str]]:
    """How many items the list at ``url`` holds, and their dates in the order shown."""
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 200, url
    parser = ListParser(parts.fragment)
    parser.feed(response.get_data(as_text=True))
    assert parser.found, f"{url}: no element for #{parts.fragment}"
    return parser.items, parser.since


@pytest.mark.parametrize(
    ("who", "home", "keys", "something_waits"),
    [
        ("connie.zollner", "/director", DIRECTOR_KEYS, True),
        ("daniel.okafor", "/supervision", SUPERVISOR_KEYS, True),
        ("connie.zollner", "/supervision", SUPERVISOR_KEYS, True),
        ("connie.zollner", "/board", BOARD_KEYS, True),
        ("aubrey.holden", "/candidate", CANDIDATE_KEYS, True),
        ("sofia.alvarez", "/candidate", CANDIDATE_KEYS, False),  # every requirement met
    ],
)
def test_each_home_page_figure_equals_the_list_it_links_to(
    live_app, main_pages, who, home, keys, something_waits
):
    client = signed_in_client(live_app, who)
    tiles = tiles_of(client, home)
    assert {tile["key"] for tile in tiles} == keys
    behind = {tile["key"]: items_behind(client, tile["url"]) for tile in tiles}
    assert {tile["key"]: tile["count"] for tile in tiles} == {
        key: items for key, (items, _) in behind.items()
    }
    assert any(tile["count"] for tile in tiles) == something_waits
    for tile in tiles:
        items, since = behind[tile["key"]]
        if tile["key"] in UNDATED:
            continue
        assert len(since) >= min(items, 1), f"{tile['url']}: its items carry no date"
        assert since == sorted(since), f"{tile['url']} is not oldest first: {since}"
