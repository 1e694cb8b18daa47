"""HTML mail bodies to clean text, with the standard library's tolerant HTML parser.

The output is what a person would read: no tags, no script or style, entities
decoded, block elements on their own lines, and ``<blockquote>`` content prefixed
with ``>`` so the quote splitter treats an HTML reply exactly like a plain one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never shown to the reader of a mail.
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "object"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Blocks that start on a new line; paragraphs also keep a blank line around them.
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "section",
        "tr",
        "caption",
    }
)
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre"}
)
_CELL = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_QUOTE_MARKS = 8
_SPACES = re.compile(r"[ \t\n\r\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # Finished lines as (quote depth, text); the current line is built in _line.
        self.lines: list[tuple[int, str]] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._quote_depth = 0
        self._pre_depth = 0
        self._skip_tag: str | None = None
        self._skip_nesting = 0
        self._space_pending = False
        self._blank_pending = False
        # A block holding only &nbsp; is how mail editors write an empty line.
        self._nbsp_only = False

    # Line building ------------------------------------------------------------------
    def _end_line(self, *, force: bool = False) -> None:
        if not self._line and self._nbsp_only:
            force = True
        self._nbsp_only = False
        if self._line:
            text = "".join(self._line)
            # Preformatted text keeps its indentation; flowing text loses stray spaces.
            text = text.rstrip() if self._pre_depth else text.strip()
            self.lines.append((self._line_depth, text))
        elif force:
            self.lines.append((self._quote_depth, ""))
        self._line = []
        self._space_pending = False

    def _paragraph_break(self) -> None:
        self._end_line()
        self._blank_pending = True

    def _write(self, text: str) -> None:
        if not text:
            return
        if not self._line:
            if self._blank_pending and self.lines and self.lines[-1][1]:
                self.lines.append((min(self._quote_depth, self.lines[-1][0]), ""))
            self._blank_pending = False
            self._line_depth = self._quote_depth
        elif self._space_pending:
            self._line.append(" ")
        self._space_pending = False
        self._line.append(text)

    # Parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_nesting += 1
            elif tag == "body" and self._skip_tag == "head":
                # Browsers close an unclosed <head> when <body> starts; so do we.
                self._skip_tag = None
            if self._skip_tag is not None:
                return
        style = next((value for name, value in attrs if name == "style" and value), "")
        hidden = any(name == "hidden" for name, _ in attrs) or _HIDDEN_STYLE.search(style)
        if tag in _SKIP or (hidden and tag not in _VOID):
            self._skip_tag, self._skip_nesting = tag, 1
            return
        self._open(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is None and tag not in _SKIP:
            self._open(tag)
            if tag not in _VOID:
                self._close(tag)

    def _open(self, tag: str) -> None:
        if tag == "br":
            self._end_line(force=True)
        elif tag == "blockquote":
            self._paragraph_break()
            self._quote_depth += 1
        elif tag == "pre":
            self._paragraph_break()
            self._pre_depth += 1
        elif tag in _PARAGRAPH:
            self._paragraph_break()
        elif tag in _BLOCK:
            self._end_line()
            if tag == "li":
                self._write("-")
                self._space_pending = True
        elif tag in _CELL and self._line:
            self._space_pending = True

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_nesting -= 1
                if self._skip_nesting == 0:
                    self._skip_tag = None
            return
        self._close(tag)

    def _close(self, tag: str) -> None:
        if tag == "blockquote":
            self._paragraph_break()
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "pre":
            self._paragraph_break()
            self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _PARAGRAPH:
            self._paragraph_break()
        elif tag in _BLOCK:
            self._end_line()
        elif tag in _CELL:
            self._space_pending = bool(self._line)

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._pre_depth:
            first, *rest = data.replace("\r\n", "\n").split("\n")
            self._write(first)
            for line in rest:
                self._end_line(force=True)
                self._write(line)
            return
        if data[:1].isspace() and self._line:
            self._space_pending = True
        words = _SPACES.sub(" ", data).strip()
        if not words and not self._line and "\u00a0" in data:
            self._nbsp_only = True
        self._write(words)
        if words and data[-1:].isspace():
            self._space_pending = True

    def text(self) -> str:
        self._end_line()
        out: list[str] = []
        for depth, line in self.lines:
            if depth:
                # Capped: ten thousand nested blockquotes would repeat ">" on every line.
                out.append(">" * min(depth, _MAX_QUOTE_MARKS) + (" " + line if line else ""))
            else:
                out.append(line)
        joined = "\n".join(out)
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()
