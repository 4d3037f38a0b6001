#!/bin/bash
# Attribution end to end, in each mode (pba, deterministic, session): two
# subscribers fetch from a real HTTP server, and for every request in the
# server's log `cgnatctl lookup IP:PORT --at TIME` must name the subscriber
# that really made it. Unused ports and times before the agent ran must be
# "no match". Deterministic mode: forward/reverse agree with what the server
# saw. PBA: block_alloc records, and a block_active checkpoint after a restart.
# MODES="..." runs only some modes; AGENT=... tests another agent binary.
. "$(dirname "$0")/lib.sh"

ATTR="$PY $ROOT/tests/integration/attr_check.py"
CTLCMD=(nsenter --net="/run/netns/$NS_NAT" "$CTL" -c "$CFG")

# fetch NS SUBSCRIBER LOCAL_PORT TAG: one request; the path names the
# subscriber so the server's log says who really sent it.
fetch() {
	in_ns "$1" curl -s -m 5 --local-port "$3" -o /dev/null -w '%{http_code}\n' \
		"http://$SRV_IP:8080/$2/$4" >>"$TMP/codes-$MODE"
}

# Both subscribers: a concurrent burst, an interleaved sequence with a few
# hundred ms between requests, another burst. Local ports are distinct.
traffic() {
	local b=$1 i pids=()
	for i in 0 1 2 3; do
		fetch $NS_SUB1 alice $((b + i)) "$MODE-burst-$i" & pids+=($!)
		fetch $NS_SUB2 bob $((b + 500 + i)) "$MODE-burst-$i" & pids+=($!)
	done
	wait "${pids[@]}"
	for i in 4 5 6; do
		fetch $NS_SUB1 alice $((b + i)) "$MODE-seq-$i"
		sleep 0.3
		fetch $NS_SUB2 bob $((b + 500 + i)) "$MODE-seq-$i"
		sleep 0.2
	done
	pids=()
	for i in 7 8 9; do
		fetch $NS_SUB2 bob $((b + 500 + i)) "$MODE-burst2-$i" & pids+=($!)
		fetch $NS_SUB1 alice $((b + i)) "$MODE-burst2-$i" & pids+=($!)
	done
	wait "${pids[@]}"
}
REQUESTS=20 # per mode: 10 per subscriber

# lookup_expect RC ENDPOINT TIME: exit code and verdict of one lookup.
lookup_expect() {
	local want=$1 rc
	ctl --json lookup "$2" --at "$3" --proto tcp >"$TMP/lk.json"; rc=$?
	cat "$TMP/lk.json"
	[ "$rc" -eq "$want" ] || { echo "exit $rc, want $want"; return 1; }
	[ "$want" -ne 1 ] || grep -q '"result":"no match"' "$TMP/lk.json"
}

# det_forward_matches INSIDE_IP SUBSCRIBER: `cgnatctl forward` gives the
# address and range every request of that subscriber came from.
det_forward_matches() {
	ctl --json forward "$1" >"$TMP/fwd.json" || { echo "forward failed"; return 1; }
	cat "$TMP/fwd.json"
	$PY - "$TMP/fwd.json" "$TMP/http-$MODE.log" "$2" <<-'EOF'
	import json, sys
	f = json.load(open(sys.argv[1]))
	seen = [l.split() for l in open(sys.argv[2]) if l.split()[3].split("/")[1] == sys.argv[3]]
	bad = [s for s in seen if s[1] != f["outside_ip"] or not f["port_first"] <= int(s[2]) <= f["port_last"]]
	print("%d requests of %s, %d outside %s:%d-%d: %s" % (len(seen), sys.argv[3], len(bad),
	      f["outside_ip"], f["port_first"], f["port_last"], bad[:3]))
	sys.exit(1 if bad or not seen else 0)
	EOF
}

# det_reverse_names SUBSCRIBER INSIDE_IP: `cgnatctl reverse` of every
# endpoint the server saw for that subscriber names its inside address.
det_reverse_names() {
	local ip port n=0
	while read -r _ ip port _; do
		ctl --json reverse "$ip:$port" >"$TMP/rev.json" || { echo "reverse $ip:$port failed"; return 1; }
		grep -q "\"inside_ip\":\"$2\"" "$TMP/rev.json" || { cat "$TMP/rev.json"; return 1; }
		n=$((n + 1))
	done < <(grep " /$1/" "$TMP/http-$MODE.log")
	echo "$n endpoints reversed"
	[ $n -gt 0 ]
}

reverse_none() { ctl reverse "$1"; [ $? -eq 1 ]; }

