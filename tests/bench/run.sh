#!/bin/bash
# make bench: every benchmark of DESIGN.md section 7, side by side in one
# run, printed as a table and written to docs/BENCHMARKS.md (with the
# machine, the kernel and the method of each figure).
#
#   tests/bench/run.sh            (make bench builds first, then runs this)
#
# Environment knobs, for development only (the defaults are the benchmark):
#   BENCH_PPS_SECS=0.25  BENCH_PPS_REPS=80  BENCH_REPS=5  BENCH_COST_SECS=5  BENCH_NEW_SECS=0.2
#   BENCH_SESSIONS=1000000  BENCH_HISTORY_DAYS=90  BENCH_OUT=docs/BENCHMARKS.md
#   BENCH_MAX_SESSIONS=2097152 (cgnat's limits.max_sessions on the traffic topology)
#   BENCH_ONLY="pps cost new memory gc events lookup" (a subset)
#   KEEP_TMP=1 (keep the work directory)
#
# Traffic only flows between namespaces made here (DESIGN.md section 6):
# subscribers 100.64.0.0/10, pool 198.51.100.0/26, "internet" sink
# 192.0.2.2. Names carry a per-run suffix; an EXIT trap removes them.
#
#   gen ns                    NAT ns (one per variant)                 sink ns
#   xdpgen -> g<v>  ==veth==  i<v> 100.64.0.1/10 | o<v> 192.0.2.1/24  ==veth==  s<v> (XDP drop, counted)
#   v = a: cgnatd (XDP)   b: kernel forwarding + nftables snat to the pool
#       c: plain XDP forwarder   d: kernel forwarding + nftables masquerade
#
# Cores: the generator and the receive work of g<v> and s<v> (threaded
# NAPI) run on CPU 0, the receive work of i<v> and o<v> - the NAT itself -
# on CPU 1, so the NAT is measured at its own capacity, as a NIC queue
# with its own core would run it.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
RUN=${RUN:-$(printf '%04x' $(( ($$ + RANDOM) & 0xffff )))}
TMP=$(mktemp -d "/tmp/cgnat-bench-$RUN.XXXX")
B=$ROOT/build/bench
RES=$TMP/results
OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
# Short slices, many alternations: this shared VM's speed drifts within
# seconds, and a drift should hit the four variants alike.
PPS_SECS=${BENCH_PPS_SECS:-0.25}
PPS_REPS=${BENCH_PPS_REPS:-80}
REPS=${BENCH_REPS:-5}
COST_SECS=${BENCH_COST_SECS:-5}
NEW_SECS=${BENCH_NEW_SECS:-0.2}
GEN_CPU=0
NAT_CPU=$(( $(nproc) > 1 ? 1 : 0 ))
CT_MAX_OLD= CT_HASH_OLD=
SESSIONS=${BENCH_SESSIONS:-1000000}
HISTORY_DAYS=${BENCH_HISTORY_DAYS:-90}

NS_G=cgb-gen-$RUN NS_S=cgb-sink-$RUN
NS_A=cgb-nata-$RUN NS_B=cgb-natb-$RUN NS_C=cgb-natc-$RUN NS_D=cgb-natd-$RUN
PIN=/sys/fs/bpf/cgnat-bench-$RUN
CFG_A=$TMP/cgnat-a.yaml
CTL=$ROOT/build/cgnatctl
AGENT=$ROOT/build/cgnatd
AGENT_PID=
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_OLD=
FAILED=()
T_START=$SECONDS

log() { printf '[bench %3ds] %s\n' $((SECONDS - T_START)) "$*" >&2; }
res() { echo "$1=$2" >>"$RES"; }
fail() { FAILED+=("$1"); res "fail.$1" "${2:-failed}"; log "FAILED: $1: ${2:-}"; }
nat_ns() { case $1 in a) echo "$NS_A" ;; b) echo "$NS_B" ;; c) echo "$NS_C" ;; d) echo "$NS_D" ;; esac; }
vnum() { case $1 in a) echo 1 ;; b) echo 2 ;; c) echo 3 ;; d) echo 4 ;; esac; }
kernel_nat() { [ $1 = b ] || [ $1 = d ]; }
mac() { echo "02:b0:0$(vnum "$1"):00:00:0$2"; } # 1 gen, 2 NAT inside, 3 NAT outside, 4 sink
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ctl_a() { nsenter --net="/run/netns/$NS_A" "$CTL" -c "$CFG_A" "$@"; }

