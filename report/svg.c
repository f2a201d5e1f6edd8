/* The report's charts as inline SVG: the level over time and the 5x5 risk matrices. Every
 * chart carries a title and text a screen reader and a printer keep. */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ" (fractions ignored), or -1. */
static double parse_time(const char *s)
{
    struct tm tm = {0};
    if (!s || strlen(s) < 19)
        return -1;
    char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return -1;
    return (double)timegm(&tm);
}

void report_level_chart(struct report_text *t, const Ims__V1__GetHistoryResponse *h, double current,
                        const char *title)
{
    const double w = 640, ht = 220, left = 44, right = 12, top = 12, bottom = 28;
    size_t n = h ? h->n_points : 0;
    double t0 = 0, t1 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = parse_time(h->points[i]->at);
        if (x < 0)
            continue;
        if (t0 == 0 || x < t0)
            t0 = x;
        if (x > t1)
            t1 = x;
    }
    double now = (double)time(NULL);
    if (t1 < now)
        t1 = now;
    if (t0 == 0 || t1 - t0 < 3600)
        t0 = t1 - 3600;
    report_printf(t,
                  "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                  "width=\"100%%\" role=\"img\" aria-labelledby=\"chart-title\">"
                  "<title id=\"chart-title\">",
                  w, ht);
    report_escaped(t, title);
    report_put(t, "</title>");
    double pw = w - left - right, ph = ht - top - bottom;
    for (int g = 0; g <= 4; g++) {
        double y = top + ph - ph * g / 4;
        report_printf(t,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                      "fill=\"#444\">%d %%</text>",
                      left, y, w - right, y, left - 4, y + 3, g * 25);
    }
    char d0[32], d1[32];
    time_t a = (time_t)t0, b = (time_t)t1;
    strftime(d0, sizeof d0, "%Y-%m-%d", gmtime(&a));
    strftime(d1, sizeof d1, "%Y-%m-%d", gmtime(&b));
    report_printf(t,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#444\">%s</text>"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                  "fill=\"#444\">%s</text>",
                  left, ht - 8, d0, w - right, ht - 8, d1);
    report_put(t, "<polyline fill=\"none\" stroke=\"#0b4f8a\" stroke-width=\"2\" points=\"");
    double last_y = -1;
    for (size_t i = 0; i < n; i++) {
        double x = parse_time(h->points[i]->at);
        if (x < 0)
            continue;
        double px = left + pw * (x - t0) / (t1 - t0);
        double py = top + ph - ph * h->points[i]->security_level;
        /* A step chart: the level holds until the next change. */
        if (last_y >= 0)
            report_printf(t, "%.1f,%.1f ", px, last_y);
        report_printf(t, "%.1f,%.1f ", px, py);
        last_y = py;
    }
    double py_now = top + ph - ph * current;
    if (last_y >= 0)
        report_printf(t, "%.1f,%.1f ", w - right, last_y);
    else
        report_printf(t, "%.1f,%.1f %.1f,%.1f", left, py_now, w - right, py_now);
    report_put(t, "\"/></svg><figcaption>");
    report_escaped(t, title);
    report_printf(t, " (%zu changes; now %.1f %%).</figcaption></figure>", n, current * 100);
}

int report_risk_level(int l, int i)
{
    static const int grid[5][5] = {
        {1, 1, 2, 2, 2}, {1, 2, 2, 3, 3}, {2, 2, 3, 4, 4}, {2, 3, 4, 4, 5}, {3, 4, 4, 5, 5},
    };
    return grid[l - 1][i - 1];
}

static int clamp_cell(double v)
{
    int c = (int)ceil(v - 1e-9);
    return c < 1 ? 1 : c > 5 ? 5 : c;
}

void report_risk_cell(const Ims__V1__RiskPair *p, int residual, int *l, int *i)
{
    if (!residual) {
        *l = clamp_cell(p->likelihood);
        *i = clamp_cell(p->impact);
        return;
    }
    /* The residual impact I_r (I, less the share transferred); an answer without it
     * gives it through R = I_r * lambda_r. */
    double impact = p->residual_impact > 0           ? p->residual_impact
                    : p->residual_likelihood > 1e-12 ? p->residual / p->residual_likelihood
                                                     : p->impact;
    *l = clamp_cell(p->residual_likelihood);
    *i = clamp_cell(impact);
}

void report_risk_matrix(struct report_text *t, const Ims__V1__RiskRegister *r, int residual)
{
    static const char *const fill[6] = {"", "#d3ff4e", "#02a45a", "#ffa600", "#ff1a00", "#c00000"};
    static const char *const ink[6] = {"", "#000", "#000", "#000", "#fff", "#fff"};
    int count[5][5] = {{0}};
    for (size_t k = 0; r && k < r->n_pairs; k++) {
        int l, i;
        report_risk_cell(r->pairs[k], residual, &l, &i);
        count[l - 1][i - 1]++;
    }
    const int cell = 44, left = 40, top = 8;
    report_printf(t,
                  "<figure class=\"matrix\"><figcaption>%s risk</figcaption>"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"300\" "
                  "role=\"img\" aria-label=\"%s risk matrix: number of asset-threat pairs by "
                  "likelihood and impact\">",
                  residual ? "Residual" : "Inherent", left + 5 * cell + 8, top + 5 * cell + 34,
                  residual ? "Residual" : "Inherent");
    for (int l = 5; l >= 1; l--) {
        int y = top + (5 - l) * cell;
        report_printf(t, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">L%d</text>",
                      left - 6, y + cell / 2 + 4, l);
        for (int i = 1; i <= 5; i++) {
            int x = left + (i - 1) * cell, lv = report_risk_level(l, i);
            report_printf(t,
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                          "stroke=\"#fff\"/>",
                          x, y, cell, cell, fill[lv]);
            if (count[l - 1][i - 1])
                report_printf(t,
                              "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\" "
                              "text-anchor=\"middle\" fill=\"%s\">%d</text>",
                              x + cell / 2, y + cell / 2 + 5, ink[lv], count[l - 1][i - 1]);
        }
    }
    for (int i = 1; i <= 5; i++)
        report_printf(t,
                      "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">I%d</text>",
                      left + (i - 1) * cell + cell / 2, top + 5 * cell + 14, i);
    report_printf(t,
                  "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">"
                  "impact &#8594;, likelihood &#8593;</text></svg></figure>",
                  left + 5 * cell / 2, top + 5 * cell + 30);
}
