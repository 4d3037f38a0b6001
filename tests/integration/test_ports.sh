#!/bin/bash
# Subscriber port management end to end: 2,000 flows of one subscriber on
# one public address inside its blocks, a second subscriber on other
# blocks, the quota refusing new flows with ICMP 3/13 while old ones keep
# working, expiry and reuse with short timeouts, deterministic mode.
. "$(dirname "$0")/lib.sh"

echo "== port management (run $RUN)"
topology
bg in_ns $NS_SRV $PY "$ROOT/tests/integration/udp_peer.py" echo $SRV_IP 7000 "$TMP/peers"
flows() { in_ns "$1" $PY "$ROOT/tests/integration/udp_peer.py" flows $SRV_IP 7000 "${@:2}"; }
jget() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# --- PBA: 2,000 flows ---------------------------------------------------
write_config pba "allocation:
  block_size: 256
  max_blocks_per_subscriber: 10
limits:
  max_sessions_per_subscriber: 4096"
agent_start || { fail "agent start"; summary; exit 1; }

out=$(flows $NS_SUB1 2000)
check "subscriber 1 opens 2,000 UDP flows, all answered" \
	test "$(echo "$out" | jget "d['first'].get('ok', 0)")" = 2000
ctl --json subscriber 100.64.1.10 >"$TMP/sub1.json"
ctl --json subscriber 100.64.2.10 >/dev/null
grep -v '^$' "$TMP/peers" >"$TMP/peers1"
check "the server saw 2,000 distinct public endpoints" test "$(sort -u "$TMP/peers1" | wc -l)" -eq 2000
check "all of subscriber 1's flows use one public address (paired pooling)" \
	test "$(cut -d: -f1 "$TMP/peers1" | sort -u | wc -l)" -eq 1
check "every public port lies inside one of subscriber 1's blocks" $PY - "$TMP/sub1.json" "$TMP/peers1" <<'EOF'
import json, sys
sub = json.load(open(sys.argv[1]))
blocks = [(b["public_ip"], b["port_first"], b["port_last"]) for b in sub["blocks"]]
assert len(blocks) >= 8, blocks            # 2,000 ports need 8 blocks of 256
for line in open(sys.argv[2]):
    ip, port = line.strip().split(":")
    assert any(ip == b[0] and b[1] <= int(port) <= b[2] for b in blocks), line
EOF
: >"$TMP/peers"
out=$(flows $NS_SUB2 50)
check "subscriber 2's flows are answered" test "$(echo "$out" | jget "d['first'].get('ok', 0)")" = 50
ctl --json subscriber 100.64.2.10 >"$TMP/sub2.json"
check "subscriber 2 holds other blocks than subscriber 1" $PY - "$TMP/sub1.json" "$TMP/sub2.json" "$TMP/peers" <<'EOF'
import json, sys
one = {(b["public_ip"], b["port_first"]) for b in json.load(open(sys.argv[1]))["blocks"]}
two = json.load(open(sys.argv[2]))["blocks"]
assert two and not one & {(b["public_ip"], b["port_first"]) for b in two}
for line in open(sys.argv[3]):
    ip, port = line.strip().split(":")
    assert any(ip == b["public_ip"] and b["port_first"] <= int(port) <= b["port_last"] for b in two), line
EOF
ctl stats >"$TMP/stats"
check "stats: the top subscriber is subscriber 1 with its ports" \
	bash -c "grep -A1 '^TOP SUBSCRIBERS' '$TMP/stats' | grep -q '^100.64.1.10 '"

# --- quota: reload with a lower session limit ----------------------------
sessions=$(ctl --json subscriber 100.64.1.10 | jget "d['sessions_counted']")
sed -i "s/max_sessions_per_subscriber: 4096/max_sessions_per_subscriber: $((sessions + 20))/" "$CFG"
kill -HUP "$AGENT_PID"
wait_for 5 grep -q "configuration reloaded" "$TMP/agent.log"
check "SIGHUP applies a lower per-subscriber session limit" grep -q "configuration reloaded" "$TMP/agent.log"
before=$(stat_value drop_quota_sessions)
# Fixed source ports below the ephemeral range: a reused ephemeral port
# would (rightly) reuse its old mapping instead of making a new one.
out=$(flows $NS_SUB1 60 --resend 20 --base-port 20000)
check "20 more flows fit, the next ones are refused with ICMP type 3 code 13" \
	bash -c "echo 'got: $out icmp_sent=$(stat_value icmp_sent) rate_limited=$(stat_value icmp_rate_limited) quota=$(stat_value drop_quota_sessions)'; test \"\$(echo '$out' | $PY -c \"import json,sys; d=json.load(sys.stdin)['first']; print(d.get('ok', 0), d.get('icmp-3-13', 0))\")\" = '20 40'"
check "the refused flows were counted" test "$(stat_value drop_quota_sessions)" -ge $((before + 40))
check "subscriber 1's existing flows still work over the quota" \
	test "$(echo "$out" | jget "d['resend'].get('ok', 0)")" = 20
