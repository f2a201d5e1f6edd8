/*
 * Markdown (CommonMark) to HTML, for the documents a tenant keeps: what the board and the
 * report show. Raw HTML and dangerous links in the source are not passed through.
 */
#ifndef IMS_RENDER_MARKDOWN_H
#define IMS_RENDER_MARKDOWN_H

/* The HTML of markdown as a malloc'ed string (free it), or NULL when out of memory. */
char *render_markdown_html(const char *markdown);

#endif
