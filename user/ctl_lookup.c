/* cgnatctl lookup PUBLIC_IP:PORT --at TIME [--proto P] [--window SECONDS]
 *
 * Answers from the attribution logs (user/lookup.c), not from the live
 * dataplane, so it works for any time within the retention period. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "jsonw.h"
#include "lookup.h"
#include "subdb.h"
#include "timefmt.h"

static void owner_json(struct jsonw *w, const struct lookup_owner *o)
{
	char ip[INET_ADDRSTRLEN], t[TIMEFMT_RFC3339_SIZE];
	uint32_t a = htonl(o->inside_ip);

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	jw_obj_begin(w);
	jw_kstr(w, "subscriber", o->subscriber);
	jw_kstr(w, "inside_ip", ip);
	if (o->inside_port)
		jw_ku64(w, "inside_port", o->inside_port);
	jw_kstr(w, "source", o->source);
	timefmt_rfc3339(o->from_ns, t);
	jw_kstr(w, "from", t);
	if (o->to_ns == LOOKUP_OPEN_END) {
		jw_key(w, "to");
		jw_null(w);
	} else {
		timefmt_rfc3339(o->to_ns, t);
		jw_kstr(w, "to", t);
	}
	jw_obj_end(w);
}

static void owner_text(const struct lookup_owner *o)
{
	char ip[INET_ADDRSTRLEN], from[TIMEFMT_RFC3339_SIZE];
	char to[TIMEFMT_RFC3339_SIZE + 32] = "no release in the logs read";
	uint32_t a = htonl(o->inside_ip);

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	timefmt_rfc3339(o->from_ns, from);
	if (o->to_ns != LOOKUP_OPEN_END)
		timefmt_rfc3339(o->to_ns, to);
	printf("  subscriber %s  inside %s", o->subscriber, ip);
	if (o->inside_port)
		printf(":%u", o->inside_port);
	printf("  (%s, %s .. %s)\n", o->source, from, to);
}

static int report(struct ctl *c, const char *endpoint, const char *at,
		  const struct lookup_result *r)
{
	static const char *const verdict[] = { "match", "no match", "ambiguous", "error" };
	struct jsonw w;
	unsigned i;

	if (c->json) {
		jw_init(&w, stdout);
		jw_obj_begin(&w);
		jw_kstr(&w, "query", endpoint);
		jw_kstr(&w, "at", at);
		jw_kstr(&w, "result", verdict[r->status]);
		if (r->status == LOOKUP_ERROR)
			jw_kstr(&w, "error", r->error);
		jw_key(&w, "candidates");
		jw_arr_begin(&w);
		for (i = 0; i < r->n_owners; i++)
			owner_json(&w, &r->owners[i]);
		jw_arr_end(&w);
		jw_key(&w, "evidence");
		jw_arr_begin(&w);
		for (i = 0; i < r->n_evidence; i++)
			jw_str(&w, r->evidence[i]);
		jw_arr_end(&w);
		jw_ku64(&w, "files_read", r->files_read);
		jw_ku64(&w, "bad_lines_skipped", r->bad_lines);
		jw_obj_end(&w);
		return (int)r->status;
	}
	switch (r->status) {
	case LOOKUP_MATCH:
		printf("MATCH: %s at %s\n", endpoint, at);
		break;
	case LOOKUP_NO_MATCH:
		printf("NO MATCH: no subscriber held %s at %s\n", endpoint, at);
		break;
	case LOOKUP_AMBIGUOUS:
		printf("AMBIGUOUS: %u subscribers held %s within the window around %s\n",
		       r->n_owners_total, endpoint, at);
		break;
	default:
		fprintf(stderr, "cgnatctl: lookup failed: %s\n", r->error);
		return CTL_ERROR;
	}
	for (i = 0; i < r->n_owners; i++)
		owner_text(&r->owners[i]);
	if (r->n_evidence)
		printf("evidence:\n");
	for (i = 0; i < r->n_evidence; i++)
		printf("  %s\n", r->evidence[i]);
	if (r->bad_lines)
		printf("note: %u torn or unreadable log lines were skipped\n", r->bad_lines);
	return (int)r->status;
}

int ctl_lookup(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "proto", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ 0 },
	};
	struct lookup_query q = { 0 };
	struct lookup_result *r = calloc(1, sizeof(*r));
	struct subdb *db = NULL;
	const char *at = NULL, *why = NULL, *endpoint = NULL;
	uint32_t ip;
	uint64_t window_ns;
	char err[512];
	int o, port, rc = CTL_USAGE;

	if (!r)
		return CTL_ERROR;
	optind = 0; /* 0, not 1: also resets the "+" mode main used */
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			at = optarg;
			break;
		case 'p':
			if (!strcmp(optarg, "tcp"))
				q.proto = 6;
			else if (!strcmp(optarg, "udp"))
				q.proto = 17;
			else if (!strcmp(optarg, "icmp"))
				q.proto = 1;
			else
				goto usage;
			break;
		case 'w':
			if (timefmt_parse(optarg, &window_ns, &why) || window_ns > 86400ULL * TIMEFMT_NS_PER_SEC) {
				fprintf(stderr, "cgnatctl: --window '%s': give seconds, e.g. 2 or 0.5 "
						"(at most one day)\n", optarg);
				goto out;
			}
			q.window_ns = window_ns;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || !at)
		goto usage;
	endpoint = argv[optind];
	if (ctl_parse_endpoint(endpoint, &ip, &port) || port < 0) {
		fprintf(stderr, "cgnatctl: '%s' is not PUBLIC_IP:PORT\n", endpoint);
		goto out;
	}
	if (timefmt_parse(at, &q.time_ns, &why)) {
		fprintf(stderr, "cgnatctl: --at '%s': %s\n", at, why);
		goto out;
	}
	/* "10:15:03.120" from a server log means some instant within that
	 * millisecond (rounded or cut): the window covers it. */
	q.window_ns += timefmt_precision_ns(at);
	q.ip = ntohl(ip);
	q.port = (uint16_t)port;
	if (c->cfg.subscriber_db[0]) {
		db = subdb_load(c->cfg.subscriber_db, err, sizeof(err));
		if (!db)
			fprintf(stderr, "cgnatctl: warning: %s; deterministic answers name inside "
					"addresses only\n", err);
		q.subdb = db;
	}
	lookup_run(c->cfg.log_directory, &q, r);
	rc = report(c, endpoint, at, r);
	lookup_result_free(r);
	subdb_free(db);
	goto out;
usage:
	fprintf(stderr, "usage: cgnatctl lookup PUBLIC_IP:PORT --at TIME [--proto tcp|udp|icmp] "
			"[--window SECONDS]\n  TIME: RFC 3339 (2026-11-20T10:15:03.120Z) or Unix "
			"seconds (1795169703.12)\n");
out:
	free(r);
	return rc;
}
