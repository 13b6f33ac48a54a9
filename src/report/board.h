/* board.h - the board report: the three numbers a board asks for (unmanaged OT assets, known
 * vulnerability exposure, uncontrolled access between OT and the corporate network or the
 * internet), with their breakdowns, the top risks in plain words, ownership, a NIST CSF 2.0
 * scorecard and the trend against the previous report.  board_build() gathers every figure into
 * one JSON document ("otscope.board/1"); the renderers (html, md, pdf) only lay it out. */
#ifndef OTSCOPE_BOARD_H
#define OTSCOPE_BOARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

struct board_opts {
    int64_t since_ns;   /* 0 = everything */
    int64_t now_ns;     /* generation time (0 = now) */
    bool save_snapshot; /* keep the figures for the next report's trend */
};

json_t *board_build(struct store *s, const struct board_opts *o);
void board_render_md(const json_t *b, FILE *f);
void board_render_html(const json_t *b, FILE *f);
/* A4 PDF with cairo/pango; 0 or -1 */
int board_render_pdf(const json_t *b, const char *path);

/* provided by the vulnerability module when linked (issue 5): a summary of exposure with the
 * keys of SPEC's vulnerability_exposure; NULL when nothing was imported */
json_t *vuln_board_summary(struct store *s);

#endif
