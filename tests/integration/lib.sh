# Shared helpers for the network-namespace integration tests.
#
# Topology (DESIGN.md section 6: every address is from a documentation or
# shared range, and traffic only flows between namespaces made here):
#
#   sub1 100.64.1.10 --\                                   rtr              srv
#                       [in1 100.64.1.1]  nat  [out 192.0.2.1]--[192.0.2.2 | 192.0.2.129]--192.0.2.130
#   sub2 100.64.2.10 --/[in2 100.64.2.1]   (cgnatd)           routes 198.51.100.0/24 and 203.0.113.0/24 to nat
#
# Names carry a per-run suffix; cleanup runs from an EXIT trap on every path.
# The agent runs with nsenter --net so it shares the host's mount namespace:
# `ip netns exec` would give it a private /sys without the host's bpffs.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=${RUN:-$(printf '%04x' $(( ($$ + RANDOM) & 0xffff )))}
TMP=$(mktemp -d "/tmp/cgnat-it-$RUN.XXXX")
AGENT=${AGENT:-$ROOT/build/san/cgnatd}
CTL=$ROOT/build/cgnatctl
PY=/usr/bin/python3
NS_SUB1=cg-sub1-$RUN NS_SUB2=cg-sub2-$RUN NS_NAT=cg-nat-$RUN NS_RTR=cg-rtr-$RUN NS_SRV=cg-srv-$RUN
IF_IN1=ci1$RUN IF_IN2=ci2$RUN IF_OUT=co$RUN
PIN=/sys/fs/bpf/cgnat-it-$RUN
CFG=$TMP/cgnat.yaml
LOGDIR=$TMP/logs
SRV_IP=192.0.2.130
AGENT_PID=
PASSED=0
FAILED=0
BG_PIDS=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

pass() { PASSED=$((PASSED + 1)); echo "  ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@" >"$TMP/check.out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/       /' "$TMP/check.out" | tail -20; fi
}
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
nat() { nsenter --net="/run/netns/$NS_NAT" "$@"; }
ctl() { nat "$CTL" -c "$CFG" "$@"; }

