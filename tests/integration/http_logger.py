#!/usr/bin/python3
"""HTTP server for the integration tests: answers GET with 200 and logs
each request as "EPOCH_SECONDS.mmm CLIENT_IP CLIENT_PORT PATH", the way
an abuse report would quote a server log."""
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        now = time.time()
        body = b"hello from the internet\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[3], "a") as log:
            log.write("%.3f %s %d %s\n" % (now, self.client_address[0], self.client_address[1], self.path))

    def log_message(self, fmt, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