check "a quota_exceeded record is in the log" bash -c "cat '$LOGDIR'/*.jsonl | grep -q '\"event\":\"quota_exceeded\".*100.64.1.10'"
out=$(flows $NS_SUB2 5)
check "subscriber 2 is not limited by subscriber 1's quota" \
	test "$(echo "$out" | jget "d['first'].get('ok', 0)")" = 5
agent_stop

# --- short timeouts: expiry, hold, block release, reuse -----------------
rm -rf "$LOGDIR"
write_config pba "allocation:
  block_size: 64
  block_idle_timeout: 2s
timeouts:
  udp: 2s
  port_hold: 2s
  enforce_rfc_minimums: false"
agent_start --replace || { fail "agent start (short timeouts)"; summary; exit 1; }
out=$(flows $NS_SUB1 100)
check "100 flows with short timeouts" test "$(echo "$out" | jget "d['first'].get('ok', 0)")" = 100
check "they hold blocks" test "$(ctl --json subscriber 100.64.1.10 | jget "len(d['blocks'])")" -ge 2
wait_for 20 bash -c "test \"\$(nsenter --net=/run/netns/$NS_NAT $CTL -c $CFG --json subscriber 100.64.1.10 | $PY -c 'import json,sys; d=json.load(sys.stdin); print(len(d[\"sessions\"]), len(d[\"blocks\"]))')\" = '0 0'"
check "sessions expire, held ports are freed, idle blocks go back to the pool" \
	test "$(ctl --json subscriber 100.64.1.10 | jget "(len(d['sessions']), len(d['blocks']))")" = "(0, 0)"
check "the log records the block releases" bash -c "cat '$LOGDIR'/*.jsonl | grep -q '\"event\":\"block_release\".*100.64.1.10'"
check "cgnatctl status counts the expiries" \
	bash -c "ctl_out=\$(nsenter --net=/run/netns/$NS_NAT $CTL -c $CFG --json status); echo \"\$ctl_out\" | grep -q '\"mappings_expired\":[1-9]'"
allocs=$(cat "$LOGDIR"/*.jsonl | grep -c '"event":"block_alloc"')
# The subscriber database is re-read on SIGHUP; a broken one is refused
# and the one in force stays.
printf '100.64.1.10,alice\n100.64.1.10/33,broken\n' >"$TMP/subscribers.csv"
kill -HUP "$AGENT_PID"
wait_for 5 grep -q "reload refused: subscriber database" "$TMP/agent.log"
check "a broken subscriber database is refused on SIGHUP, the agent keeps running" \
	bash -c "grep -q 'reload refused: subscriber database.*subscribers.csv:2' '$TMP/agent.log' && kill -0 $AGENT_PID"
printf '100.64.1.10,alice-renamed\n100.64.2.10,bob\n' >"$TMP/subscribers.csv"
kill -HUP "$AGENT_PID"
wait_for 5 bash -c "test \$(grep -c 'configuration reloaded' '$TMP/agent.log') -ge 1"
out=$(flows $NS_SUB1 100)
check "new flows after the release are answered" test "$(echo "$out" | jget "d['first'].get('ok', 0)")" = 100
check "they got blocks again from the pool" \
	test "$(cat "$LOGDIR"/*.jsonl | grep -c '"event":"block_alloc"')" -gt "$allocs"
check "records after the reload carry the subscriber id from the new database" \
	bash -c "cat '$LOGDIR'/*.jsonl | grep '\"event\":\"block_alloc\"' | tail -1 | grep -q '\"subscriber\":\"alice-renamed\"'"
agent_stop

# --- deterministic: the server sees what cgnatctl forward says ----------
write_config deterministic ""
sed -i 's|prefixes: \[100.64.0.0/16\]|prefixes: [100.64.1.0/24, 100.64.2.0/24]|' "$CFG"
agent_start --replace || { fail "agent start (deterministic)"; summary; exit 1; }
: >"$TMP/peers"
flows $NS_SUB1 3 >/dev/null
flows $NS_SUB2 3 >/dev/null
for sub in 100.64.1.10 100.64.2.10; do
	fwd=$(ctl --json forward $sub)
	check "deterministic: $sub appears at the address and in the range cgnatctl forward gives" \
		$PY - "$fwd" "$TMP/peers" "$sub" <<'EOF'
import json, sys
f = json.loads(sys.argv[1])
mine = [l.strip().split(":") for l in open(sys.argv[2])]
hits = [p for p in mine if p[0] == f["outside_ip"] and f["port_first"] <= int(p[1]) <= f["port_last"]]
assert len(hits) == 3, (f, mine)
EOF
	port=$(ctl --json forward $sub | jget "d['port_first'] + 5")
	ip=$(ctl --json forward $sub | jget "d['outside_ip']")
	check "deterministic: cgnatctl reverse $ip:$port names $sub" \
		test "$(ctl --json reverse "$ip:$port" | jget "d['inside_ip']")" = "$sub"
done
agent_stop
check_sanitizer_clean
summary