cleanup() {
	local n
	[ -n "$STATS_OLD" ] && echo "$STATS_OLD" >"$STATS_SYSCTL"
	[ -n "$CT_MAX_OLD" ] && echo "$CT_MAX_OLD" >/proc/sys/net/netfilter/nf_conntrack_max
	[ -n "$CT_HASH_OLD" ] && echo "$CT_HASH_OLD" >/sys/module/nf_conntrack/parameters/hashsize
	if [ -n "$AGENT_PID" ]; then
		kill -TERM "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	fi
	for n in $NS_G $NS_S $NS_A $NS_B $NS_C $NS_D; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$PIN"
	[ -n "${KEEP_TMP:-}" ] && echo "bench: work directory kept: $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ---------------------------------------------------------------

mkvar() { make --no-print-directory -s -C "$ROOT" --eval='bench-print-%: ; @echo $($*)' "bench-print-$1"; }

build() {
	local bpf_cflags all_cflags ldlibs p
	bpf_cflags=$(mkvar BPF_CFLAGS) && all_cflags=$(mkvar ALL_CFLAGS) && ldlibs=$(mkvar LDLIBS) || return 1
	make --no-print-directory -s -C "$ROOT" build/libcgnat.a || return 1
	mkdir -p "$B"
	for p in xdp_fwd xdp_sink xdp_gen; do
		clang $bpf_cflags -c "tests/bench/$p.bpf.c" -o "$B/$p.bpf.o" || return 1
	done
	bpftool gen skeleton "$B/xdp_gen.bpf.o" name xdp_gen >"$B/xdp_gen.skel.h" || return 1
	gcc $all_cflags -I"$B" tests/bench/xdpgen.c $ldlibs -o "$B/xdpgen" || return 1
	# dpbench shares the packet tests' namespace harness and reference checksums.
	gcc $all_cflags -Itests/packet tests/bench/dpbench.c tests/packet/harness.c \
		tests/packet/pktbuild.c tests/packet/csum_ref.c build/libcgnat.a $ldlibs \
		-o "$B/dpbench" || return 1
	gcc $all_cflags tests/bench/gen_history.c build/libcgnat.a $ldlibs -o "$B/gen_history" || return 1
}

# ---- the machine ---------------------------------------------------------

machine() {
	res machine.cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	res machine.cores "$(nproc)"
	res machine.ram_gib "$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
	res machine.kernel "$(uname -r)"
	res machine.os "$(. /etc/os-release && echo "$PRETTY_NAME")"
	res machine.date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	res machine.fs "$(df -T /tmp | awk 'NR == 2 {print $2}')"
	res machine.nft "$(nft -v 2>/dev/null | awk '{print $2}')"
	res machine.clang "$(clang --version | head -1 | sed 's/.*version \([^ ]*\).*/\1/')"
	res machine.load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
	res machine.virt "$(systemd-detect-virt 2>/dev/null || echo unknown)"
}

# ---- topology ------------------------------------------------------------

topology() {
	local v n i
	for n in $NS_G $NS_S $NS_A $NS_B $NS_C $NS_D; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
		in_ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	for v in a b c d; do
		n=$(nat_ns $v)
		ip link add g$v$RUN netns $NS_G address "$(mac $v 1)" type veth \
			peer name i$v$RUN netns "$n" address "$(mac $v 2)" || return 1
		ip link add o$v$RUN netns "$n" address "$(mac $v 3)" type veth \
			peer name s$v$RUN netns $NS_S address "$(mac $v 4)" || return 1
		ip -n "$n" addr add 100.64.0.1/10 dev i$v$RUN
		ip -n "$n" addr add 192.0.2.1/24 dev o$v$RUN
		ip -n $NS_G addr add 100.64.0.2/10 dev g$v$RUN
		ip -n $NS_S addr add 192.0.2.2/24 dev s$v$RUN
		for i in "$NS_G g$v$RUN" "$n i$v$RUN" "$n o$v$RUN" "$NS_S s$v$RUN"; do
			set -- $i
			ip -n "$1" link set "$2" up || return 1
			in_ns "$1" ethtool -K "$2" tx off gro off >/dev/null 2>&1
			ip -n "$1" link set "$2" txqueuelen 1000
		done
		in_ns "$n" sysctl -qw net.ipv4.ip_forward=1
		# Permanent neighbours: no ARP in any measurement.
		ip -n "$n" neigh replace 192.0.2.2 lladdr "$(mac $v 4)" nud permanent dev o$v$RUN
		for i in $(seq 1 16); do
			ip -n "$n" neigh replace 100.64.1.$i lladdr "$(mac $v 1)" nud permanent dev i$v$RUN
		done
		# The sink and the generator drop what they receive in XDP; a
		# program there also lets the NAT XDP_REDIRECT into their peers.
		ip -n $NS_S link set dev s$v$RUN xdp obj "$B/xdp_sink.bpf.o" sec xdp || return 1
		ip -n $NS_G link set dev g$v$RUN xdp obj "$B/xdp_sink.bpf.o" sec xdp || return 1
	done
}

setup_a() {
	mkdir -p "$TMP/logs-a"
	cat >"$CFG_A" <<EOF
interfaces:
  inside: ia$RUN
  outside: oa$RUN
subscribers:
  prefixes: [100.64.0.0/10]
pool:
  addresses: [198.51.100.0/26]
mode: pba
limits:
  max_sessions: ${BENCH_MAX_SESSIONS:-2097152}
logging:
  directory: $TMP/logs-a
dataplane:
  pin_path: $PIN
EOF
	# The agent shares the generator's core: the NAT core runs only the data path.
	taskset -c "$GEN_CPU" nsenter --net="/run/netns/$NS_A" "$AGENT" -c "$CFG_A" >>"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -e "$PIN/link_xdp_oa$RUN" ] && ctl_a status >/dev/null 2>&1 && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$TMP/agent.log" >&2
	return 1
}

# The kernel NATs: forwarding plus one nftables rule. Unreplied UDP
# entries live 30 s by default; the runs are longer, and entry counts must
# only grow while they last (a per-namespace setting).
setup_kernel_nat() { # variant "nat statement"
	in_ns "$(nat_ns $1)" nft -f - <<EOF || return 1
table ip cgnat_bench {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "o$1$RUN" ip saddr 100.64.0.0/10 $2
	}
}
EOF
	in_ns "$(nat_ns $1)" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
}

