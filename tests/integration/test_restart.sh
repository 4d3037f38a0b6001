#!/bin/bash
# Fault: SIGKILL of the agent while new mappings are being made, in pba and
# session mode. Both subscribers keep opening new TCP and UDP flows (a new
# source port each time, ~7 s) and keep one ICMP echo flow going; the agent is
# killed with SIGKILL, left down for a while, and started again on the same
# pinned dataplane and ring buffer. Afterwards the logs must hold every
# mapping that was used exactly once (no seq twice), lookups must name the
# right subscriber for flows made before the kill, while the agent was down
# and after the restart, and traffic must have kept flowing meanwhile.
# MODES="..." runs only some modes; AGENT=... tests another agent binary.
. "$(dirname "$0")/lib.sh"

ATTR="$PY $ROOT/tests/integration/attr_check.py"
CTLCMD=(nsenter --net="/run/netns/$NS_NAT" "$CTL" -c "$CFG")

now_ms() { local t=$EPOCHREALTIME; echo "${t:0:14}"; }

# The loads run until $STOP exists (at most 30 s, 400 flows each: within
# the per-subscriber port quota of pba below).
load_running() { [ ! -e "$STOP" ] && [ "${EPOCHREALTIME%.*}" -lt $1 ] && [ $2 -lt 400 ]; }

# load_tcp NS SUBSCRIBER SRC_IP FIRST_PORT OUT: 20 new HTTP requests per
# second, each from a new source port (tcp_load.py); OUT gets
# "EPOCH.mmm HTTP_CODE" per request.
load_tcp() {
	in_ns "$1" $PY "$ROOT/tests/integration/tcp_load.py" "$3" $SRV_IP 8080 "$2" "$MODE" "$4" 20 400 "$STOP" "$5"
}

# load_udp NS SUBSCRIBER FIRST_PORT OUT: the same with UDP datagrams to the
# echo server; OUT gets "EPOCH.mmm ok|lost".
load_udp() {
	local ns=$1 sub=$2 p0=$3 out=$4 i=0 reply end=$(( ${EPOCHREALTIME%.*} + 30 ))
	while load_running $end $i; do
		reply=$(echo "/$sub/$MODE-u$i" | in_ns "$ns" socat -t 0.3 -T 1 - \
			UDP4:$SRV_IP:9000,sourceport=$((p0 + i)) 2>/dev/null)
		[ "$reply" = "echo:/$sub/$MODE-u$i" ] && echo "$(now_ms) ok" >>"$out" || echo "$(now_ms) lost" >>"$out"
		i=$((i + 1))
	done
}

# count_between FILE FROM TO [WORD]: lines "EPOCH WORD ..." with FROM <= EPOCH < TO.
count_between() {
	awk -v a="$2" -v b="$3" -v w="${4:-}" '$1 >= a && $1 < b && (w == "" || $2 == w) {n++} END {print n + 0}' "$1"
}

# ping_replies_between FILE FROM TO: replies of `ping -D` in the window.
ping_replies_between() {
	tr -d '[]' <"$1" | awk -v a="$2" -v b="$3" '/bytes from/ && $1 >= a && $1 < b {n++} END {print n + 0}'
}

# A UDP echo server that logs requests like the HTTP server does.
udp_server_start() {
	bg in_ns $NS_SRV socat -T 2 UDP4-RECVFROM:9000,bind=$SRV_IP,fork \
		SYSTEM:'read l; echo "echo:$l"; echo "$(date +%s.%3N) $SOCAT_PEERADDR $SOCAT_PEERPORT $l" >>'"$TMP/udp.log"
	sleep 0.3
}

echo "== SIGKILL of the agent under load (run $RUN)"
topology
http_server_start || { fail "HTTP server start"; summary; exit 1; }
udp_server_start
touch "$TMP/http.log" "$TMP/udp.log"

