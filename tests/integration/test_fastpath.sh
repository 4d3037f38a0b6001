#!/bin/bash
# Fast path end to end: ICMP, traceroute through the NAT, HTTP over TCP,
# UDP both ways, two subscribers at once, no inside address ever leaves,
# unsolicited inbound traffic dropped.
. "$(dirname "$0")/lib.sh"

echo "== fast path (run $RUN)"
topology
write_config pba
agent_start || { fail "agent start"; summary; exit 1; }
http_server_start

# Capture everything the NAT sends towards the internet.
bg in_ns $NS_RTR tcpdump -nn -U -i r$RUN -w "$TMP/outside.pcap" ip
sleep 1

check "sub1 pings the server" in_ns $NS_SUB1 ping -c 3 -i 0.2 -W 2 $SRV_IP
check "sub2 pings the server" in_ns $NS_SUB2 ping -c 3 -i 0.2 -W 2 $SRV_IP

for mode in "-U" "-I" "-T -p 8080"; do
	in_ns $NS_SUB1 traceroute -n -q 1 -w 2 $mode $SRV_IP >"$TMP/trace" 2>&1
	check "traceroute $mode shows the NAT, the router past it, and the server" \
		bash -c "grep -q '^ 1  100.64.1.1 ' '$TMP/trace' && grep -q '^ 2  192.0.2.2 ' '$TMP/trace' && grep -q '^ 3  $SRV_IP ' '$TMP/trace'"
done

# Two subscribers fetch at the same time.
in_ns $NS_SUB1 curl -s -m 5 -o "$TMP/body1" "http://$SRV_IP:8080/sub1" &
c1=$!
in_ns $NS_SUB2 curl -s -m 5 -o "$TMP/body2" "http://$SRV_IP:8080/sub2" &
c2=$!
wait $c1; r1=$?
wait $c2; r2=$?
check "sub1 fetches over HTTP" test $r1 -eq 0 -a -s "$TMP/body1"
check "sub2 fetches over HTTP at the same time" test $r2 -eq 0 -a -s "$TMP/body2"
check "the server sees pool addresses only" \
	bash -c "awk '{print \$2}' '$TMP/http.log' | grep -qv '^198\.51\.100\.[0-7]\$' && exit 1; test \$(wc -l <'$TMP/http.log') -eq 2"
check "the two subscribers have different public endpoints" \
	bash -c "test \$(awk '{print \$2\":\"\$3}' '$TMP/http.log' | sort -u | wc -l) -eq 2"
check "the two subscribers' endpoints belong to different port blocks" \
	bash -c "test \$(awk '{print \$2\":\"int((\$3-1024)/256)}' '$TMP/http.log' | sort -u | wc -l) -eq 2"

# UDP, outbound then inbound: the server echoes to the mapping, and a
# second server port reaches the same mapping (endpoint-independent
# filtering is the default, RFC 4787 REQ-8).
bg in_ns $NS_SRV socat -T 5 UDP4-RECVFROM:9000,bind=$SRV_IP,fork SYSTEM:'read l; echo "echo:$l"; echo "$SOCAT_PEERADDR:$SOCAT_PEERPORT" >>'"$TMP/udp_peers"
sleep 0.5
out=$(in_ns $NS_SUB1 bash -c "echo ping | socat -T 3 - UDP4:$SRV_IP:9000,sourceport=40000")
check "UDP request and reply through the NAT" test "$out" = "echo:ping"
peer=$(head -1 "$TMP/udp_peers" 2>/dev/null)
check "the UDP server sees a pool address" bash -c "echo '$peer' | grep -q '^198\.51\.100\.'"
bg in_ns $NS_SUB1 socat -u -T 6 UDP4-RECV:40000,bind=100.64.1.10 OPEN:"$TMP/udp_in",creat
sleep 0.3
in_ns $NS_SRV bash -c "echo unsolicited-but-mapped | socat -u - UDP4-SENDTO:$peer,sourceport=9001"
wait_for 5 grep -q unsolicited-but-mapped "$TMP/udp_in"
check "UDP from another server port reaches the subscriber (EIM/EIF)" grep -q unsolicited-but-mapped "$TMP/udp_in"

# A datagram bigger than the MTU crosses as fragments both ways (the
# later fragments follow their first fragment's translation).
bg in_ns $NS_SRV $PY "$ROOT/tests/integration/udp_peer.py" echo $SRV_IP 7000 "$TMP/frag_peers"
sleep 0.3
out=$(in_ns $NS_SUB2 $PY "$ROOT/tests/integration/udp_peer.py" flows $SRV_IP 7000 3 --size 3000)
check "3000-byte UDP datagrams go out and come back as fragments" \
	bash -c "echo '$out' | grep -q '\"ok\": 3'"
check "the NAT translated non-first fragments" test "$(stat_value xlate_fragment)" -ge 6

# Unsolicited traffic to pool addresses without a mapping is dropped.
before=$(stat_value drop_no_mapping)
in_ns $NS_SRV bash -c "echo nobody | socat -u - UDP4-SENDTO:198.51.100.3:5555"
in_ns $NS_SRV curl -s -m 2 "http://198.51.100.4:80/" >/dev/null
after=$(stat_value drop_no_mapping)
check "unsolicited UDP and TCP to the pool are dropped and counted" test "$after" -ge $((before + 2))

# Sessions are visible.
ctl sessions >"$TMP/sessions"
check "cgnatctl sessions lists the subscribers' mappings" \
	bash -c "grep -q '100.64.1.10:40000' '$TMP/sessions' && grep -q '^tcp ' '$TMP/sessions' && grep -q '^icmp ' '$TMP/sessions'"
check "cgnatctl status reports a running agent" ctl status
check "cgnatctl subscriber takes a subscriber id from the database" \
	bash -c "nsenter --net=/run/netns/$NS_NAT $CTL -c $CFG subscriber alice | grep -q '^subscriber   100.64.1.10'"

sleep 1
bg_kill "${BG_PIDS[0]}"
sleep 0.5
check "the capture on the outside link holds traffic" bash -c "test \$(tcpdump -nn -r '$TMP/outside.pcap' 2>/dev/null | wc -l) -gt 20"
check "no 100.64.0.0/10 source ever left the NAT" \
	bash -c "test \$(tcpdump -nn -r '$TMP/outside.pcap' 'src net 100.64.0.0/10' 2>/dev/null | wc -l) -eq 0"

agent_stop
check "SIGTERM detaches the dataplane and removes the pins" bash -c "! test -e '$PIN'"
check "no XDP program is left on the interfaces" bash -c "! ip -n $NS_NAT link show $IF_OUT | grep -q xdp"
check_sanitizer_clean
summary
