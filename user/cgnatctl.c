/* cgnatctl: inspect a running cgnat and answer attribution questions.
 *
 *   cgnatctl [-c FILE] [--json] VERB [ARGS]
 *
 * Reads the pinned dataplane maps and the log directory named in the
 * configuration (default /etc/cgnat/cgnat.yaml). */
#include <bpf/libbpf.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const struct verb {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "status", ctl_status, "status                          agent, dataplane and pool summary" },
	{ "stats", ctl_stats, "stats [--all]                   counters, per public address use, top subscribers" },
	{ "sessions", ctl_sessions, "sessions [filters]              live mappings (--subscriber IP, --public IP[:PORT], --proto P, --limit N)" },
	{ "subscriber", ctl_subscriber, "subscriber INSIDE_IP|ID         one subscriber's blocks and sessions (ID from the database)" },
	{ "lookup", ctl_lookup, "lookup PUBLIC_IP:PORT --at TIME [--proto P] [--window SECONDS]\n"
				"                                who had that public endpoint at that time (from the logs)" },
	{ "forward", ctl_forward, "forward INSIDE_IP               deterministic mode: public address and port range" },
	{ "reverse", ctl_reverse, "reverse PUBLIC_IP:PORT          subscriber behind a public port (now / deterministic)" },
};

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: cgnatctl [-c FILE] [--json] VERB [ARGS]\n"
	      "  -c, --config FILE  configuration of the instance (default /etc/cgnat/cgnat.yaml)\n"
	      "      --json         machine-readable output\n"
	      "verbs:\n", f);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %s\n", verbs[i].help);
	fputs("exit codes: 0 ok/match, 1 no match, 2 ambiguous, 3 error, 64 usage\n", f);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = "/etc/cgnat/cgnat.yaml";
	struct ctl *c = calloc(1, sizeof(*c));
	struct cfg_error err;
	size_t i;
	int o, rc = CTL_USAGE;

	if (!c)
		return CTL_ERROR;
	/* "+": stop at the verb, its options belong to it. */
	while ((o = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 'j': c->json = 1; break;
		case 'h': usage(stdout); free(c); return CTL_OK;
		default: usage(stderr); free(c); return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		free(c);
		return CTL_USAGE;
	}
	libbpf_set_print(quiet);
	if (cfg_load_file(path, &c->cfg, &err)) {
		fprintf(stderr, "cgnatctl: %s\n", err.msg);
		free(c);
		return CTL_ERROR;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[optind], verbs[i].name))
			continue;
		rc = verbs[i].fn(c, argc - optind, argv + optind);
		goto out;
	}
	fprintf(stderr, "cgnatctl: unknown verb '%s'\n", argv[optind]);
	usage(stderr);
out:
	if (c->pinned_ok)
		pinned_close(&c->pin);
	free(c);
	return rc;
}