echo "== attribution in every mode (run $RUN)"
topology
http_server_start || { fail "HTTP server start"; summary; exit 1; }
touch "$TMP/http.log"

base=40000
for MODE in ${MODES:-pba deterministic session}; do
	echo "-- mode $MODE"
	LOGDIR=$TMP/logs-$MODE
	case $MODE in
	pba)
		# keep_on_exit: the restart below must find the blocks still held.
		write_config pba "  keep_on_exit: true" ;;
	deterministic)
		# 512 subscribers on 8 addresses, 1000 ports each: 65024-65535
		# belong to nobody.
		write_config deterministic "allocation:
  ports_per_subscriber: 1000"
		sed -i 's|prefixes: \[100.64.0.0/16\]|prefixes: [100.64.1.0/24, 100.64.2.0/24]|' "$CFG" ;;
	session)
		write_config session ;;
	esac
	agent_stop # the previous mode's agent (pba: keep_on_exit leaves its dataplane)
	t_before=$(date +%s.%3N)
	sleep 0.05
	# The previous mode left a pinned dataplane of another layout.
	if ! agent_start --replace; then fail "agent start in mode $MODE"; continue; fi
	lines=$(wc -l <"$TMP/http.log")
	traffic $base
	base=$((base + 1000))
	sleep 0.5 # flush_interval is 100ms
	tail -n +$((lines + 1)) "$TMP/http.log" >"$TMP/http-$MODE.log"

	check "$MODE: all $REQUESTS requests answered" \
		bash -c "test \$(grep -c '^200\$' '$TMP/codes-$MODE') -eq $REQUESTS && test \$(wc -l <'$TMP/http-$MODE.log') -eq $REQUESTS"
	check "$MODE: lookup of every request names the subscriber that made it" \
		$ATTR lookups --min $REQUESTS "$TMP/http-$MODE.log" -- "${CTLCMD[@]}"

	read -r t_mid first_ip first_port _ < <(sed -n 5p "$TMP/http-$MODE.log")
	check "$MODE: lookup before the agent started is no match" \
		lookup_expect 1 "$first_ip:$first_port" "$t_before"
	if [ $MODE = deterministic ]; then
		unused=$first_ip:65500
	else
		unused=$($ATTR unused "$LOGDIR" 198.51.100.0 8)
	fi
	check "$MODE: lookup of a pool port nobody used ($unused) is no match" \
		lookup_expect 1 "$unused" "$t_mid"

	case $MODE in
	pba)
		check "pba: the logs hold block_alloc records" \
			bash -c "test \$($ATTR count '$LOGDIR' block_alloc) -ge 2"
		check "pba: every endpoint the server saw is in exactly one block_alloc of its subscriber" \
			$ATTR blocks "$LOGDIR" "$TMP/http-$MODE.log"
		agent_stop
		if agent_start; then
			sleep 0.3
			check "pba: after a restart the new file's checkpoint holds the blocks in use (block_active)" \
				$ATTR checkpoint "$LOGDIR" block_active "$TMP/http-$MODE.log"
			check "pba: after the restart every request is still attributed" \
				$ATTR lookups --min $REQUESTS "$TMP/http-$MODE.log" -- "${CTLCMD[@]}"
		else
			fail "pba: agent restart on the pinned dataplane"
		fi
		;;
	deterministic)
		check "deterministic: forward 100.64.1.10 is the address and range the server saw for alice" \
			det_forward_matches 100.64.1.10 alice
		check "deterministic: forward 100.64.2.10 is the address and range the server saw for bob" \
			det_forward_matches 100.64.2.10 bob
		check "deterministic: reverse of alice's endpoints names 100.64.1.10" \
			det_reverse_names alice 100.64.1.10
		check "deterministic: reverse of bob's endpoints names 100.64.2.10" \
			det_reverse_names bob 100.64.2.10
		check "deterministic: reverse of an unassigned port is no match" reverse_none "$unused"
		check "deterministic: the logs hold no per-session or block records" \
			bash -c "test \$($ATTR count '$LOGDIR' block_alloc) -eq 0 -a \$($ATTR count '$LOGDIR' session_create) -eq 0"
		;;
	session)
		check "session: every endpoint the server saw has exactly one session_create of its subscriber" \
			$ATTR sessions "$LOGDIR" "tcp:$TMP/http-$MODE.log"
		;;
	esac
	[ $MODE = deterministic ] || check "$MODE: no seq appears twice in the logs" $ATTR seq "$LOGDIR"
done

agent_stop
check_sanitizer_clean
summary
