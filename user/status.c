#include "status.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attribution.h"
#include "dataplane.h"
#include "gc.h"

void status_path(const struct cgnat_cfg *cfg, char *out, size_t n)
{
	const char *base = strrchr(cfg->pin_path, '/');

	snprintf(out, n, STATUS_DIR "/%s.json", base && base[1] ? base + 1 : "cgnat");
}

int status_write(const struct cgnat_cfg *cfg, const struct dataplane *dp,
		 const struct gc_stats *gc, const struct attribution *attr)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct attribution_stats as;
	FILE *f;

	mkdir(STATUS_DIR, 0755);
	status_path(cfg, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	attr_get_stats(attr, &as);
	fprintf(f,
		"{\"pid\":%d,\"config\":\"%s\",\"mode\":\"%s\",\"epoch\":%u,\"updated\":%lld,"
		"\"reused_dataplane\":%s,\"held_ports\":%zu,"
		"\"gc\":{\"passes\":%llu,\"mappings_expired\":%llu,\"peers_expired\":%llu,"
		"\"ports_released\":%llu,\"blocks_released\":%llu,\"subscribers_removed\":%llu,"
		"\"last_pass_us\":%llu,\"last_scanned\":%llu},"
		"\"log\":{\"events\":%llu,\"duplicates\":%llu,\"write_errors\":%llu,\"bytes\":%llu}}\n",
		(int)getpid(), cfg->path, cfg_mode_name(cfg->mode), dp->epoch, (long long)time(NULL),
		dp->reused ? "true" : "false",
		(size_t)gc->held_ports,
		(unsigned long long)gc->passes, (unsigned long long)gc->mappings_expired,
		(unsigned long long)gc->peers_expired, (unsigned long long)gc->ports_released,
		(unsigned long long)gc->blocks_released, (unsigned long long)gc->subscribers_removed,
		(unsigned long long)gc->last_pass_us, (unsigned long long)gc->last_scanned,
		(unsigned long long)as.events, (unsigned long long)as.duplicates,
		(unsigned long long)as.write_errors, (unsigned long long)as.bytes);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

void status_remove(const struct cgnat_cfg *cfg)
{
	char path[PATH_MAX];

	status_path(cfg, path, sizeof(path));
	unlink(path);
}
