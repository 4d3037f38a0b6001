/* Translation events through the ring buffer.
 *
 * Attribution fails closed: callers reserve the record *before* they create
 * the mapping or claim the block it describes, and give up on the new flow
 * when the reservation fails. Only informational events (quota, exhaustion)
 * may be lost, and every loss is counted.
 */
#ifndef CGNAT_BPF_EVENTS_H
#define CGNAT_BPF_EVENTS_H

#include "maps.h"

static __always_inline struct cgnat_global *global_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cgnat_global, &zero);
}

static __always_inline struct cgnat_event *event_reserve(void)
{
	return bpf_ringbuf_reserve(&cgnat_events, sizeof(struct cgnat_event), 0);
}

/* Stamp a reserved record with its sequence number and time, then publish. */
static __always_inline void event_submit(struct cgnat_event *e)
{
	struct cgnat_global *g = global_state();

	e->seq = g ? __sync_fetch_and_add(&g->event_seq, 1) : 0;
	e->time_ns = bpf_ktime_get_tai_ns();
	bpf_ringbuf_submit(e, 0);
}

/* Best-effort event (quota, exhaustion): counted when the ring is full. */
static __always_inline void event_notify(__u8 type, __u8 proto, __u32 inside_ip,
					 __u32 outside_ip)
{
	struct cgnat_event *e = event_reserve();

	if (!e) {
		stat_inc(CGNAT_STAT_EVENTS_LOST);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->proto = proto;
	e->inside_ip = inside_ip;
	e->outside_ip = outside_ip;
	event_submit(e);
}

#endif
