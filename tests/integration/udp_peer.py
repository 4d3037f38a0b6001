#!/usr/bin/python3
"""UDP peers for the integration tests.

  udp_peer.py echo ADDR PORT PEERLOG
      echo every datagram back; append "IP:PORT" of each new peer to PEERLOG
  udp_peer.py flows SERVER PORT N [--resend K] [--base-port P] [--size BYTES]
      open N UDP sockets (N flows; bound to P, P+1, ... with --base-port,
      else ephemeral ports), send one datagram on each, wait for the
      echoes; with --resend K, send again on the first K sockets that got an
      answer. Prints one JSON object: counts of ok / ICMP errors (by
      type/code, read from the socket error queue) / no answer.
"""
import json
import resource
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2


def echo(addr, port, peerlog):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    seen = set()
    with open(peerlog, "a", buffering=1) as log:
        while True:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
            if peer not in seen:
                seen.add(peer)
                log.write("%s:%d\n" % peer)


def icmp_error(sock):
    """(type, code) of a queued ICMP error, or None."""
    try:
        _, anc, _, _ = sock.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except OSError:
        return None
    for level, kind, data in anc:
        if level == socket.IPPROTO_IP and kind == IP_RECVERR and len(data) >= 16:
            _errno, origin, etype, ecode = struct.unpack("=IBBB", data[:7])
            if origin == SO_EE_ORIGIN_ICMP:
                return (etype, ecode)
    return None


def exchange(socks, payload, timeout):
    """Send on every socket, collect outcomes until all answered or timeout."""
    result = {}
    for i, s in enumerate(socks):
        s.send(payload)
        if i % 200 == 199:
            time.sleep(0.01)  # pace bursts a little; the NAT is not the limit here
    pending = {s.fileno(): s for s in socks}
    poller = select.poll()  # select() stops at descriptor 1023
    for fd in pending:
        poller.register(fd, select.POLLIN | select.POLLERR)
    deadline = time.time() + timeout
    while pending and time.time() < deadline:
        for fd, _ in poller.poll(200):
            if fd not in pending:
                continue
            s = pending[fd]
            poller.unregister(fd)
            err = icmp_error(s)
            if err:
                result[s.fileno()] = "icmp-%d-%d" % err
            else:
                try:
                    got = s.recv(65535)
                    result[s.fileno()] = "ok" if len(got) == len(payload) else "short-%d" % len(got)
                except OSError as e:
                    err = icmp_error(s)
                    result[s.fileno()] = "icmp-%d-%d" % err if err else "error-%d" % e.errno
            del pending[s.fileno()]
    for fd in pending:
        result[fd] = "timeout"
    return [result[s.fileno()] for s in socks]


def exchange_with_retries(socks, payload, timeout, rounds=3):
    """Like exchange(), resending to sockets that got nothing: a datagram
    or its answer may be lost on a loaded host, but a refusal repeats."""
    outcomes = exchange(socks, payload, timeout)
    for _ in range(rounds - 1):
        lost = [i for i, o in enumerate(outcomes) if o == "timeout"]
        if not lost:
            break
        again = exchange([socks[i] for i in lost], payload, timeout)
        for i, o in zip(lost, again):
            outcomes[i] = o
    return outcomes


def summarize(outcomes):
    counts = {}
    for o in outcomes:
        counts[o] = counts.get(o, 0) + 1
    return counts


def flows(server, port, n, resend, base_port, size):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        if base_port:
            s.bind(("0.0.0.0", base_port + i))
        s.connect((server, int(port)))
        socks.append(s)
    first = exchange_with_retries(socks, b"x" * size if size else b"hello", 3)
    report = {"first": summarize(first)}
    if resend:
        good = [s for s, o in zip(socks, first) if o == "ok"][:resend]
        report["resend"] = summarize(exchange_with_retries(good, b"again", 3))
    print(json.dumps(report))


def main():
    if sys.argv[1] == "echo":
        echo(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        def opt(name):
            return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else 0
        flows(sys.argv[2], sys.argv[3], int(sys.argv[4]), opt("--resend"), opt("--base-port"),
              opt("--size"))


if __name__ == "__main__":
    main()
