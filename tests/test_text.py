"""Markdown rendering: what survives, what the sanitiser removes, and images from elsewhere turned into links."""
from bs4 import BeautifulSoup

from learncircle.text import is_same_site, render_markdown, rewrite_links

REL = "nofollow noopener ugc"
TRACKER = "https://tracker.example/p.png"


def parsed(source):
    return BeautifulSoup(render_markdown(source), "html.parser")


def test_tables_strikethrough_and_fenced_code():
    page = parsed("| tool | use |\n|------|-----|\n| cargo | build |\n\n~~old~~ new\n\n```rust\nfn main() {}\n```")
    assert [c.get_text() for c in page.select("table thead th")] == ["tool", "use"]
    assert [c.get_text() for c in page.select("table tbody td")] == ["cargo", "build"]
    assert page.find(["del", "s"]).get_text() == "old"
    assert page.select_one("pre code").get_text() == "fn main() {}\n"


def test_links_and_autolinks_carry_rel():
    page = parsed("See https://example.org/docs and [the book](https://doc.rust-lang.org/book/).")
    links = page.find_all("a")
    assert [a["href"] for a in links] == ["https://example.org/docs", "https://doc.rust-lang.org/book/"]
    assert all(a["rel"] == REL.split() for a in links)


def test_dangerous_markup_is_removed():
    page = parsed("[click](javascript:alert(1)) <script>alert(2)</script> <b onclick=x>bold</b>")
    assert not page.find("a", href=True) and not page.find("script") and not page.find("b")
    assert "javascript:" not in str(page.find_all("a"))
    # Raw HTML is shown as text, never run.
    assert "<script>" in page.get_text()


def test_remote_images_become_links():
    page = parsed(f"Look: ![A *chart*]({TRACKER} \"Weekly\") and ![](//cdn.example/x.png)")
    assert page.find("img") is None
    chart, bare = page.find_all("a")
    assert chart["href"] == TRACKER and chart.get_text() == "image: A chart" and chart["rel"] == REL.split()
    assert chart["title"] == "Weekly"
    # Without alt text the address itself is the label, so the reader sees where it leads.
    assert bare["href"] == "//cdn.example/x.png" and bare.get_text() == "image: //cdn.example/x.png"


def test_a_remote_image_inside_a_link_leaves_one_link():
    page = parsed(f"[![badge]({TRACKER})](https://example.org)")
    links = page.find_all("a")
    assert page.find("img") is None
    assert [(a["href"], a.get_text()) for a in links] == [("https://example.org", "image: badge")]


def test_alt_text_and_address_are_escaped():
    page = parsed('![<b>"hi"</b>](https://a.example/"onerror=x)')
    link = page.find("a")
    # The alt text stays text: no element comes out of it.
    assert page.find("b") is None and link.get_text() == 'image: <b>"hi"</b>'
    assert set(link.attrs) == {"href", "title", "rel"}


def test_local_images_stay_images():
    image = parsed('![Our logo](/static/logo.png "Logo")').find("img")
    shown = [image[name] for name in ("src", "alt", "title", "loading")]
    assert shown == ["/static/logo.png", "Our logo", "Logo", "lazy"]


def test_same_site_means_a_path_on_this_host():
    assert is_same_site("/static/a.png")
    assert not is_same_site("//evil.example/a.png") and not is_same_site("/\\evil.example/a.png")
    assert not is_same_site("https://example.org/a.png") and not is_same_site("a.png")
    assert not is_same_site("")


def test_empty_source_renders_nothing():
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_no_markdown_yields_a_picture_from_elsewhere():
    for source in (f"![x]({TRACKER})", "![x](data:image/png;base64,iVBORw0KGgo=)", "![x](HTTPS://t.example/p.png)",
                   "[![x](//t.example/p.png)](/static/a)", "![x](https:t.example/p.png)", "![x](\\\\t.example/p)"):
        page = parsed(source)
        assert [img.get("src") for img in page.find_all("img") if img.get("src")] == [], source


def test_rewriting_links_changes_only_their_addresses():
    stored = render_markdown(f"[a](https://example.org/?x=1&y=2) ![b]({TRACKER}) ![c](/static/c.png) **bold**")
    page = BeautifulSoup(rewrite_links(stored, lambda href: "/away?to=" + href), "html.parser")
    assert [a["href"] for a in page.find_all("a")] == ["/away?to=https://example.org/?x=1&y=2", f"/away?to={TRACKER}"]
    assert page.find("img")["src"] == "/static/c.png" and page.find("strong").get_text() == "bold"
    dropped = BeautifulSoup(rewrite_links(stored, lambda href: None), "html.parser")
    assert [a.get("href") for a in dropped.find_all("a")] == [None, None]
    assert [a.get_text() for a in dropped.find_all("a")] == ["a", "image: b"]
