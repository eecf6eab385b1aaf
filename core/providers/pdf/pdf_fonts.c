/*
 * pdf_fonts.c — growth.pdf's own fontconfig configuration (see pdf_fonts.h).
 *
 * FcInit (which pango calls from its font map) loads the system configuration
 * only while fontconfig has no current one; FcConfigSetCurrent before the
 * first font map exists therefore replaces it for the whole process. Nothing
 * else in growthd uses fontconfig. The configuration reads the font caches
 * fc-cache wrote (and falls back to scanning the DejaVu folders, a few dozen
 * files, when they are stale); <rescan> 0 spares the periodic checks of the
 * folders, since installed fonts do not change under a running service.
 */
#include "providers/pdf/pdf_fonts.h"

#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"

static const char fonts_conf[] =
  "<?xml version=\"1.0\"?>\n"
  "<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n"
  "<fontconfig>\n"
  "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"         /* Debian, Ubuntu */
  "  <dir>/usr/share/fonts/dejavu</dir>\n"                  /* Alpine, older Fedora */
  "  <dir>/usr/share/fonts/dejavu-sans-fonts</dir>\n"       /* Fedora */
  "  <dir>/usr/share/fonts/TTF/dejavu</dir>\n"
  "  <cachedir>/var/cache/fontconfig</cachedir>\n"
  "  <cachedir prefix=\"xdg\">fontconfig</cachedir>\n"
  "  <alias binding=\"same\"><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>\n"
  "  <alias binding=\"same\"><family>serif</family><prefer><family>DejaVu Serif</family></prefer></alias>\n"
  "  <alias binding=\"same\"><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer></alias>\n"
  "  <config><rescan><int>0</int></rescan></config>\n"
  "</fontconfig>\n";

static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;
static int own_config;

/* 1 when config knows a face of family. */
static int has_family(FcConfig *config, const char *family)
{
  FcPattern *pattern = FcPatternBuild(NULL, FC_FAMILY, FcTypeString, (const FcChar8 *)family, (char *)NULL);
  FcObjectSet *objects = FcObjectSetBuild(FC_FILE, (char *)NULL);
  FcFontSet *found = pattern && objects ? FcFontList(config, pattern, objects) : NULL;
  int has = found && found->nfont > 0;
  if (found)
    FcFontSetDestroy(found);
  if (objects)
    FcObjectSetDestroy(objects);
  if (pattern)
    FcPatternDestroy(pattern);
  return has;
}

static void set_up_fonts(void)
{
  if (getenv("FONTCONFIG_FILE") || getenv("FONTCONFIG_PATH")) {
    log_info("PDF", "fonts: FONTCONFIG_FILE or FONTCONFIG_PATH is set; using that fontconfig configuration");
    return;
  }
  FcConfig *config = FcConfigCreate();
  if (!config) {
    log_warn("PDF", "fonts: out of memory creating the DejaVu configuration; using the system's");
    return;
  }
  if (!FcConfigParseAndLoadFromMemory(config, (const FcChar8 *)fonts_conf, FcTrue) || !FcConfigBuildFonts(config)) {
    log_warn("PDF", "fonts: the built-in DejaVu configuration did not load; using the system's");
    goto done;
  }
  if (!has_family(config, "DejaVu Sans")) {
    log_warn("PDF", "fonts: no DejaVu Sans under /usr/share/fonts (install fonts-dejavu-core); using the "
                    "system's fonts");
    goto done;
  }
  if (!FcConfigSetCurrent(config)) {
    log_warn("PDF", "fonts: fontconfig refused the DejaVu configuration; using the system's");
    goto done;
  }
  own_config = 1;
done:
  FcConfigDestroy(config);   /* the current configuration holds its own reference */
}

void pdf_fonts_init(void)
{
  pthread_once(&fonts_once, set_up_fonts);
}

int pdf_fonts_own_config(void)
{
  return own_config;
}
