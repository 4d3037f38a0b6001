/* TCP mapping state after RFC 6146 section 3.5.2 and RFC 7857 section 2.2,
 * reduced to what the timeouts need: a mapping is ESTABLISHED (long
 * timeout) or transitory (opening, closing, or reset: 4 minutes). */
#ifndef CGNAT_BPF_TCP_STATE_H
#define CGNAT_BPF_TCP_STATE_H

#include "cgnat_dp.h"
#include "parse.h"

static __always_inline __u8 tcp_next_state(__u8 s, __u8 flags, int outbound)
{
	if (flags & TCPF_RST)
		return CGNAT_TCP_RST; /* state kept 4 minutes, RFC 7857 REQ-4 */
	if (flags & TCPF_SYN) {
		if (outbound) {
			if (s == CGNAT_TCP_SYN_IN || s == CGNAT_TCP_ESTABLISHED)
				return CGNAT_TCP_ESTABLISHED; /* simultaneous open */
			return CGNAT_TCP_SYN_OUT;
		}
		if (s == CGNAT_TCP_SYN_OUT || s == CGNAT_TCP_ESTABLISHED)
			return CGNAT_TCP_ESTABLISHED;
		if (s == CGNAT_TCP_CLOSED || s == CGNAT_TCP_RST || s == CGNAT_TCP_FIN_BOTH)
			return CGNAT_TCP_SYN_IN;
		return s;
	}
	if (flags & TCPF_FIN) {
		if (s == (outbound ? CGNAT_TCP_FIN_IN : CGNAT_TCP_FIN_OUT))
			return CGNAT_TCP_FIN_BOTH;
		if (s == CGNAT_TCP_ESTABLISHED || s == CGNAT_TCP_CLOSED)
			return outbound ? CGNAT_TCP_FIN_OUT : CGNAT_TCP_FIN_IN;
		return s;
	}
	/* A segment after a RST means the RST did not close the connection
	 * (RFC 6146: TRANS -> ESTABLISHED). A mapping opened mid-stream becomes
	 * established once the far side answers. */
	if (s == CGNAT_TCP_RST || (s == CGNAT_TCP_CLOSED && !outbound))
		return CGNAT_TCP_ESTABLISHED;
	return s;
}

#endif
