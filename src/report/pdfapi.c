/* pdfapi.c - see pdfapi.h */
#define PDFAPI_IMPL
#include "report/pdfapi.h"

#include "util/dynlib.h"

struct pdf_api pdf_api;

bool pdf_load(char *err, size_t errlen)
{
    static const char *const sonames[] = {"libcairo.so.2", "libpango-1.0.so.0",
                                          "libpangocairo-1.0.so.0", "libgobject-2.0.so.0",
                                          "libglib-2.0.so.0"};
    static const struct dynsym syms[] = {
        DYNSYM(pdf_api, cairo_create),
        DYNSYM(pdf_api, cairo_destroy),
        DYNSYM(pdf_api, cairo_fill),
        DYNSYM(pdf_api, cairo_move_to),
        DYNSYM(pdf_api, cairo_pdf_surface_create),
        DYNSYM(pdf_api, cairo_pdf_surface_set_metadata),
        DYNSYM(pdf_api, cairo_rectangle),
        DYNSYM(pdf_api, cairo_set_source_rgb),
        DYNSYM(pdf_api, cairo_show_page),
        DYNSYM(pdf_api, cairo_stroke),
        DYNSYM(pdf_api, cairo_surface_destroy),
        DYNSYM(pdf_api, cairo_surface_finish),
        DYNSYM(pdf_api, cairo_surface_status),
        DYNSYM(pdf_api, g_free),
        DYNSYM(pdf_api, g_markup_escape_text),
        DYNSYM(pdf_api, g_object_unref),
        DYNSYM(pdf_api, pango_cairo_create_layout),
        DYNSYM(pdf_api, pango_cairo_show_layout),
        DYNSYM(pdf_api, pango_font_description_free),
        DYNSYM(pdf_api, pango_font_description_from_string),
        DYNSYM(pdf_api, pango_layout_get_size),
        DYNSYM(pdf_api, pango_layout_set_font_description),
        DYNSYM(pdf_api, pango_layout_set_markup),
        DYNSYM(pdf_api, pango_layout_set_text),
        DYNSYM(pdf_api, pango_layout_set_width),
        DYNSYM(pdf_api, pango_layout_set_wrap),
    };
    static struct dynlib lib = {sonames,
                                sizeof sonames / sizeof *sonames,
                                syms,
                                sizeof syms / sizeof *syms,
                                "libpangocairo-1.0-0",
                                false};
    return dynlib_load(&lib, err, errlen);
}
