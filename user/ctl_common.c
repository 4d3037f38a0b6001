/* Helpers shared by the cgnatctl verbs. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int ctl_need_dataplane(struct ctl *c)
{
	if (c->pinned_ok)
		return 0;
	if (pinned_open(&c->pin, c->cfg.pin_path, c->pin_err, sizeof(c->pin_err))) {
		fprintf(stderr, "cgnatctl: %s\n", c->pin_err);
		return -1;
	}
	c->pinned_ok = 1;
	return 0;
}

int ctl_parse_endpoint(const char *s, uint32_t *ip, int *port)
{
	char buf[64], *colon, *end;
	long p;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (port)
		*port = -1;
	if (colon) {
		if (!port)
			return -1;
		*colon = '\0';
		p = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || p < 0 || p > 65535)
			return -1;
		*port = (int)p;
	}
	return inet_pton(AF_INET, buf, ip) == 1 ? 0 : -1;
}

const char *ctl_proto_name(unsigned slot)
{
	return slot == CGNAT_P_TCP ? "tcp" : slot == CGNAT_P_UDP ? "udp" : "icmp";
}

int ctl_proto_slot(const char *name)
{
	if (!strcmp(name, "tcp"))
		return CGNAT_P_TCP;
	if (!strcmp(name, "udp"))
		return CGNAT_P_UDP;
	if (!strcmp(name, "icmp"))
		return CGNAT_P_ICMP;
	return -1;
}
