/* cmd.h - subcommands (one file each) and what they share: option conventions, output formats
 * and exit statuses (SPEC.md: 0 ok, 1 runtime failure, 2 usage, 3 invalid input). */
#ifndef OTSCOPE_CMD_H
#define OTSCOPE_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "store/store.h"

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define EXIT_INPUT 3

enum out_format { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_MD, FMT_HTML, FMT_PDF, FMT_CEF };

int cmd_analyze(int argc, char **argv);
int cmd_assets(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_operations(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_segmentation(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_nis2(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_governance(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_vuln(int argc, char **argv);
int cmd_vulns(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_sync(int argc, char **argv);
/* a text document (Markdown-ish) as an A4 PDF (report/pdf.c) */
int pdf_render_text(const char *title, const char *text, const char *path);

/* "table,json,csv" style list of allowed names; false (and a usage message) if not allowed */
bool parse_format(const char *cmd, const char *arg, const char *allowed, enum out_format *out);
/* a whole decimal number in lo..hi (no trailing text, no overflow) */
bool parse_long(const char *arg, long lo, long hi, long *out);
/* open an existing store for reading; NULL after printing the error */
struct store *open_existing_store(const char *path);
/* print a JSON document to f (pretty, sorted as built), newline-terminated */
void print_json(json_t *doc, FILE *f);
/* usage error: message and exit status 2 */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a string field of a JSON object, or "-" */
const char *jstr(const json_t *obj, const char *key);
/* the default database: $OTSCOPE_DB or ./otscope.db */
const char *default_db(void);
/* write the board report for the store to path (stdout when NULL) in the format */
int write_board_report(struct store *s, enum out_format fmt, const char *path);
struct board_opts;
int write_board_report_opts(struct store *s, enum out_format fmt, const char *path,
                            const struct board_opts *o);

#endif