# b: snat to the pool, the kernel's counterpart of a CGNAT pool.
setup_b() { setup_kernel_nat b "snat to 198.51.100.0/26"; }

# d: what the issues name as the kernel baseline, masquerade to the outside
# interface's own address (one address, where b has the whole pool).
setup_d() { setup_kernel_nat d masquerade; }

# Every receiving veth polls in its own NAPI thread, pinned: the NAT
# namespace's on NAT_CPU, the generator's and the sink's on GEN_CPU. A veth
# polls with NAPI when it has an XDP program or GRO; the kernel paths (b, d)
# get GRO on their two NAT veths for that, which is also how they run on a NIC.
napi_threads() {
	local v n d pid
	for v in a b c d; do
		n=$(nat_ns $v)
		if kernel_nat $v; then
			in_ns "$n" ethtool -K i$v$RUN gro on >/dev/null || return 1
			in_ns "$n" ethtool -K o$v$RUN gro on >/dev/null || return 1
		fi
		for d in "$n i$v$RUN $NAT_CPU" "$n o$v$RUN $NAT_CPU" "$NS_G g$v$RUN $GEN_CPU" "$NS_S s$v$RUN $GEN_CPU"; do
			set -- $d
			in_ns "$1" sh -c "echo 1 >/sys/class/net/$2/threaded" || return 1
			# The thread is named napi/<dev>-<id>, cut to 15 characters.
			for pid in $(pgrep "^napi/$2-"); do
				taskset -pc "$3" "$pid" >/dev/null || return 1
			done
		done
	done
}

setup_c() {
	ip -n $NS_C link set dev ic$RUN xdp obj "$B/xdp_fwd.bpf.o" sec xdp &&
		ip -n $NS_C link set dev oc$RUN xdp obj "$B/xdp_fwd.bpf.o" sec xdp
}

# ---- traffic ---------------------------------------------------------------

# 256 established flows: 16 subscribers x 16 source ports, 60-byte frames.
# Flow files hold "saddr sport daddr dport" per line (tests/bench/xdpgen.c).
each_flow() { # printf format taking the subscriber address and its port
	local s p
	for s in $(seq 1 16); do
		for p in $(seq 10000 10015); do
			# shellcheck disable=SC2059
			printf "$1\n" "100.64.1.$s" "$p"
		done
	done
}

flows_out() { each_flow "%s %d 192.0.2.2 9"; }

# The same 256 flows in the other direction: from the sink to the public
# endpoint of each mapping (a), or to the subscriber itself (c, no NAT).
flows_in() {
	if [ $1 != a ]; then
		each_flow "192.0.2.2 9 %s %d"
		return
	fi
	ctl_a --json sessions --limit 100000 | python3 -c '
import json, sys
n = 0
for s in json.load(sys.stdin)["sessions"]:
    if s["proto"] == "udp" and s["inside_ip"].startswith("100.64.1.") and 10000 <= s["inside_port"] <= 10015:
        print("192.0.2.2 9 %s %d" % (s["outside_ip"], s["outside_port"]))
        n += 1
sys.exit(0 if n == 256 else 1)'
}

