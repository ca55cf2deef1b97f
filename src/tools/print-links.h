/* pw-callbridge --print-links (print-links.c). */
#ifndef CALLBRIDGE_PRINT_LINKS_H
#define CALLBRIDGE_PRINT_LINKS_H

#include <stdio.h>

#include "config/config.h"

/* 0, or 1 with a message when the file has no [endpoint]. */
int cb_print_links(const struct cb_config *config, FILE *out);

#endif
