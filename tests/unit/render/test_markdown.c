/* Markdown to HTML for documents: CommonMark as rendered, and what a body may not carry
 * into the board (raw HTML, script links) left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "markdown.h"

static void renders_commonmark(void **state)
{
    (void)state;
    char *html = render_markdown_html("# Policy\n\n**Acme** and *you*\n\n- one\n- two\n\n"
                                      "| a | b |\n|---|---|\n");
    assert_non_null(html);
    assert_non_null(strstr(html, "<h1>Policy</h1>"));
    assert_non_null(strstr(html, "<strong>Acme</strong> and <em>you</em>"));
    assert_non_null(strstr(html, "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"));
    free(html);
}

static void leaves_out_raw_html_and_script_links(void **state)
{
    (void)state;
    char *html = render_markdown_html("<script>alert(1)</script>\n\nText <b>bold</b> "
                                      "[x](javascript:alert(1)) [y](https://example.com/)\n");
    assert_non_null(html);
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "javascript:"));
    assert_non_null(strstr(html, "<a href=\"https://example.com/\">y</a>"));
    free(html);
}

static void escapes_text(void **state)
{
    (void)state;
    char *html = render_markdown_html("a < b & \"c\"\n");
    assert_non_null(html);
    assert_string_equal(html, "<p>a &lt; b &amp; &quot;c&quot;</p>\n");
    free(html);
    html = render_markdown_html("");
    assert_non_null(html);
    assert_string_equal(html, "");
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renders_commonmark),
        cmocka_unit_test(leaves_out_raw_html_and_script_links),
        cmocka_unit_test(escapes_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
