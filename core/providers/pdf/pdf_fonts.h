/*
 * pdf_fonts.h — the fonts growth.pdf renders with: the DejaVu families only.
 *
 * fontconfig's system configuration (/etc/fonts: some fifty XML files of
 * rules, the caches of every installed font) costs a cold process more than
 * laying out and writing a 5-page report: parsing the rules, then matching and
 * sorting each font request against every installed font. The documents use
 * DejaVu Sans (and its bold) only, which cairo embeds, so the provider loads a
 * configuration of its own, compiled into the program (pdf_fonts.c): the
 * DejaVu folders of Debian (fonts-dejavu-core, fonts-dejavu-extra) and other
 * distributions, the system's and the user's font caches, and the generic
 * families mapped to DejaVu. It becomes fontconfig's current configuration
 * before pango first asks for it, so the system one is never loaded.
 *
 * Text outside DejaVu's coverage (Latin, Greek, Cyrillic, Armenian, Georgian,
 * Hebrew, part of Arabic, many symbols) falls back among the DejaVu faces only,
 * and shows as boxes when none has the glyph (CJK, emoji). The system's fonts
 * stay in use when FONTCONFIG_FILE or FONTCONFIG_PATH is set (an operator who
 * wants every installed font as fallback sets FONTCONFIG_FILE=/etc/fonts/fonts.conf),
 * or when no DejaVu Sans is found in those folders (logged once).
 */
#ifndef GROWTH_PROVIDERS_PDF_FONTS_H
#define GROWTH_PROVIDERS_PDF_FONTS_H

/* Sets up the fonts once per process; safe to call from any thread, every time before rendering. */
void pdf_fonts_init(void);

/* 1 when the DejaVu-only configuration is in use (after pdf_fonts_init), 0 when the system's is. */
int pdf_fonts_own_config(void);

#endif
