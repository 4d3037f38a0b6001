#!/usr/bin/python3
"""New TCP flows at a steady rate, for test_restart.sh: each request is a new
connection from the next local port (a new NAT mapping every time), an HTTP
GET of /SUBSCRIBER/TAG-N to the test HTTP server. Writes one line per request
to OUT: "EPOCH.mmm STATUS" (STATUS is the HTTP code, or "err").

  tcp_load.py SRC_IP DST_IP DST_PORT SUBSCRIBER TAG FIRST_LOCAL_PORT RATE MAX STOPFILE OUT

Runs until STOPFILE exists, MAX requests were made, or 30 s passed."""
import os
import socket
import sys
import time


def one(src, dst, dport, lport, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(2)
        s.bind((src, lport))
        s.connect((dst, dport))
        s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, dst)).encode())
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "err"
    except OSError:
        return "err"
    finally:
        s.close()


def main():
    src, dst, dport, sub, tag, port0, rate, maximum, stop, out = sys.argv[1:11]
    dport, port0, rate, maximum = int(dport), int(port0), float(rate), int(maximum)
    start = time.time()
    with open(out, "a") as log:
        for i in range(maximum):
            if os.path.exists(stop) or time.time() - start > 30:
                break
            code = one(src, dst, dport, port0 + i, "/%s/%s-t%d" % (sub, tag, i))
            log.write("%.3f %s\n" % (time.time(), code))
            log.flush()
            # steady rate: the next request starts at start + (i + 1) / rate
            delay = start + (i + 1) / rate - time.time()
            if delay > 0:
                time.sleep(delay)


if __name__ == "__main__":
    main()
