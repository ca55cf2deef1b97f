/* Key material, ICE and TURN passwords and tokens: wiped where they are
 * dropped, with a store the compiler may not elide (explicit_bzero), so a
 * freed config, a stack buffer or a replaced key leaves nothing behind in
 * memory that a core dump or a later allocation could show. */
#ifndef CALLBRIDGE_UTIL_SECRET_H
#define CALLBRIDGE_UTIL_SECRET_H

#include <stddef.h>

void cb_secret_wipe(void *p, size_t len);

#endif