# Every frame a new flow: the source port counts up (1024-65534), and so
# do the subscriber address over the 2048 addresses of one /21 (a new /21
# per round) and the destination port (1024-65522). The three ranges have
# no common factor: no tuple repeats, and masquerade, with one public
# address, never runs out of (port, destination) pairs.
flows_new() { # round -> xdpgen --new argument
	local base=$((2048 * $1))
	echo "100.64.$((base / 256)).0,2048,1024,64511,192.0.2.2,1024,64499"
}

# What the NAT sent out of its outside veth: handed to the sink, or refused
# because the sink's receive ring was full (veth counts those as tx
# dropped). Prints "sent dropped".
nat_tx() { # ns dev
	ip -j -s -n "$1" link show dev "$2" |
		python3 -c 'import json, sys; t = json.load(sys.stdin)[0]["stats64"]["tx"]; print(t["packets"], t["dropped"])'
}

# Counters of an XDP receiver (veth driver statistics).
xdp_rx() { in_ns "$1" ethtool -S "$2" | awk '/xdp_packets/ {s += $2} END {printf "%.0f\n", s}'; }

# The generator on GEN_CPU. Prints "frames seconds": what it offered and
# how long it ran.
GEN_OUT=
gen_run() { # ns dev dmac smac flows|new FILE|SPEC secs|count N [more xdpgen options]
	local ns=$1 dev=$2 dmac=$3 smac=$4 kind=$5 what=$6 stop=$7 n=$8
	shift 8
	GEN_OUT=$(ip netns exec "$ns" taskset -c "$GEN_CPU" nice -n 19 "$B/xdpgen" -i "$dev" \
		--dmac "$dmac" --smac "$smac" "--$kind" "$what" "--$stop" "$n" "$@" 2>&1)
	echo "$GEN_OUT" | awk 'NF == 2 && $1 ~ /^[0-9]+$/ {print; ok = 1} END {exit !ok}'
}

# Generator towards the NAT's inside (from g<v>) or outside (from s<v>).
gen_out() { local v=$1; shift; gen_run $NS_G g$v$RUN "$(mac $v 2)" "$(mac $v 1)" "$@"; }
gen_in() { local v=$1; shift; gen_run $NS_S s$v$RUN "$(mac $v 3)" "$(mac $v 4)" "$@"; }

# One measurement, packets per second: offered by the generator, sent out
# of the NAT's outside veth (the NAT's forwarding rate), received by the sink.
pps_once() { # variant secs
	local v=$1 secs=$2 a b r t0 t1
	a=$(xdp_rx $NS_S s$v$RUN) t0=$(nat_tx "$(nat_ns $v)" o$v$RUN)
	r=$(gen_out $v flows "$TMP/out-$v.flows" secs "$secs") || return 1
	sleep 0.1 # the NAT drains its receive ring
	b=$(xdp_rx $NS_S s$v$RUN) t1=$(nat_tx "$(nat_ns $v)" o$v$RUN)
	set -- $r $t0 $t1
	python3 -c "print('%.0f %.0f %.0f' % ($1 / $2, ($5 + $6 - $3 - $4) / $2, ($b - $a) / $2))"
}

# ---- 1 + 2: packets/s and cost per packet ---------------------------------

prog_id_of() { # ns dev
	ip -j -n "$1" link show dev "$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])'
}

prog_runtime() { # id -> "run_time_ns run_cnt"
	bpftool -j prog show id "$1" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}

