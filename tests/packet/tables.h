/* The fixture tables, one per dataplane configuration (fx_*.c). */
#ifndef PKT_TABLES_H
#define PKT_TABLES_H

#include "fixture.h"

extern const struct group fx_pba;       /* PBA, endpoint-independent, one pool address */
extern const struct group fx_adf;       /* PBA, address-dependent filtering */
extern const struct group fx_det;       /* deterministic (RFC 7422) */
extern const struct group fx_quota_sessions;
extern const struct group fx_quota_ports;
extern const struct group fx_ring_pba;  /* fail closed: 64K event ring, PBA */
extern const struct group fx_ring_session;
extern const struct group fx_gc;
extern const struct group fx_table;     /* session table: global limit, deletion, reuse */
extern const struct group fx_alloc;
extern const struct group fx_tcp;       /* TCP state: handshake, FIN, simultaneous open, RST */     /* blocks: fill, exhaust, hold, release, reuse */

/* Self-tests of csum_ref.c and the frame verifier (selftest.c). */
const struct CMUnitTest *selftests(size_t *n);

#endif
