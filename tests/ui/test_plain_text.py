"""``plain``: what files and users wrote reaches Streamlit's Markdown as text."""

from __future__ import annotations

import pytest
from ui_factories import as_read

from livinglab.ui.common import WORD_JOINER, plain


@pytest.mark.parametrize(
    ("written", "escaped"),
    [
        ("![x](http://host/p.png)", "!\\[x\\](http\u2060://host/p.png)"),
        ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
        ("**gras** _it_ `code` ~~barré~~ $x$ a|b &amp;",
         "\\*\\*gras\\*\\* \\_it\\_ \\`code\\` \\~\\~barré\\~\\~ \\$x\\$ a\\|b \\&amp;"),
        ("# titre\n- point\n1. premier\n> cité", "\\# titre\n\\- point\n1\\. premier\n\\> cité"),
        (":red[rouge] :smile: www.site.org nom@site.org",
         f":{WORD_JOINER}red\\[rouge\\] :{WORD_JOINER}smile: www{WORD_JOINER}.site.org "
         f"nom{WORD_JOINER}@site.org"),
        ("Centre-Ville, 65-74 ans (IC 95 % : 1,2)", "Centre-Ville, 65-74 ans (IC 95 % : 1,2)"),
        ("nul\x00byte", "nulbyte"),
    ],
)
def test_active_markdown_is_escaped_and_plain_prose_is_untouched(written, escaped):
    assert plain(written) == escaped
    assert as_read(plain(written)).replace(WORD_JOINER, "") == written.replace("\x00", "")