bench_pps() {
	local v rep r
	log "packets/s: warm-up (mappings and conntrack entries exist before measuring)"
	for v in a b c d; do
		flows_out >"$TMP/out-$v.flows"
		pps_once $v 2 >/dev/null || { fail pps "generator failed: $GEN_OUT"; return 1; }
	done
	res pps.sessions_a "$(ctl_a --json status | python3 -c 'import json, sys; print(json.load(sys.stdin)["sessions"])')"
	res pps.conntrack_b "$(in_ns $NS_B cat /proc/sys/net/netfilter/nf_conntrack_count)"
	res pps.conntrack_d "$(in_ns $NS_D cat /proc/sys/net/netfilter/nf_conntrack_count)"
	# One generator rotates over the four NATs in short slices, the
	# order reversed every other slice: the host's speed changes within
	# seconds (other guests, a busy sibling hyperthread), and neighbouring
	# slices see the same speed. Per slice: what the NAT took into its
	# receive ring (the generator veth's tx_packets), i.e. its rate.
	local v args=() t0 t1 x0 x1 out
	for v in a c d b; do
		args+=(--to "g$v$RUN,$(mac $v 2),$(mac $v 1)")
		t0[$(vnum $v)]=$(nat_tx "$(nat_ns $v)" o$v$RUN) x0[$(vnum $v)]=$(xdp_rx $NS_S s$v$RUN)
	done
	log "packets/s: $PPS_REPS slices of $PPS_SECS s per NAT, rotating"
	out=$(ip netns exec $NS_G taskset -c "$GEN_CPU" nice -n 19 "$B/xdpgen" "${args[@]}" \
		--flows "$TMP/out-a.flows" --secs "$PPS_SECS" --slices "$PPS_REPS" 2>&1) ||
		{ fail pps "generator failed: $out"; return 1; }
	sleep 0.1
	for v in a b c d; do
		echo "$out" | awk -v dev="g$v$RUN" -v v=$v '$1 == "slice" && $3 == dev {
			printf "pps.%s.sent.%d=%.0f\npps.%s.rx.%d=%.0f\n", v, $2, $4 / $5, v, $2, $6 / $5 }' >>"$RES"
		t1=$(nat_tx "$(nat_ns $v)" o$v$RUN) x1=$(xdp_rx $NS_S s$v$RUN)
		set -- ${t0[$(vnum $v)]} $t1
		# Cross-checks over the whole rotation: taken in, sent out, received by the sink.
		res "pps.$v.taken_total" "$(echo "$out" | awk -v dev="g$v$RUN" '$1 == "slice" && $3 == dev {s += $6} END {print s}')"
		res "pps.$v.out_total" $(($3 + $4 - $1 - $2))
		res "pps.$v.sink_total" $((x1 - ${x0[$(vnum $v)]}))
		log "packets/s: $v: median $(echo "$out" | awk -v dev="g$v$RUN" '$1 == "slice" && $3 == dev {print $6 / $5}' | sort -n | awk '{a[NR] = $1} END {printf "%.0f", a[int((NR + 1) / 2)]}')/s"
	done
}

# BPF run time per packet of the XDP program on dev while a generator sends.
prog_cost() { # variant dev label gen_out|gen_in generator-arguments...
	local v=$1 dev=$2 label=$3 gen=$4 id before after old
	shift 4
	id=$(prog_id_of "$(nat_ns $v)" "$dev") || { fail cost "no XDP program on $dev"; return 1; }
	old=$(cat $STATS_SYSCTL)
	STATS_OLD=$old
	echo 1 >$STATS_SYSCTL
	before=$(prog_runtime "$id")
	$gen $v "$@" >/dev/null || { echo "$old" >$STATS_SYSCTL; STATS_OLD=; fail cost "generator failed: $GEN_OUT"; return 1; }
	after=$(prog_runtime "$id")
	echo "$old" >$STATS_SYSCTL
	STATS_OLD=
	set -- $before $after
	res "cost.$v.$label.prog" "$(bpftool -j prog show id "$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])')"
	res "cost.$v.$label.runs" $(($4 - $2))
	res "cost.$v.$label.ns" "$(python3 -c "print('%.1f' % (($3 - $1) / max(1, $4 - $2)))")"
	log "cost per packet: $v $label: $(python3 -c "print('%.1f' % (($3 - $1) / max(1, $4 - $2)))") ns over $(($4 - $2)) runs"
}

bench_cost() {
	local v
	for v in a c; do
		flows_out >"$TMP/out-$v.flows"
		flows_in $v >"$TMP/in-$v.flows" || { fail cost "cannot list the mappings of the NAT"; return 1; }
		prog_cost $v i$v$RUN out gen_out flows "$TMP/out-$v.flows" secs "$COST_SECS"
		prog_cost $v o$v$RUN in gen_in flows "$TMP/in-$v.flows" secs "$COST_SECS"
	done
}

# ---- 3: new sessions per second ------------------------------------------

ct_stat() { # ns column -> sum over CPUs (the file is in hex)
	in_ns "$1" cat /proc/net/stat/nf_conntrack | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
col = lines[0].split().index(sys.argv[1])
print(sum(int(l.split()[col], 16) for l in lines[1:] if l.strip()))' "$2"
}

