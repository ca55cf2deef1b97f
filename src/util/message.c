#include <stdarg.h>
#include <stdio.h>

#include "util/message.h"

bool cb_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err_len == 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return false;
}
