#!/usr/bin/python3
"""Attribution checks for the integration tests (test_attribution.sh,
test_restart.sh): reads the agent's JSON Lines logs (.jsonl as is, .jsonl.gz
with gzip) and the servers' request logs, and asks `cgnatctl lookup`.

Request logs have one line per request: "EPOCH.mmm CLIENT_IP CLIENT_PORT PATH"
(tests/integration/http_logger.py); PATH is /SUBSCRIBER/..., so every line
says which subscriber really made the request.

  attr_check.py lookups [--proto P] [--after T] [--before T] [--skip N] [--min N] REQLOG -- CTL...
      every request in REQLOG (optionally only lines after the first N, or with
      time in [after, before)) is looked up with `CTL --json lookup IP:PORT --at T
      --proto P`; each must be exit 0, result "match", one candidate, the right
      subscriber. At least --min requests (default 1) must have been checked.
  attr_check.py blocks LOGDIR REQLOG...
      pba: every distinct (ip, port, subscriber) the servers saw is covered by
      exactly one block_alloc record, and that record names the subscriber.
  attr_check.py sessions LOGDIR PROTO:REQLOG...
      session mode: every distinct (ip, port, proto) the servers saw has
      exactly one session_create record, naming the right subscriber.
  attr_check.py seq [--contiguous] LOGDIR
      no seq value appears twice across all files (with --contiguous: and
      every value between the smallest and the largest is there).
  attr_check.py count LOGDIR EVENT [FROM TO]
      print how many records of that event the files hold (with time in
      [FROM, TO), Unix seconds, if given).
  attr_check.py checkpoint LOGDIR EVENT [REQLOG...]
      the newest file starts with a complete checkpoint holding at least one
      EVENT record; with request logs, pba block_active records there cover
      every endpoint the servers saw, for the right subscriber.
  attr_check.py unused LOGDIR POOL_FIRST POOL_COUNT
      print a pool IP:PORT that no block or session record in LOGDIR names.
"""
import datetime
import gzip
import ipaddress
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict


def log_files(logdir):
    """Rotated and current files in name order. A closed file exists as
    NAME.jsonl until its NAME.jsonl.gz is complete: prefer the .gz."""
    names = {}
    for f in os.listdir(logdir):
        if not f.startswith("cgnat-"):
            continue
        if f.endswith(".jsonl.gz"):
            names[f[:-3]] = f
        elif f.endswith(".jsonl"):
            names.setdefault(f, f)
    return [names[k] for k in sorted(names, key=sort_key)]


def sort_key(name):
    # cgnat-YYYYMMDDTHHMMSSZ[-N].jsonl
    stem = name[len("cgnat-"):-len(".jsonl")]
    t, _, n = stem.partition("-")
    return (t, int(n) if n else 0)


def read_file(logdir, f):
    path = os.path.join(logdir, f)
    for _ in range(5):
        try:
            if f.endswith(".gz"):
                with gzip.open(path, "rt") as fh:
                    return fh.read()
            with open(path) as fh:
                return fh.read()
        except FileNotFoundError:
            # compressed meanwhile
            if not f.endswith(".gz") and os.path.exists(path + ".gz"):
                path, f = path + ".gz", f + ".gz"
                continue
            raise
    raise RuntimeError("cannot read " + path)


def records(logdir, stats=None):
    """Yield (file, record) for every complete JSON line of every file."""
    for f in log_files(logdir):
        for line in read_file(logdir, f).splitlines():
            try:
                r = json.loads(line)
                if not isinstance(r, dict):
                    raise ValueError
            except ValueError:
                if stats is not None:
                    stats["bad"] += 1
                continue
            yield f, r


def requests(reqlog):
    out = []
    with open(reqlog) as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 4:
                continue
            t, ip, port, path = parts[:4]
            sub = path.strip("/").split("/")[0]
            out.append((t, ip, int(port), sub, path))
    return out


