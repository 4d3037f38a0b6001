/* Loading, pinning and attaching the BPF dataplane.
 *
 * Maps are pinned under dataplane.pin_path and reused by the next agent, so
 * sessions, port blocks and undrained events survive an agent restart or
 * upgrade. XDP attachments are pinned bpf_links, replaced atomically with
 * bpf_link_update; the tc egress filter is replaced in place.
 */
#ifndef CGNAT_DATAPLANE_H
#define CGNAT_DATAPLANE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrplan.h"
#include "cgnat_dp.h"
#include "cgnat_gc.h"
#include "session_table.h"
#include "config.h"

struct cgnat; /* skeleton */

struct dp_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	int role;       /* enum cgnat_if_role */
	uint32_t ipv4;  /* network order; 0 if the interface has none */
};

struct dataplane {
	struct cgnat *skel;
	char pin_dir[PATH_MAX];
	struct addr_plan plan;
	struct dp_iface ifaces[2 * CFG_MAX_IFACES];
	int n_ifaces;
	bool reused;           /* maps belonged to a running dataplane */
	uint32_t epoch;

	/* mmapped shared arrays */
	uint32_t *slots;       /* cgnat_port_slot() index */
	size_t slots_bytes;
	uint64_t *blocks;      /* block words */
	uint32_t n_blocks;
	size_t blocks_bytes;
	struct cgnat_block_fill *block_fill; /* per-protocol fill of each block */
	size_t block_fill_bytes;
	uint64_t *ip_free;     /* free blocks per public address */
	size_t ip_free_bytes;
	struct cgnat_global *global;
	size_t global_bytes;
	struct cgnat_gc_entry *gc_batch;
	size_t gc_bytes;
	struct session_table sessions; /* the mapping table, read only here */
	size_t sessions_bytes;
};

/* Open or reuse the pinned maps and load the programs. replace: discard a
 * pinned dataplane instead of reusing it (drops every session). */
int dp_open(struct dataplane *dp, const struct cgnat_cfg *cfg, bool replace, char *err,
	    size_t errlen);

/* Attach XDP to every interface and tc egress to outside interfaces. */
int dp_attach(struct dataplane *dp, const struct cgnat_cfg *cfg, char *err, size_t errlen);

/* Write the tunables (timeouts, limits, flags) and mark the dataplane ready.
 * Safe while traffic flows; used at start and on SIGHUP. */
int dp_apply_config(struct dataplane *dp, const struct cgnat_cfg *cfg, char *err,
		    size_t errlen);

/* Changes a running dataplane cannot take without a restart. Returns 0 or
 * -1 with the reason in err. */
int dp_check_reload(const struct cgnat_cfg *running, const struct cgnat_cfg *next, char *err,
		    size_t errlen);

/* Take programs off the interfaces and remove every pin. */
void dp_detach(struct dataplane *dp, const struct cgnat_cfg *cfg);

/* Release userspace resources; pinned state stays in the kernel. */
void dp_close(struct dataplane *dp);

/* Run the expiry program over the first count entries of gc_batch. */
int dp_run_gc(struct dataplane *dp, uint32_t count, uint32_t *deleted, uint32_t *now);

/* A counter summed over CPUs; live sessions (mappings + peers) from them. */
uint64_t dp_stat(const struct dataplane *dp, unsigned idx);
uint64_t dp_live_sessions(const struct dataplane *dp);

/* Fingerprint of what the maps' layout depends on. */
uint64_t dp_layout_hash(const struct cgnat_cfg *cfg, const struct addr_plan *plan);

#endif
