/* Ports waiting out their hold time after their mapping expired
 * (RFC 6888 REQ-8: a freed port is not reused for 120 s).
 *
 * A FIFO: entries are pushed in expiry order with one hold time, so the
 * head is always the next to release. Grows as needed. */
#ifndef CGNAT_HOLD_QUEUE_H
#define CGNAT_HOLD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct hold_entry {
	uint32_t slot;       /* cgnat_port_slot() index */
	uint32_t value;      /* slot value while held (CGNAT_SLOT_MAKE(port, HELD)) */
	uint32_t release_at; /* CLOCK_MONOTONIC seconds */
};

struct hold_queue {
	struct hold_entry *v;
	size_t cap, head, len;
};

void hold_queue_init(struct hold_queue *q);
void hold_queue_free(struct hold_queue *q);
int hold_queue_push(struct hold_queue *q, const struct hold_entry *e);
/* Pop the head if it is due at `now`; returns 1 with *e filled, else 0. */
int hold_queue_pop_due(struct hold_queue *q, uint32_t now, struct hold_entry *e);
size_t hold_queue_len(const struct hold_queue *q);

#endif
