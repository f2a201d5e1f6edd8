/* Markdown to HTML with cmark, whose default is safe: raw HTML and javascript:, vbscript:,
 * file: and data: links (but images) are left out of the output. */
#include "markdown.h"

#include <string.h>

#include <cmark.h>

char *render_markdown_html(const char *markdown)
{
    return cmark_markdown_to_html(markdown, strlen(markdown), CMARK_OPT_DEFAULT);
}