def cmd_lookups(args):
    proto, after, before, skip, minimum = "tcp", None, None, 0, 1
    while args and args[0].startswith("--") and args[0] != "--":
        opt, val = args[0], args[1]
        args = args[2:]
        if opt == "--proto":
            proto = val
        elif opt == "--after":
            after = float(val)
        elif opt == "--before":
            before = float(val)
        elif opt == "--skip":
            skip = int(val)
        elif opt == "--min":
            minimum = int(val)
        else:
            sys.exit("unknown option " + opt)
    reqlog = args[0]
    ctl = args[args.index("--") + 1:]
    checked = bad = 0
    for t, ip, port, sub, path in requests(reqlog)[skip:]:
        if after is not None and float(t) < after:
            continue
        if before is not None and float(t) >= before:
            continue
        checked += 1
        cmd = ctl + ["--json", "lookup", "%s:%d" % (ip, port), "--at", t, "--proto", proto]
        p = subprocess.run(cmd, capture_output=True, text=True)
        why = None
        try:
            d = json.loads(p.stdout)
        except ValueError:
            d = None
        if p.returncode != 0:
            why = "exit %d" % p.returncode
        elif not d or d.get("result") != "match":
            why = "result %r" % (d and d.get("result"))
        elif len(d["candidates"]) != 1 or d["candidates"][0].get("subscriber") != sub:
            why = "candidates %s" % [c.get("subscriber") for c in d["candidates"]]
        if why:
            bad += 1
            if bad <= 8:
                print("request %s from %s:%d (%s, really %s): %s" % (t, ip, port, path, sub, why))
                print("   $ " + " ".join(cmd[-7:]))
                for line in (p.stdout + p.stderr).strip().splitlines()[:12]:
                    print("     " + line)
    print("%d requests looked up, %d named the wrong subscriber or none" % (checked, bad))
    return 0 if bad == 0 and checked >= minimum else 1


def endpoints(reqlogs):
    """Distinct (ip, port) -> set of subscribers seen there."""
    seen = defaultdict(set)
    for reqlog in reqlogs:
        for _, ip, port, sub, _ in requests(reqlog):
            seen[(ip, port)].add(sub)
    return seen


def cmd_blocks(args):
    logdir, reqlogs = args[0], args[1:]
    allocs = [r for _, r in records(logdir) if r.get("event") == "block_alloc"]
    seen = endpoints(reqlogs)
    bad = 0
    for (ip, port), subs in sorted(seen.items()):
        cover = [r for r in allocs if r.get("outside_ip") == ip
                 and r["outside_port_first"] <= port <= r["outside_port_last"]]
        ok = len(subs) == 1 and len(cover) == 1 and cover[0].get("subscriber") in subs
        if not ok:
            bad += 1
            if bad <= 8:
                print("%s:%d used by %s: %d block_alloc records cover it: %s"
                      % (ip, port, sorted(subs), len(cover), [json.dumps(r) for r in cover]))
    print("%d endpoints, %d block_alloc records, %d endpoints not covered exactly once by the "
          "right subscriber" % (len(seen), len(allocs), bad))
    return 0 if bad == 0 and seen else 1


def cmd_sessions(args):
    logdir, specs = args[0], args[1:]
    creates = Counter()
    owner = defaultdict(set)
    for _, r in records(logdir):
        if r.get("event") == "session_create":
            k = (r.get("outside_ip"), r.get("outside_port"), r.get("proto"))
            creates[k] += 1
            owner[k].add(r.get("subscriber"))
    seen = defaultdict(set)
    for spec in specs:
        proto, _, reqlog = spec.partition(":")
        for _, ip, port, sub, _ in requests(reqlog):
            seen[(ip, port, proto)].add(sub)
    bad = 0
    for k, subs in sorted(seen.items()):
        if creates[k] != 1 or owner[k] != subs:
            bad += 1
            if bad <= 8:
                print("%s:%d/%s used by %s: %d session_create records (subscribers %s)"
                      % (k[0], k[1], k[2], sorted(subs), creates[k], sorted(owner[k], key=str)))
    print("%d mappings used, %d session_create records, %d not logged exactly once for the "
          "right subscriber" % (len(seen), sum(creates.values()), bad))
    return 0 if bad == 0 and seen else 1