# Wait up to $1 seconds for a command to succeed.
wait_for() {
	local t=$1; shift
	local end=$((SECONDS + t))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

# Run in the background; cleanup kills it and its children (in_ns is a
# shell function, so $! is a subshell whose child is the real program).
bg() { "$@" & BG_PIDS+=($!); }
# The subshell goes first: killed after its child, it could still report
# the child's death ("Terminated") into the test's output.
bg_kill() {
	local kids
	kids=$(pgrep -P "$1")
	kill "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null # reap it without bash's "Terminated" notice
	[ -z "$kids" ] || kill $kids 2>/dev/null
}

topology() {
	local n
	for n in $NS_SUB1 $NS_SUB2 $NS_NAT $NS_RTR $NS_SRV; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	ip link add "$IF_IN1" netns $NS_NAT type veth peer name s1$RUN netns $NS_SUB1
	ip link add "$IF_IN2" netns $NS_NAT type veth peer name s2$RUN netns $NS_SUB2
	ip link add "$IF_OUT" netns $NS_NAT type veth peer name r$RUN netns $NS_RTR
	ip link add rs$RUN netns $NS_RTR type veth peer name v$RUN netns $NS_SRV

	ip -n $NS_SUB1 addr add 100.64.1.10/24 dev s1$RUN
	ip -n $NS_SUB2 addr add 100.64.2.10/24 dev s2$RUN
	ip -n $NS_NAT addr add 100.64.1.1/24 dev "$IF_IN1"
	ip -n $NS_NAT addr add 100.64.2.1/24 dev "$IF_IN2"
	ip -n $NS_NAT addr add 192.0.2.1/30 dev "$IF_OUT"
	ip -n $NS_RTR addr add 192.0.2.2/30 dev r$RUN
	ip -n $NS_RTR addr add 192.0.2.129/25 dev rs$RUN
	ip -n $NS_SRV addr add $SRV_IP/25 dev v$RUN
	for n in "$NS_SUB1 s1$RUN" "$NS_SUB2 s2$RUN" "$NS_NAT $IF_IN1" "$NS_NAT $IF_IN2" \
		 "$NS_NAT $IF_OUT" "$NS_RTR r$RUN" "$NS_RTR rs$RUN" "$NS_SRV v$RUN"; do
		set -- $n
		ip -n "$1" link set "$2" up
	done
	ip -n $NS_SUB1 route add default via 100.64.1.1
	ip -n $NS_SUB2 route add default via 100.64.2.1
	ip -n $NS_NAT route add default via 192.0.2.2
	ip -n $NS_RTR route add 198.51.100.0/24 via 192.0.2.1
	ip -n $NS_RTR route add 203.0.113.0/24 via 192.0.2.1
	ip -n $NS_SRV route add default via 192.0.2.129
	in_ns $NS_NAT sysctl -qw net.ipv4.ip_forward=1
	in_ns $NS_RTR sysctl -qw net.ipv4.ip_forward=1

	# XDP on veth sees frames as the sending stack left them: with checksum
	# offload that is a partial (pseudo-header only) checksum that a real
	# NIC would never deliver. The senders compute full checksums instead.
	in_ns $NS_SUB1 ethtool -K s1$RUN tx off >/dev/null
	in_ns $NS_SUB2 ethtool -K s2$RUN tx off >/dev/null
	in_ns $NS_SRV ethtool -K v$RUN tx off >/dev/null
	in_ns $NS_RTR ethtool -K rs$RUN tx off >/dev/null
	# XDP_REDIRECT into a veth needs GRO (or XDP) on the receiving end.
	in_ns $NS_SUB1 ethtool -K s1$RUN gro on >/dev/null
	in_ns $NS_SUB2 ethtool -K s2$RUN gro on >/dev/null
	in_ns $NS_RTR ethtool -K r$RUN gro on >/dev/null
}

# write_config MODE [extra YAML appended verbatim]
write_config() {
	local mode=$1 extra=${2:-}
	mkdir -p "$LOGDIR"
	cat >"$CFG" <<EOF
interfaces:
  inside: [$IF_IN1, $IF_IN2]
  outside: $IF_OUT
subscribers:
  prefixes: [100.64.0.0/16]
  database: $TMP/subscribers.csv
pool:
  addresses: [198.51.100.0/29]
  ports: 1024-65535
mode: $mode
logging:
  directory: $LOGDIR
  flush_interval: 100ms
dataplane:
  pin_path: $PIN
  gc_interval: 200ms
$extra
EOF
	[ -f "$TMP/subscribers.csv" ] || printf '100.64.1.10,alice\n100.64.2.10,bob\n' >"$TMP/subscribers.csv"
}

agent_start() {
	# nsenter execs the agent, so $! is the agent itself.
	nsenter --net="/run/netns/$NS_NAT" "$AGENT" -c "$CFG" "$@" >>"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
	if ! wait_for 15 test -e "$PIN/link_xdp_$IF_OUT" || ! wait_for 10 ctl status; then
		echo "agent did not start:"; cat "$TMP/agent.log"; return 1
	fi
}

agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

agent_kill9() {
	[ -n "$AGENT_PID" ] || return 0
	kill -KILL "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
}

# The agent ran under ASan/LSan: any report is a failure.
check_sanitizer_clean() {
	check "agent clean under ASan/LSan" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' '$TMP/agent.log'"
}

stat_value() { # counter name as in `cgnatctl stats --json`
	ctl --json stats | $PY -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"
}

cleanup() {
	local p n
	for p in "${BG_PIDS[@]}"; do bg_kill "$p"; done
	agent_stop
	for n in $NS_SUB1 $NS_SUB2 $NS_NAT $NS_RTR $NS_SRV; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$PIN" "/run/cgnat/cgnat-it-$RUN.json" "/run/cgnat/cgnat-it-$RUN.json.lock"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# A real HTTP server in the server namespace that logs every request's
# client address, port and arrival time in milliseconds.
http_server_start() {
	bg in_ns $NS_SRV $PY "$ROOT/tests/integration/http_logger.py" $SRV_IP 8080 "$TMP/http.log"
	wait_for 10 in_ns $NS_SRV bash -c "exec 3<>/dev/tcp/$SRV_IP/8080"
}