a_counter() { ctl_a --json stats | python3 -c "import json, sys; print(json.load(sys.stdin)['counters']['$1'])"; }
a_drops() { ctl_a --json stats | python3 -c "import json, sys; print(sum(v for k, v in json.load(sys.stdin)['counters'].items() if k.startswith('drop_')))"; }
ct_drops() { local n; n=$(nat_ns $1); echo $(( $(ct_stat $n drop) + $(ct_stat $n early_drop) + $(ct_stat $n insert_failed) )); }

slab_bytes() { awk -v c="$1" '$1 == c {printf "%.0f\n", $2 * $4}' /proc/slabinfo; }
kmalloc_bytes() { awk '$1 ~ /kmalloc/ {s += $2 * $4} END {printf "%.0f\n", s}' /proc/slabinfo; }

# conntrack must never evict or run out during the rounds: its table limit
# and hash size go up for the run (global settings, restored on exit), to
# 2M entries with as many buckets.
ct_room() {
	local want=2097152
	CT_MAX_OLD=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
	CT_HASH_OLD=$(cat /sys/module/nf_conntrack/parameters/hashsize)
	echo $want >/proc/sys/net/netfilter/nf_conntrack_max || return 1
	echo $want >/sys/module/nf_conntrack/parameters/hashsize || return 1
	res ct.max "$want"
	res ct.buckets "$(cat /proc/sys/net/netfilter/nf_conntrack_buckets)"
}

# Each round: the generator offers new flows for NEW_SECS at its full rate
# (several times what any NAT forwards); the rate is new flows the NAT sent
# out of its outside veth per second (the sink's count is recorded too).
# The growth of the nf_conntrack slab (and of the kmalloc caches, where
# extensions would live) during the snat rounds gives conntrack's memory
# per entry.
bench_new_sessions() {
	local rep v r c0 c1 d0 d1 x0 x1 t0 t1 o s0 s1 k0 k1
	ct_room || { fail new_sessions "cannot raise nf_conntrack_max"; return 1; }
	local ct_n=0 ct_s=0 ct_k=0
	for rep in $(seq 1 "$REPS"); do
		order="a d b"
		[ $((rep % 2)) = 0 ] && order="b d a"
		for v in $order; do
			if [ $v = a ]; then
				c0=$(a_counter mapping_created) d0=$(a_drops)
			else
				c0=$(in_ns "$(nat_ns $v)" cat /proc/sys/net/netfilter/nf_conntrack_count) d0=$(ct_drops $v)
				s0=$(slab_bytes nf_conntrack) k0=$(kmalloc_bytes)
			fi
			x0=$(xdp_rx $NS_S s$v$RUN) t0=$(nat_tx "$(nat_ns $v)" o$v$RUN)
			r=$(gen_out $v new "$(flows_new "$rep")" secs "$NEW_SECS" --first $((rep * 100000000))) || { fail new_sessions "generator failed: $GEN_OUT"; return 1; }
			sleep 0.2 # the NAT drains its receive ring
			x1=$(xdp_rx $NS_S s$v$RUN) t1=$(nat_tx "$(nat_ns $v)" o$v$RUN)
			o=$(python3 -c "print(sum(map(int, '$t1'.split())) - sum(map(int, '$t0'.split())))")
			if [ $v = a ]; then
				c1=$(a_counter mapping_created) d1=$(a_drops)
			else
				c1=$(in_ns "$(nat_ns $v)" cat /proc/sys/net/netfilter/nf_conntrack_count) d1=$(ct_drops $v)
				s1=$(slab_bytes nf_conntrack) k1=$(kmalloc_bytes)
				ct_n=$((ct_n + c1 - c0)) ct_s=$((ct_s + s1 - s0)) ct_k=$((ct_k + k1 - k0))
			fi
			set -- $r
			res "new.$v.sent.$rep" "$1"
			res "new.$v.forwarded.$rep" "$o"
			res "new.$v.sink.$rep" $((x1 - x0))
			res "new.$v.created.$rep" $((c1 - c0))
			res "new.$v.drops.$rep" $((d1 - d0))
			res "new.$v.secs.$rep" "$2"
			res "new.$v.rate.$rep" "$(python3 -c "print('%.0f' % ($o / $2))")"
			log "new sessions: rep $rep $v: $o new flows out of the NAT in $2 s ($((x1 - x0)) at the sink, $((c1 - c0)) sessions counted by the NAT, $1 offered)"
		done
	done
	res ct.entries $ct_n
	res ct.slab_per_entry "$(python3 -c "print('%.1f' % ($ct_s / max(1, $ct_n)))")"
	res ct.kmalloc_per_entry "$(python3 -c "print('%.1f' % ($ct_k / max(1, $ct_n)))")"
	# Two more rounds for cgnat alone, with BPF run-time statistics on:
	# what creating a session costs inside cgnat_xdp_inside. The mean of
	# both, as one round's figure moves with this VM's speed (up to 2x).
	# Not more: every round's 2048 new subscribers take a block each, and
	# the /26 pool has 16,128 blocks for the whole run.
	local k
	d0=$(a_drops)
	for k in 1 2; do
		prog_cost a ia$RUN new$k gen_out new "$(flows_new $((REPS + k)))" secs "$NEW_SECS" \
			--first $(((REPS + k) * 100000000)) || return 1
	done
	res cost.a.new.drops $(($(a_drops) - d0))
	set -- $(cost_mean a new 2)
	res cost.a.new.ns "$1"
	res cost.a.new.runs "$2"
}

