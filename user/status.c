#include "status.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attribution.h"
#include "dataplane.h"
#include "gc.h"
#include "jsonw.h"

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
	struct jsonw w;
	FILE *f;

	mkdir(STATUS_DIR, 0755);
	status_path(cfg, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	attr_get_stats(attr, &as);
	jw_init(&w, f);
	jw_obj_begin(&w);
	jw_key(&w, "pid");
	jw_i64(&w, getpid());
	jw_kstr(&w, "config", cfg->path);
	jw_kstr(&w, "mode", cfg_mode_name(cfg->mode));
	jw_ku64(&w, "epoch", dp->epoch);
	jw_key(&w, "updated");
	jw_i64(&w, (int64_t)time(NULL));
	jw_kbool(&w, "reused_dataplane", dp->reused);
	jw_ku64(&w, "held_ports", gc->held_ports);
	jw_key(&w, "gc");
	jw_obj_begin(&w);
	jw_ku64(&w, "passes", gc->passes);
	jw_ku64(&w, "mappings_expired", gc->mappings_expired);
	jw_ku64(&w, "peers_expired", gc->peers_expired);
	jw_ku64(&w, "ports_released", gc->ports_released);
	jw_ku64(&w, "blocks_released", gc->blocks_released);
	jw_ku64(&w, "subscribers_removed", gc->subscribers_removed);
	jw_ku64(&w, "last_pass_us", gc->last_pass_us);
	jw_ku64(&w, "last_scanned", gc->last_scanned);
	jw_obj_end(&w);
	jw_key(&w, "log");
	jw_obj_begin(&w);
	jw_ku64(&w, "events", as.events);
	jw_ku64(&w, "duplicates", as.duplicates);
	jw_ku64(&w, "write_errors", as.write_errors);
	jw_ku64(&w, "bytes", as.bytes);
	jw_obj_end(&w);
	jw_obj_end(&w);
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
