#!/bin/sh
# Run every cmocka unit test binary given on the command line; fail if any fails.
failed=0
for t in "$@"; do
	echo "== $(basename "$t")"
	"$t" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ] || { echo "unit: $failed test binaries failed"; exit 1; }
