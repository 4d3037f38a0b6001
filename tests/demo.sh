#!/bin/bash
# make demo: a namespaced network running cgnat with the default
# configuration (configs/cgnat.yaml; only the pin and log paths are moved
# so a real installation is never touched), real traffic through the NAT,
# then sessions, statistics, the attribution log and a lookup. Everything
# is removed on exit.
#
#   alice 100.64.0.10 --\                                   rtr                 srv
#                       sw0 (access) -- eth1 [nat] eth0 -- 192.0.2.2 | 192.0.2.129 -- 192.0.2.130 (HTTP, UDP echo)
#   bob   100.64.0.20 --/               100.64.0.1  192.0.2.1
. "$(dirname "$0")/integration/lib.sh"

AGENT=$ROOT/build/cgnatd
NS_ACC=cg-acc-$RUN
IF_IN1=eth1 IF_OUT=eth0
PIN=/sys/fs/bpf/cgnat-demo-$RUN
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
must() { run "$@" || { echo "demo FAILED at: $*"; exit 1; }; }

demo_cleanup() { ip netns del $NS_ACC 2>/dev/null; cleanup; }
trap demo_cleanup EXIT

demo_topology() {
	local n
	for n in $NS_SUB1 $NS_SUB2 $NS_ACC $NS_NAT $NS_RTR $NS_SRV; do
		ip netns add "$n"; ip -n "$n" link set lo up
	done
	ip -n $NS_ACC link add name sw0 type bridge
	ip link add a1$RUN netns $NS_ACC type veth peer name eth0 netns $NS_SUB1
	ip link add a2$RUN netns $NS_ACC type veth peer name eth0 netns $NS_SUB2
	ip link add an$RUN netns $NS_ACC type veth peer name eth1 netns $NS_NAT
	ip link add r$RUN netns $NS_RTR type veth peer name eth0 netns $NS_NAT
	ip link add rs$RUN netns $NS_RTR type veth peer name eth0 netns $NS_SRV
	for n in a1$RUN a2$RUN an$RUN; do ip -n $NS_ACC link set $n master sw0 up; done
	ip -n $NS_ACC link set sw0 up
	ip -n $NS_SUB1 addr add 100.64.0.10/24 dev eth0
	ip -n $NS_SUB2 addr add 100.64.0.20/24 dev eth0
	ip -n $NS_NAT addr add 100.64.0.1/24 dev eth1
	ip -n $NS_NAT addr add 192.0.2.1/30 dev eth0
	ip -n $NS_RTR addr add 192.0.2.2/30 dev r$RUN
	ip -n $NS_RTR addr add 192.0.2.129/25 dev rs$RUN
	ip -n $NS_SRV addr add $SRV_IP/25 dev eth0
	for n in "$NS_SUB1 eth0" "$NS_SUB2 eth0" "$NS_NAT eth1" "$NS_NAT eth0" "$NS_RTR r$RUN" \
		 "$NS_RTR rs$RUN" "$NS_SRV eth0"; do
		set -- $n; ip -n "$1" link set "$2" up
	done
	ip -n $NS_SUB1 route add default via 100.64.0.1
	ip -n $NS_SUB2 route add default via 100.64.0.1
	ip -n $NS_NAT route add default via 192.0.2.2
	ip -n $NS_RTR route add 198.51.100.0/24 via 192.0.2.1
	ip -n $NS_RTR route add 203.0.113.0/24 via 192.0.2.1
	ip -n $NS_SRV route add default via 192.0.2.129
	in_ns $NS_NAT sysctl -qw net.ipv4.ip_forward=1
	in_ns $NS_RTR sysctl -qw net.ipv4.ip_forward=1
	# Full checksums from the veth senders (a NIC never delivers partial
	# ones), and GRO where XDP redirects frames into a veth.
	for n in $NS_SUB1 $NS_SUB2 $NS_SRV; do in_ns $n ethtool -K eth0 tx off >/dev/null; done
	in_ns $NS_RTR ethtool -K rs$RUN tx off >/dev/null
	in_ns $NS_ACC ethtool -K an$RUN gro on >/dev/null
	in_ns $NS_RTR ethtool -K r$RUN gro on >/dev/null
}

say "building the demo network (namespaces *-$RUN)"
demo_topology || { echo "demo FAILED: cannot build the network"; exit 1; }
sed -e "s|^\(  *directory:\).*|\1 $LOGDIR|" -e "s|^\(  *pin_path:\).*|\1 $PIN|" \
    -e "s|^\(  *database:\).*|\1 $TMP/subscribers.csv|" \
    "$ROOT/configs/cgnat.yaml" >"$CFG"
printf '# inside address or prefix, subscriber id\n100.64.0.10,alice\n100.64.0.20,bob\n' >"$TMP/subscribers.csv"
must "$AGENT" -c "$CFG" --check

say "starting cgnatd with the default configuration"
agent_start || exit 1
sed 's/^/  /' "$TMP/agent.log"
http_server_start
bg in_ns $NS_SRV socat UDP4-RECVFROM:9000,bind=$SRV_IP,fork SYSTEM:'read l; echo "echo: $l"'
sleep 0.5

say "traffic from two subscribers"
must in_ns $NS_SUB1 ping -c 2 -i 0.2 $SRV_IP
run in_ns $NS_SUB1 traceroute -n -q 1 -w 1 $SRV_IP
must in_ns $NS_SUB1 curl -s http://$SRV_IP:8080/alice
must in_ns $NS_SUB2 curl -s http://$SRV_IP:8080/bob
echo 'hello over UDP' | must in_ns $NS_SUB2 socat -T 2 - UDP4:$SRV_IP:9000
echo "the HTTP server logged (time, client address, client port, path):"
sed 's/^/  /' "$TMP/http.log"

say "the NAT's view"
run ctl status
run ctl sessions
run ctl subscriber 100.64.0.10
run ctl stats
sleep 0.5

say "attribution log ($LOGDIR)"
for f in "$LOGDIR"/*.jsonl; do echo "$f:"; sed 's/^/  /' "$f"; done

say "who was behind the public address in the server's log?"
read -r t ip port path <"$TMP/http.log"
must ctl lookup "$ip:$port" --at "$t" --proto tcp

say "demo done; removing the network"
