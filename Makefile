# cgnat: carrier-grade NAT44 on XDP/tc eBPF.
#
#   make deps    install missing Debian packages (idempotent, needs root)
#   make         build the BPF objects, skeleton, cgnatd and cgnatctl
#   make check   deps + build + every test (unit, packet, integration)
#   make demo    deps + build + a namespaced demo network with live traffic
#   make bench   deps + build + benchmarks, written to docs/BENCHMARKS.md
#   make install install binaries, systemd unit and example config

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
BUILD    := build
PREFIX   ?= /usr/local
DESTDIR  ?=

# Packages from Debian's archive; nothing is vendored.
DEB_PKGS := gcc make pkg-config clang llvm libbpf-dev libelf-dev zlib1g-dev \
	libyaml-dev libcmocka-dev bpftool iproute2 nftables tcpdump socat \
	traceroute iputils-ping curl ethtool python3 gzip \
	procps psmisc

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -Iuser -I$(BUILD)
LDLIBS   := -lbpf -lelf -lz -lyaml -lpthread
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	-Wno-unused-function -Iinclude -Ibpf -I$(BUILD)

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS   := $(wildcard bpf/*.h) $(wildcard include/*.h)

PROGS      := cgnatd cgnatctl
LIB_SRCS   := $(filter-out $(addprefix user/,$(addsuffix .c,$(PROGS))),$(wildcard user/*.c))
USER_HDRS  := $(wildcard user/*.h) $(wildcard include/*.h)
LIB_OBJS   := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
SAN_OBJS   := $(patsubst user/%.c,$(BUILD)/san/%.o,$(LIB_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PKT_SRCS   := $(wildcard tests/packet/*.c)
PKT_BIN    := $(BUILD)/tests/packet_tests

.PHONY: all deps check demo bench install clean unit packet integration bpf

all: $(BPF_OBJS) $(addprefix $(BUILD)/,$(PROGS)) $(BUILD)/san/cgnatd

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all Debian packages present"; fi

$(BUILD) $(BUILD)/user $(BUILD)/san $(BUILD)/tests:
	@mkdir -p $@

$(BUILD)/vmlinux.h: | $(BUILD)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

bpf: $(BPF_OBJS)

$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(BPF_SKELS) | $(BUILD)/user
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: user/%.c $(USER_HDRS) $(BPF_SKELS) | $(BUILD)/san
	$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/libcgnat.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/libcgnat-san.a: $(SAN_OBJS)
	ar rcs $@ $^

$(addprefix $(BUILD)/,$(PROGS)): $(BUILD)/%: user/%.c $(BUILD)/libcgnat.a $(USER_HDRS)
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libcgnat.a $(LDLIBS) -o $@

# The agent under AddressSanitizer/LeakSanitizer, used by the integration tests.
$(BUILD)/san/cgnatd: user/cgnatd.c $(BUILD)/libcgnat-san.a $(USER_HDRS)
	$(CC) $(ALL_CFLAGS) $(SAN) $< $(BUILD)/libcgnat-san.a $(LDLIBS) -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libcgnat-san.a $(USER_HDRS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/unit $< $(BUILD)/libcgnat-san.a $(LDLIBS) -lcmocka -o $@

$(PKT_BIN): $(PKT_SRCS) $(wildcard tests/packet/*.h) $(BUILD)/libcgnat-san.a $(BPF_SKELS) $(USER_HDRS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/packet $(PKT_SRCS) $(BUILD)/libcgnat-san.a $(LDLIBS) -lcmocka -o $@

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

packet: $(PKT_BIN) $(BPF_OBJS)
	@$(PKT_BIN)

integration: all
	@tests/integration/run.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(PKT_BIN)
	@tests/run-all.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/cgnat \
		$(DESTDIR)/lib/systemd/system
	install -m 0755 $(BUILD)/cgnatd $(DESTDIR)$(PREFIX)/sbin/cgnatd
	install -m 0755 $(BUILD)/cgnatctl $(DESTDIR)$(PREFIX)/bin/cgnatctl
	install -m 0644 configs/cgnatd.service $(DESTDIR)/lib/systemd/system/cgnatd.service
	[ -e $(DESTDIR)/etc/cgnat/cgnat.yaml ] || install -m 0644 configs/cgnat.yaml $(DESTDIR)/etc/cgnat/cgnat.yaml
	[ -e $(DESTDIR)/etc/cgnat/subscribers.csv ] || install -m 0644 configs/subscribers.csv $(DESTDIR)/etc/cgnat/subscribers.csv

clean:
	rm -rf $(BUILD)
