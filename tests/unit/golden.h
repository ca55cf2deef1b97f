/* Reads a hex golden vector from tests/data/golden/: '#' starts a comment,
 * whitespace is ignored. */
#ifndef CALLBRIDGE_GOLDEN_H
#define CALLBRIDGE_GOLDEN_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline size_t golden_load(const char *name, uint8_t *out, size_t cap)
{
	const char *root = getenv("CALLBRIDGE_SOURCE_ROOT");
	char path[4096];
	size_t n = 0;
	int c, hi = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/golden/%s", root ? root : ".", name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	while ((c = fgetc(f)) != EOF) {
		if (c == '#') {
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (!isxdigit(c))
			continue;
		c = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
		if (hi < 0) {
			hi = c;
		} else if (n < cap) {
			out[n++] = (uint8_t)(hi << 4 | c);
			hi = -1;
		}
	}
	fclose(f);
	return n;
}

#endif
