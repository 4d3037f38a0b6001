/* cgnatctl verbs. Each verb prints a human table by default and JSON with
 * --json; returns the process exit code. */
#ifndef CGNAT_CTL_H
#define CGNAT_CTL_H

#include "config.h"
#include "pinned.h"

struct ctl {
	struct cgnat_cfg cfg;
	struct pinned pin;
	int pinned_ok;
	int json;
	char pin_err[512];
};

/* Exit codes shared by every verb. */
enum ctl_exit {
	CTL_OK = 0,
	CTL_NO_MATCH = 1,  /* lookup/reverse found nothing */
	CTL_AMBIGUOUS = 2, /* lookup found several candidates */
	CTL_ERROR = 3,     /* could not answer: dataplane down, unreadable logs, ... */
	CTL_USAGE = 64,
};

int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_stats(struct ctl *c, int argc, char **argv);
int ctl_sessions(struct ctl *c, int argc, char **argv);
int ctl_subscriber(struct ctl *c, int argc, char **argv);
int ctl_lookup(struct ctl *c, int argc, char **argv);
int ctl_forward(struct ctl *c, int argc, char **argv);
int ctl_reverse(struct ctl *c, int argc, char **argv);

/* The verbs that read the dataplane call this first. */
int ctl_need_dataplane(struct ctl *c);

/* "a.b.c.d" or "a.b.c.d:port" (port optional when port_out is NULL-able). */
int ctl_parse_endpoint(const char *s, uint32_t *ip_net, int *port);

const char *ctl_proto_name(unsigned slot);
int ctl_proto_slot(const char *name); /* tcp/udp/icmp -> CGNAT_P_*, or -1 */

#endif
