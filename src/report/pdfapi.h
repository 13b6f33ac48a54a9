/* pdfapi.h - cairo and pango for the PDF renderer, loaded on first use (util/dynlib.h): the
 * functions pdf.c calls, as pointers that pdf_load fills; the macros below route the usual
 * names through the table.  Only pdf.c and pdfapi.c include this. */
#ifndef OTSCOPE_REPORT_PDFAPI_H
#define OTSCOPE_REPORT_PDFAPI_H

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>

struct pdf_api {
    __typeof__(cairo_create) *cairo_create;
    __typeof__(cairo_destroy) *cairo_destroy;
    __typeof__(cairo_fill) *cairo_fill;
    __typeof__(cairo_move_to) *cairo_move_to;
    __typeof__(cairo_pdf_surface_create) *cairo_pdf_surface_create;
    __typeof__(cairo_pdf_surface_set_metadata) *cairo_pdf_surface_set_metadata;
    __typeof__(cairo_rectangle) *cairo_rectangle;
    __typeof__(cairo_set_source_rgb) *cairo_set_source_rgb;
    __typeof__(cairo_show_page) *cairo_show_page;
    __typeof__(cairo_stroke) *cairo_stroke;
    __typeof__(cairo_surface_destroy) *cairo_surface_destroy;
    __typeof__(cairo_surface_finish) *cairo_surface_finish;
    __typeof__(cairo_surface_status) *cairo_surface_status;
    __typeof__(g_free) *g_free;
    __typeof__(g_markup_escape_text) *g_markup_escape_text;
    __typeof__(g_object_unref) *g_object_unref;
    __typeof__(pango_cairo_create_layout) *pango_cairo_create_layout;
    __typeof__(pango_cairo_show_layout) *pango_cairo_show_layout;
    __typeof__(pango_font_description_free) *pango_font_description_free;
    __typeof__(pango_font_description_from_string) *pango_font_description_from_string;
    __typeof__(pango_layout_get_size) *pango_layout_get_size;
    __typeof__(pango_layout_set_font_description) *pango_layout_set_font_description;
    __typeof__(pango_layout_set_markup) *pango_layout_set_markup;
    __typeof__(pango_layout_set_text) *pango_layout_set_text;
    __typeof__(pango_layout_set_width) *pango_layout_set_width;
    __typeof__(pango_layout_set_wrap) *pango_layout_set_wrap;
};
extern struct pdf_api pdf_api;

/* load cairo, pango, pangocairo, gobject and glib (once); false with the reason in err */
bool pdf_load(char *err, size_t errlen);

#ifndef PDFAPI_IMPL
#define cairo_create                       pdf_api.cairo_create
#define cairo_destroy                      pdf_api.cairo_destroy
#define cairo_fill                         pdf_api.cairo_fill
#define cairo_move_to                      pdf_api.cairo_move_to
#define cairo_pdf_surface_create           pdf_api.cairo_pdf_surface_create
#define cairo_pdf_surface_set_metadata     pdf_api.cairo_pdf_surface_set_metadata
#define cairo_rectangle                    pdf_api.cairo_rectangle
#define cairo_set_source_rgb               pdf_api.cairo_set_source_rgb
#define cairo_show_page                    pdf_api.cairo_show_page
#define cairo_stroke                       pdf_api.cairo_stroke
#define cairo_surface_destroy              pdf_api.cairo_surface_destroy
#define cairo_surface_finish               pdf_api.cairo_surface_finish
#define cairo_surface_status               pdf_api.cairo_surface_status
#define g_free                             pdf_api.g_free
#define g_markup_escape_text               pdf_api.g_markup_escape_text
#define g_object_unref                     pdf_api.g_object_unref
#define pango_cairo_create_layout          pdf_api.pango_cairo_create_layout
#define pango_cairo_show_layout            pdf_api.pango_cairo_show_layout
#define pango_font_description_free        pdf_api.pango_font_description_free
#define pango_font_description_from_string pdf_api.pango_font_description_from_string
#define pango_layout_get_size              pdf_api.pango_layout_get_size
#define pango_layout_set_font_description  pdf_api.pango_layout_set_font_description
#define pango_layout_set_markup            pdf_api.pango_layout_set_markup
#define pango_layout_set_text              pdf_api.pango_layout_set_text
#define pango_layout_set_width             pdf_api.pango_layout_set_width
#define pango_layout_set_wrap              pdf_api.pango_layout_set_wrap
#endif

#endif