off=0
for MODE in ${MODES:-pba session}; do
	echo "-- mode $MODE"
	LOGDIR=$TMP/logs-$MODE
	if [ $MODE = pba ]; then
		# Small blocks: new blocks are allocated all along, also while
		# the agent is down (their events wait in the pinned ring).
		write_config pba "allocation:
  block_size: 16
  max_blocks_per_subscriber: 32"
	else
		write_config $MODE
	fi
	agent_stop
	# The previous mode's dataplane has another layout.
	if ! agent_start --replace; then fail "agent start in mode $MODE"; continue; fi
	http0=$(wc -l <"$TMP/http.log")
	udp0=$(wc -l <"$TMP/udp.log")
	agent_log0=$(wc -l <"$TMP/agent.log")

	# One long-lived ICMP flow per subscriber (an established mapping).
	STOP=$TMP/stop-$MODE
	bg in_ns $NS_SUB1 ping -D -n -i 0.2 -w 40 $SRV_IP >"$TMP/ping1-$MODE" 2>&1; pings=($!)
	bg in_ns $NS_SUB2 ping -D -n -i 0.2 -w 40 $SRV_IP >"$TMP/ping2-$MODE" 2>&1; pings+=($!)
	loads=()
	bg load_tcp $NS_SUB1 alice 100.64.1.10 $((20000 + off)) "$TMP/tcp1-$MODE"; loads+=($!)
	bg load_tcp $NS_SUB2 bob 100.64.2.10 $((30000 + off)) "$TMP/tcp2-$MODE"; loads+=($!)
	bg load_udp $NS_SUB1 alice $((40000 + off)) "$TMP/udp1-$MODE"; loads+=($!)
	bg load_udp $NS_SUB2 bob $((50000 + off)) "$TMP/udp2-$MODE"; loads+=($!)
	off=$((off + 2000))

	sleep 1.5
	t_kill=$(now_ms)
	agent_kill9
	sleep 1.5
	t_restart=$(now_ms)
	# Same config, no --replace: reuse the pinned dataplane and ring buffer.
	agent_start; restarted=$?
	# agent_start can see the killed agent's pins and status file: make
	# sure the new one is really running.
	sleep 0.2
	[ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null || restarted=1
	t_up=$(now_ms)
	[ $restarted -eq 0 ] || fail "$MODE: agent restart on the pinned dataplane after SIGKILL"
	[ $restarted -ne 0 ] || check "$MODE: the restarted agent reused the pinned dataplane" \
		bash -c "tail -n +$((agent_log0 + 1)) '$TMP/agent.log' | grep -q 'reusing the pinned dataplane'"
	sleep 2 # new flows after the restart
	touch "$STOP"
	wait "${loads[@]}"
	for p in "${pings[@]}"; do pkill -INT -P "$p"; done
	wait "${pings[@]}"
	sleep 0.5 # the agent flushes every 100ms
	agent_stop

	tail -n +$((http0 + 1)) "$TMP/http.log" >"$TMP/http-$MODE.log"
	tail -n +$((udp0 + 1)) "$TMP/udp.log" >"$TMP/udp-$MODE.log"
	cat "$TMP/tcp1-$MODE" "$TMP/tcp2-$MODE" >"$TMP/tcp-$MODE"
	cat "$TMP/udp1-$MODE" "$TMP/udp2-$MODE" >"$TMP/udp-$MODE"
	echo "   kill at $t_kill, restart at $t_restart, up at $t_up;" \
		"$(wc -l <"$TMP/http-$MODE.log") HTTP and $(wc -l <"$TMP/udp-$MODE.log") UDP requests served"

	# Traffic while the agent was down: new flows and the established ICMP one.
	t1=$(count_between "$TMP/tcp1-$MODE" $t_kill $t_restart 200)
	t2=$(count_between "$TMP/tcp2-$MODE" $t_kill $t_restart 200)
	u1=$(count_between "$TMP/udp1-$MODE" $t_kill $t_restart ok)
	u2=$(count_between "$TMP/udp2-$MODE" $t_kill $t_restart ok)
	p1=$(ping_replies_between "$TMP/ping1-$MODE" $t_kill $t_restart)
	p2=$(ping_replies_between "$TMP/ping2-$MODE" $t_kill $t_restart)
	check "$MODE: new TCP flows of both subscribers got answers while the agent was down ($t1 + $t2)" \
		test "$t1" -ge 2 -a "$t2" -ge 2
	check "$MODE: new UDP flows of both subscribers got answers while the agent was down ($u1 + $u2)" \
		test "$u1" -ge 1 -a "$u2" -ge 1
	check "$MODE: established ICMP flows kept flowing while the agent was down ($p1 + $p2 replies)" \
		test "$p1" -ge 4 -a "$p2" -ge 4
	check "$MODE: every HTTP request was answered" \
		bash -c "test \$(grep -vc ' 200\$' '$TMP/tcp-$MODE') -eq 0 && test \$(wc -l <'$TMP/tcp-$MODE') -eq \$(wc -l <'$TMP/http-$MODE.log')"
	check "$MODE: every UDP request was answered" \
		bash -c "test \$(grep -vc ' ok\$' '$TMP/udp-$MODE') -eq 0 && test \$(wc -l <'$TMP/udp-$MODE') -eq \$(wc -l <'$TMP/udp-$MODE.log')"

	# Every mapping used is in the logs exactly once.
	ev=block_alloc; [ $MODE = session ] && ev=session_create
	n=$($ATTR count "$LOGDIR" $ev $t_kill $t_restart)
	check "$MODE: the logs hold $ev records from while the agent was down ($n)" test "$n" -ge 1
	case $MODE in
	pba)
		check "pba: every public endpoint used is in exactly one block_alloc, of the right subscriber" \
			$ATTR blocks "$LOGDIR" "$TMP/http-$MODE.log" "$TMP/udp-$MODE.log" ;;
	session)
		check "session: every (public ip, port, proto) used has exactly one session_create, of the right subscriber" \
			$ATTR sessions "$LOGDIR" "tcp:$TMP/http-$MODE.log" "udp:$TMP/udp-$MODE.log" ;;
	esac
	check "$MODE: no seq appears twice across all log files" $ATTR seq "$LOGDIR"
	check "$MODE: no event lost (seq values contiguous)" $ATTR seq --contiguous "$LOGDIR"

	# Lookups name the right subscriber before, during and after the downtime.
	for phase in "before the kill|0|$t_kill" "while the agent was down|$t_kill|$t_up" "after the restart|$t_up|9999999999"; do
		IFS='|' read -r what from to <<<"$phase"
		check "$MODE: TCP requests $what are attributed to the right subscriber" \
			$ATTR lookups --proto tcp --after $from --before $to "$TMP/http-$MODE.log" -- "${CTLCMD[@]}"
		check "$MODE: UDP requests $what are attributed to the right subscriber" \
			$ATTR lookups --proto udp --after $from --before $to "$TMP/udp-$MODE.log" -- "${CTLCMD[@]}"
	done
done

# Pinned maps from another cgnat version (one map of this version missing):
# refused with a hint, not half reused.
echo "-- pins of another version"
write_config pba
agent_stop
agent_start --replace || fail "agent start for the version check"
agent_kill9
rm -f "$PIN/cgnat_block_fill"
timeout 20 nsenter --net="/run/netns/$NS_NAT" "$AGENT" -c "$CFG" >"$TMP/version.log" 2>&1
rc=$?
check "an agent refuses pinned maps that lack one of its maps (exit $rc)" test $rc -ne 0 -a $rc -ne 124
check "the refusal names the missing map and --replace" \
	grep -q "lack cgnat_block_fill.*--replace" "$TMP/version.log"
agent_start --replace || fail "agent start with --replace over the old pins"
check "--replace starts over the pins of another version" ctl status
agent_stop

check_sanitizer_clean
summary
