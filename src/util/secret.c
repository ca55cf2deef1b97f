#include <string.h>

#include "util/secret.h"

void cb_secret_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}
