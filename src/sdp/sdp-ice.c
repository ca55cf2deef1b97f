#include "sdp/sdp-ice.h"

static bool ice_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

bool cb_ice_chars_valid(const char *text)
{
	if (!*text)
		return false;
	for (const char *p = text; *p; p++)
		if (!ice_char(*p))
			return false;
	return true;
}
