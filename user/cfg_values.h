/* Value parsers behind the config: IPv4 addresses, CIDR prefixes, address
 * ranges, durations, sizes, integers and booleans.
 *
 * Strict and locale-free: the whole string must match, nothing is
 * allocated. Each parser says *why* a value was refused, so config.c can
 * turn that into a precise message; the public cfg_parse_* wrappers in
 * config.h collapse the reason to 0 / -1.
 */
#ifndef CGNAT_CFG_VALUES_H
#define CGNAT_CFG_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum cfgv_err {
	CFGV_OK = 0,
	CFGV_SYNTAX,    /* not the expected form at all */
	CFGV_RANGE,     /* well-formed, but a number is too large (overflow, /33) */
	CFGV_HOST_BITS, /* CIDR with bits set below the prefix length */
	CFGV_ORDER,     /* range "A-B" with A > B (addresses or ports) */
};

/* Longest dotted quad plus NUL. */
#define CFGV_ADDR_STRLEN 16

/* Dotted quad at the start of s (decimal, no leading zeros); *end is set
 * just past it. Host byte order. */
bool cfgv_ipv4(const char *s, const char **end, uint32_t *addr);

/* "a.b.c.d/len". On CFGV_HOST_BITS, *out holds the corrected prefix. */
enum cfgv_err cfgv_prefix(const char *s, struct cfg_prefix *out);

/* "a.b.c.d-e.f.g.h" (blanks allowed around '-'), one address, or a CIDR.
 * On CFGV_HOST_BITS, *out holds the range of the corrected prefix. */
enum cfgv_err cfgv_range(const char *s, struct cfg_range *out);

/* Port range "MIN-MAX" (blanks allowed around '-'), both 0..65535. */
enum cfgv_err cfgv_port_range(const char *s, uint16_t *min, uint16_t *max);

/* Plain integer (seconds) or components with units in descending order:
 * "90d", "2h4m", "1m30s", "500ms". Result in milliseconds; its seconds
 * fit in a uint32_t. */
enum cfgv_err cfgv_duration_ms(const char *s, uint64_t *ms);

/* Integer bytes, or with a binary suffix K/M/G (also k/m/g, KiB/MiB/GiB). */
enum cfgv_err cfgv_size(const char *s, uint64_t *bytes);

/* Unsigned decimal integer that fits in 32 bits. */
enum cfgv_err cfgv_u32(const char *s, uint32_t *out);

/* true/false, yes/no, on/off (any case). */
bool cfgv_bool(const char *s, bool *out);

/* Network mask of a prefix length 0..32, host order. */
static inline uint32_t cfgv_mask(unsigned len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Dotted quad of a host-order address into buf. */
const char *cfgv_addr_str(uint32_t addr, char buf[CFGV_ADDR_STRLEN]);

/* Shortest readable duration, e.g. "2h4m", "500ms", "0s". */
const char *cfgv_duration_str(uint64_t ms, char *buf, unsigned size);

#endif
