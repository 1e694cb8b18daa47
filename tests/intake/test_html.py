"""HTML bodies to readable text."""

from __future__ import annotations

import pytest

from amends.intake.html import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div>One</div><div>Two</div>", "One\nTwo"),
        ("One<br>Two<br/>Three", "One\nTwo\nThree"),
        ("<div>One</div><div><br></div><div>Two</div>", "One\n\nTwo"),
        ("<div>One</div><div>&nbsp;</div><div>Two</div>", "One\n\nTwo"),
        ("<p>a   b\n\tc</p>", "a b c"),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("x&amp;y &lt;z&gt; &#8364;5 &euro; &times; &quot;q&quot;", 'x&y <z> €5 € × "q"'),
        ("caf&eacute; &#x0E01;", "café ก"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d"),
        ("<pre>  keep\n    indent</pre>", "  keep\n    indent"),
        ("<h1>Title</h1>text", "Title\n\ntext"),
    ],
)
def test_conversion(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_script_style_head_and_hidden_content_are_dropped() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style>"
        "<script>alert('x')</script></head><body>"
        "<script type='text/javascript'>var a = '<p>not text</p>';</script>"
        "<div style='display:none'>preheader <div>nested</div> still hidden</div>"
        "<span hidden>also hidden</span><noscript>enable js</noscript>"
        "<p>Visible</p></body></html>"
    )
    assert html_to_text(html) == "Visible"


def test_unclosed_head_ends_at_body() -> None:
    assert html_to_text("<html><head><meta charset=utf-8><body><p>Text</p>") == "Text"


def test_blockquote_becomes_quoted_lines() -> None:
    html = (
        "<div>Answer</div><div>On Mon, 3 Mar 2025 at 10:15, S &lt;s@x.com&gt; wrote:<br></div>"
        "<blockquote>Question<br>second<blockquote>older</blockquote></blockquote>"
    )
    assert html_to_text(html) == (
        "Answer\nOn Mon, 3 Mar 2025 at 10:15, S <s@x.com> wrote:\n\n"
        "> Question\n> second\n>\n>> older"
    )


def test_thai_and_greek_survive() -> None:
    html = "<p>สวัสดีค่ะ&nbsp;ขอบคุณ</p><p>Καλημέρα&nbsp;σας</p>"
    assert html_to_text(html) == "สวัสดีค่ะ ขอบคุณ\n\nΚαλημέρα σας"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<<>>",
        "<p",
        "</p></div></blockquote>",
        "<script>never closed",
        "&#xD800;&#0;",
        "<!--",
    ],
)
def test_broken_html_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)