# Over rounds LABEL1..LABELn of prog_cost: "mean-ns-per-run runs-in-all".
cost_mean() { # variant label n
	python3 - "$RES" "$1" "$2" "$3" <<'PY'
import sys
path, v, label, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
r = dict(l.rstrip("\n").split("=", 1) for l in open(path) if "=" in l)
ns = [float(r[f"cost.{v}.{label}{k}.ns"]) for k in range(1, n + 1)]
runs = [int(r[f"cost.{v}.{label}{k}.runs"]) for k in range(1, n + 1)]
print("%.1f %d" % (sum(ns) / n, sum(runs)))
PY
}


# ---- 4: memory per session; conntrack's for comparison --------------------

bench_memory() {
	local out
	log "memory: $SESSIONS sessions through BPF_PROG_TEST_RUN"
	out=$("$B/dpbench" memory "$SESSIONS") || { fail memory "dpbench memory failed"; return 1; }
	echo "$out" >>"$RES"
	res ct.objsize "$(awk '$1 == "nf_conntrack" {print $4}' /proc/slabinfo)"
}

# ---- 5: expiry of a million sessions ----------------------------------------

bench_gc() {
	local out
	log "expiry: $SESSIONS sessions, UDP timeout 1 s, gc_pass() with a probe flow"
	out=$("$B/dpbench" gc "$SESSIONS") || { fail gc "dpbench gc failed"; return 1; }
	echo "$out" >>"$RES"
}

# ---- 6: events --------------------------------------------------------------

bench_events() {
	local out m n
	mkdir -p "$TMP/events"
	for m in pba session deterministic; do
		n=$SESSIONS
		[ $m = deterministic ] && n=10000
		log "events: $m mode, $n sessions"
		out=$("$B/dpbench" events $m "$n" "$TMP/events") || { fail events "dpbench events $m failed"; continue; }
		echo "$out" >>"$RES"
	done
}

# ---- 7: lookup over a synthetic history --------------------------------------

lookup_once() { # cgnatctl lookup arguments -> "microseconds exit-code"; the answer in $TMP/lookup.json
	local t0 t1 rc
	t0=$(date +%s%N)
	"$CTL" -c "$TMP/lookup.yaml" --json lookup "$@" >"$TMP/lookup.json" 2>"$TMP/lookup.err"
	rc=$?
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000 )) $rc"
}