def cmd_seq(args):
    contiguous = args[0] == "--contiguous"
    if contiguous:
        args = args[1:]
    stats = Counter()
    seqs = Counter()
    where = defaultdict(list)
    for f, r in records(args[0], stats):
        if "seq" in r:
            seqs[r["seq"]] += 1
            where[r["seq"]].append("%s: %s" % (f, json.dumps(r)))
    dups = sorted(s for s, n in seqs.items() if n > 1)
    print("%d records with seq, %d distinct, range %s..%s, %d torn lines skipped"
          % (sum(seqs.values()), len(seqs), min(seqs, default=None), max(seqs, default=None),
             stats["bad"]))
    for s in dups[:5]:
        print("seq %d appears %d times:" % (s, seqs[s]))
        for w in where[s]:
            print("   " + w)
    rc = 0 if seqs and not dups else 1
    if contiguous and seqs:
        missing = sorted(set(range(min(seqs), max(seqs) + 1)) - set(seqs))
        if missing:
            print("%d seq values missing, first: %s" % (len(missing), missing[:10]))
            rc = 1
    return rc


def epoch_of(rfc3339):
    # 2026-11-20T10:15:03.120000000Z -> seconds since the epoch (float)
    base, _, frac = rfc3339.rstrip("Z").partition(".")
    t = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + float("0." + (frac or "0"))


def cmd_count(args):
    logdir, event = args[0], args[1]
    lo, hi = (float(args[2]), float(args[3])) if len(args) >= 4 else (None, None)
    n = 0
    for _, r in records(logdir):
        if r.get("event") != event:
            continue
        if lo is not None and not lo <= epoch_of(r["time"]) < hi:
            continue
        n += 1
    print(n)
    return 0


def cmd_checkpoint(args):
    logdir, event, reqlogs = args[0], args[1], args[2:]
    files = log_files(logdir)
    if not files:
        print("no log files")
        return 1
    newest = files[-1]
    recs = []
    for line in read_file(logdir, newest).splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            pass
    ev = [r.get("event") for r in recs]
    print("%s: %s" % (newest, " ".join("%s x%d" % (e, n) for e, n in Counter(ev).items())))
    if not ev or ev[0] != "checkpoint_begin" or "checkpoint_end" not in ev:
        print("the file does not start with a complete checkpoint")
        return 1
    ckpt = recs[1:ev.index("checkpoint_end")]
    held = [r for r in ckpt if r.get("event") == event]
    end = recs[ev.index("checkpoint_end")]
    if end.get("records") != len(ckpt):
        print("checkpoint_end says %s records, %d found" % (end.get("records"), len(ckpt)))
        return 1
    if not held:
        print("no %s record in the checkpoint" % event)
        return 1
    bad = 0
    for (ip, port), subs in sorted(endpoints(reqlogs).items()):
        cover = [r for r in held if r.get("outside_ip") == ip
                 and r["outside_port_first"] <= port <= r["outside_port_last"]]
        if len(cover) != 1 or cover[0].get("subscriber") not in subs:
            bad += 1
            print("%s:%d (%s) is not in exactly one %s record of the right subscriber"
                  % (ip, port, sorted(subs), event))
    return 1 if bad else 0


def cmd_unused(args):
    logdir, first, count = args[0], ipaddress.IPv4Address(args[1]), int(args[2])
    used = defaultdict(list)
    for _, r in records(logdir):
        if "outside_ip" not in r:
            continue
        lo = r.get("outside_port_first", r.get("outside_port"))
        hi = r.get("outside_port_last", r.get("outside_port"))
        if lo is not None:
            used[r["outside_ip"]].append((lo, hi))
    for i in reversed(range(count)):
        ip = str(first + i)
        for port in range(65535, 1023, -97):
            if not any(lo <= port <= hi for lo, hi in used[ip]):
                print("%s:%d" % (ip, port))
                return 0
    return 1


def main():
    cmds = {"lookups": cmd_lookups, "blocks": cmd_blocks, "sessions": cmd_sessions,
            "seq": cmd_seq, "count": cmd_count, "checkpoint": cmd_checkpoint,
            "unused": cmd_unused}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    sys.exit(cmds[sys.argv[1]](sys.argv[2:]))


if __name__ == "__main__":
    main()
