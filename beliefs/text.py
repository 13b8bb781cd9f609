r"""Untrusted text shown as text: one rule for each kind of output, used by every output.

Labels, notes, citations, locations, names, file names and link parameters come from files and links
anyone can write.  Four functions show them, and nothing else does:

* :func:`terminal_safe`: for a terminal (every line the command line prints, documents written to
  standard output).  Characters that drive a terminal (C0 and C1 controls: ESC, BEL, CSI U+009B),
  reorder what is shown (bidirectional controls U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069), break
  lines the reader does not see as breaks (U+2028, U+2029) or cannot be encoded (lone surrogates) are
  shown as their escapes (``\x1b``, ``\u202e``); the output's own line breaks are kept.
* :func:`one_line`: one piece of untrusted text on one line: :func:`terminal_safe`, and its line
  breaks shown escaped too (``\n``), so a label cannot forge a line of output.
* :func:`md_escape`: :func:`one_line`, then Markdown that renders as exactly that text, in
  GitHub-flavoured Markdown and in Streamlit's (which adds emoji shortcodes ``:x:``, directives
  ``:red[...]`` and ``$math$``): every ASCII punctuation character that can start markup gets a
  backslash (CommonMark allows one before any), entities (``&#8238;``) stay text, and a web address
  made of plain URL characters stays a link to exactly that address (exports); any other address,
  and every address in the app, is text and no link.
* :func:`html_text`: :func:`one_line`, then :func:`html.escape`.

>>> print(one_line("weak\n\nposterior 99.99%\x1b[8m"))
weak\n\nposterior 99.99%\x1b[8m
>>> md_escape("root:x:0:0 **b** [x](y) &#8238;")
'root\\:x\\:0\\:0 \\*\\*b\\*\\* \\[x\\](y) \\&\\#8238;'
>>> html_text("<b>Smith 2024 \u202e</b>")
'&lt;b&gt;Smith 2024 \\u202e&lt;/b&gt;'
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["display_width", "html_text", "look_alike", "md_escape", "one_line", "one_line_problem", "terminal_safe"]

# Shown as escapes everywhere: C0 controls (a line break only where the output keeps its own), DEL, C1
# controls, bidirectional controls, the Unicode line and paragraph separators, and lone surrogates.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_KEEP_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    return ascii(match.group())[1:-1]  # "\x1b", "\u202e", "\n": the escape Python itself would write


def terminal_safe(text: object) -> str:
    r"""``text`` for a terminal: controls, bidi controls and separators shown as escapes; line breaks kept.

    >>> terminal_safe("fake\x1b[8m hidden\nnext line \u202eevil")
    'fake\\x1b[8m hidden\nnext line \\u202eevil'
    """
    return _UNSAFE_KEEP_NEWLINE.sub(_escape, str(text))


def one_line(text: object) -> str:
    r"""Untrusted ``text`` as one line: every control, separator and line break shown as its escape.

    >>> one_line(" a\tb\r\nc\u2028d ")
    'a\\tb\\r\\nc\\u2028d'
    """
    return _UNSAFE.sub(_escape, str(text)).strip()


def html_text(text: object) -> str:
    """Untrusted ``text`` as HTML text content or an attribute value: :func:`one_line`, then :func:`html.escape`."""
    return html.escape(one_line(text), quote=True)


# -- Markdown --------------------------------------------------------------------------------------

# The ASCII punctuation that CommonMark/GFM inline syntax, LaTeX-in-Markdown ($) and superscripts (^) read
# as markup, and "@" (e-mail autolinks).  Parentheses need no escape once [ and ] have one (no link can
# form).  A colon is escaped only where it can start markup: a directive or icon (":red[", ":material/")
# before a letter, and both colons of an emoji shortcode (":x:"; Streamlit drew "root:x:0:0" as
# "root❌0:0", and draws "root\:x\:0\:0" as typed, checked in Chromium by
# tests/test_hostile_text_browser.py); "1:3" and "arXiv:2509.15541" stay as they are.
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]<>#!|~&$^@:]")
_SHORTCODE = re.compile(r"(?=(:[A-Za-z0-9_+-]+:))")
_DIRECTIVE = re.compile(r":(?=[A-Za-z])")
# Block syntax at the start of a line: a list item or setext underline ("- x", "+ x", "==="), a numbered
# item ("1. x"); "-0.5" and "34.42%" are not.
_LINE_START = re.compile(r"^(?:([-+=])(?=[\s=-]|$)|(\d{1,9})([.)])(?=\s|$))")
# A web address inside the text (in an export, where renderers with autolinks link it).  One made only of
# characters that are neither markup nor unsafe in a URL is left as it is: it renders as one link to
# exactly that address.  Any other (``http://**EVIL**``, ``http://&#8238;1:3``) is escaped like the words
# around it and kept from becoming a link (a backslash inside a link would end up in its address and on
# screen), so it renders as exactly its text.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PLAIN_URL = re.compile(r"(?:[A-Za-z0-9\-._~/?#=%+,;:@'()]|&(?!#?\w+;))+")
# Autolink literals that a backslash does not stop (checked in Chromium: in Streamlit "https\://x.org",
# "www\.x.org" and "a\@b.com" were still links; markdown-it's linkify reads through escapes too): a WORD
# JOINER (U+2060, invisible) goes between the scheme and "//", after "www" and before "@".
# Streamlit's Material icons (":material/home:") are drawn even with the colons escaped: the same joiner.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=\\@)|(?<=:)(?=material/)")


def _escape_words(text: str) -> str:
    """Text with its markup escaped and no autolink literal left in it."""
    markup_colons = {m.start() for m in _DIRECTIVE.finditer(text)}
    for m in _SHORTCODE.finditer(text):
        markup_colons |= {m.start(), m.start() + len(m.group(1)) - 1}

    def escape(m: re.Match) -> str:
        return m.group() if m.group() == ":" and m.start() not in markup_colons else "\\" + m.group()

    return _AUTOLINK.sub("\u2060", _MD_SPECIAL.sub(escape, text))


def md_escape(text: object, *, links: bool = True) -> str:
    """Untrusted ``text`` as inline Markdown that renders as exactly that text, on one line.

    With ``links`` (exports, notebook output) a web address in the text stays one link to the same
    address, with nothing in it that renders as markup; without (the app, which shows a stranger's
    file) no address, ``www.`` name or e-mail address becomes a link at all:

    >>> md_escape("see https://arxiv.org/abs/2311.08379 (p. 3) *sic*")
    'see https://arxiv.org/abs/2311.08379 (p. 3) \\\\*sic\\\\*'
    >>> md_escape("http://**EVIL**")
    'http:\\u2060//\\\\*\\\\*EVIL\\\\*\\\\*'
    >>> md_escape("https://evil.invalid", links=False)
    'https:\\u2060//evil.invalid'
    """
    line = one_line(text)
    out, pos = [], 0
    if links:
        for m in _URL.finditer(line):
            if _PLAIN_URL.fullmatch(m.group()):
                out += [_escape_words(line[pos : m.start()]), m.group()]
                pos = m.end()
    out.append(_escape_words(line[pos:]))
    return _LINE_START.sub(_defuse_line_start, "".join(out), count=1)


def _defuse_line_start(m: re.Match) -> str:
    return "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3)


# -- names a reader must tell apart ----------------------------------------------------------------

# Characters a name or label shown on one line may not hold: controls (Cc), format characters (Cf:
# bidi controls, zero-width characters), line and paragraph separators (Zl, Zp), lone surrogates (Cs).
_NOT_IN_ONE_LINE = ("Cc", "Cf", "Zl", "Zp", "Cs")


def one_line_problem(text: str) -> str:
    """Why ``text`` cannot be a name or label on one line ("" if it can): blank, or the first bad character.

    >>> one_line_problem("a\u2028b"), one_line_problem("  "), one_line_problem("none")
    ('it holds U+2028 (LINE SEPARATOR)', 'it is blank', '')
    """
    if not text.strip():
        return "it is blank"
    for ch in text:
        if unicodedata.category(ch) in _NOT_IN_ONE_LINE:
            return f"it holds U+{ord(ch):04X} ({unicodedata.name(ch, 'a control character')})"
    return ""


def look_alike(names) -> tuple[int, int] | None:
    """The indices of the first two of ``names`` that a reader cannot tell apart, or None.

    Two names look alike when their Unicode confusable skeletons (UTS #39, via ``disarm.skeleton_key``:
    case folded, spaces collapsed, "а" (Cyrillic) read as "a", "ℜ" as "R") are equal: ``a`` and ``а``,
    ``a`` and `` a``, ``Rare`` and ``rare`` would print as one name.

    >>> look_alike(["none", "rare", "Rare"]), look_alike(["a", "\u0430"]), look_alike(["none", "rare"])
    ((1, 2), (0, 1), None)
    """
    from disarm import skeleton_key  # a compiled module (0.1 s to import): only when names are checked

    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = skeleton_key(name)
        if key in seen:
            return seen[key], i
        seen[key] = i
    return None


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (East Asian) characters two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text
    )
