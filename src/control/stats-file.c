#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "control/snapshot-json.h"
#include "control/stats-file.h"

int cb_stats_write_file(const char *path, const struct cb_snapshot *snap)
{
	char tmp[4200];
	struct cb_json_out o;
	FILE *f;
	int res = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if ((f = fopen(tmp, "w")) == NULL)
		return -errno;
	cb_json_out_file(&o, f);
	cb_snapshot_json_document(&o, snap);
	if (o.failed)
		res = ferror(f) ? -EIO : -EINVAL;
	if (fclose(f) != 0 && res == 0)
		res = -errno;
	if (res == 0 && rename(tmp, path) < 0)
		res = -errno;
	if (res < 0)
		unlink(tmp);
	return res;
}