bench_lookup() {
	local q ep at want r i name hist=$TMP/history
	log "lookup: generating $HISTORY_DAYS days x 10000 subscribers with gen_history"
	local g0=$SECONDS
	q=$("$B/gen_history" "$hist" --days "$HISTORY_DAYS" 2>"$TMP/gen_history.err") || { fail lookup "gen_history failed: $(cat "$TMP/gen_history.err")"; return 1; }
	res lookup.generate_secs $((SECONDS - g0))
	res lookup.files "$(find "$hist" -maxdepth 1 -name 'cgnat-*' | wc -l)"
	res lookup.bytes "$(du -sb "$hist" | cut -f1)"
	res lookup.events "$(sed -n 's/^gen_history: \([0-9]*\) events.*/\1/p' "$TMP/gen_history.err")"
	cat >"$TMP/lookup.yaml" <<EOF
interfaces:
  inside: bench-in
  outside: bench-out
subscribers:
  prefixes: [100.64.0.0/10]
pool:
  addresses: [198.51.100.1-198.51.100.32, 203.0.113.1-203.0.113.32]
mode: pba
logging:
  directory: $hist
dataplane:
  pin_path: $PIN-lookup
EOF
	set -- $q
	ep=$2 at=$3 want=$5
	res lookup.truth "$ep at $at: $want"
	# The ground truth: 5 runs.
	for i in 1 2 3 4 5; do
		r=$(lookup_once "$ep" --at "$at")
		set -- $r
		res "lookup.q.truth.$i" "$1"
	done
	set -- $r
	if [ "$2" = 0 ] && python3 -c "
import json, sys
d = json.load(open('$TMP/lookup.json'))
sys.exit(0 if d['result'] == 'match' and [c['subscriber'] for c in d['candidates']] == ['$want'] else 1)"; then
		res lookup.truth_ok yes
		res lookup.q.truth.files "$(python3 -c "import json; print(json.load(open('$TMP/lookup.json')).get('files_read', '?'))")"
	else
		res lookup.truth_ok "no: $(head -c 300 "$TMP/lookup.json") $(cat "$TMP/lookup.err")"
		fail lookup "the ground-truth query did not answer $want"
	fi
	# Others: one hour wide, the first and the last day, a port nobody held.
	local first last
	first=$(find "$hist" -maxdepth 1 -name 'cgnat-*' -printf '%f\n' | sort | head -1 | sed 's/^cgnat-\([0-9]\{8\}\)T\([0-9]\{2\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)Z.*/\1 \2:\3:\4/')
	first=$(date -u -d "$first" +%s)
	last=$(( $(date +%s) - 600 ))
	for name in window first_day last_hour no_owner; do
		case $name in
		window) set -- "$ep" --at "$at" --window 1800 ;;
		first_day) set -- 198.51.100.1:1500 --at $((first + 7200)) ;;
		last_hour) set -- 203.0.113.32:65000 --at $last ;;
		no_owner) set -- 192.0.2.77:1024 --at "$at" ;;
		esac
		for i in 1 2 3; do
			r=$(lookup_once "$@")
			res "lookup.q.$name.$i" "${r%% *}"
		done
		res "lookup.q.$name.rc" "${r##* }"
		res "lookup.q.$name.result" "$(python3 -c "import json; print(json.load(open('$TMP/lookup.json')).get('result', '?'))" 2>/dev/null || echo error)"
		res "lookup.q.$name.files" "$(python3 -c "import json; print(json.load(open('$TMP/lookup.json')).get('files_read', '?'))" 2>/dev/null || echo '?')"
	done
	rm -rf "$hist"
}

# ---- main ------------------------------------------------------------------------

[ "$(id -u)" = 0 ] || { echo "bench: must run as root (namespaces, XDP, BPF)" >&2; exit 1; }
for t in nft bpftool ethtool python3 clang gcc nsenter; do
	command -v $t >/dev/null || { echo "bench: $t not found; run make deps" >&2; exit 1; }
done
log "building helpers"
build || { echo "bench: build failed" >&2; exit 1; }
: >"$RES"
machine
res pps.secs "$PPS_SECS"
res pps.reps "$PPS_REPS"
res cost.secs "$COST_SECS"
res new.reps "$REPS"
res new.secs "$NEW_SECS"
res new.max_sessions "${BENCH_MAX_SESSIONS:-2097152}"
res machine.gen_cpu $GEN_CPU
res machine.nat_cpu $NAT_CPU
log "topology (run $RUN)"
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
if topology && setup_a && setup_b && setup_c && setup_d && napi_threads; then
	want pps && bench_pps
	want cost && bench_cost
	want new && bench_new_sessions
	want memory && bench_memory
else
	fail topology "could not build the namespaces or start the agent"
fi
res agent.errors "$(grep -c -E 'error|warning' "$TMP/agent.log" 2>/dev/null)"
res agent.first_error "$(grep -m1 -E 'error|warning' "$TMP/agent.log" 2>/dev/null)"
# The namespaces (and the agent) are not needed any more.
if [ -n "$AGENT_PID" ]; then
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_PID=
fi
for n in $NS_G $NS_S $NS_A $NS_B $NS_C $NS_D; do ip netns del "$n" 2>/dev/null; done
want gc && bench_gc
want events && bench_events
want lookup && bench_lookup
res machine.load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
res machine.duration_secs $((SECONDS - T_START))
# The raw figures stay next to the helpers: report.py can be rerun on them.
cp "$RES" "$B/results.txt"
python3 "$ROOT/tests/bench/report.py" "$RES" "$OUT" || FAILED+=(report)
[ -n "${KEEP_TMP:-}" ] && cp "$RES" "$TMP/results.txt"
if [ ${#FAILED[@]} -gt 0 ]; then
	echo "bench: failed: ${FAILED[*]}" >&2
	exit 1
fi
exit 0
