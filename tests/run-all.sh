#!/bin/bash
# Every test of `make check`: cmocka unit tests, BPF packet tests and the
# network-namespace integration tests. Ends with one "N passed, N failed" line.
cd "$(dirname "$0")/.." || exit 1
passed=0 failed=0 broken=()

count_cmocka() { # binary
	local out rc p f
	out=$("$1" 2>&1); rc=$?
	echo "$out" | grep -E '^\[  (FAILED|ERROR|PASSED)  \]|^\[==========\]|LeakSanitizer|AddressSanitizer|runtime error' | sed 's/^/    /'
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); broken+=("$1 (exit $rc)"); fi
	[ "${f:-0}" -gt 0 ] && broken+=("$1")
}

echo "== unit tests"
for t in build/tests/test_*; do
	echo "  $(basename "$t")"
	count_cmocka "$t"
done

echo "== packet tests (BPF_PROG_TEST_RUN)"
if [ -x build/tests/packet_tests ]; then
	count_cmocka build/tests/packet_tests
fi

echo "== integration tests (network namespaces)"
out=$(tests/integration/run.sh 2>&1); rc=$?
echo "$out" | grep -vE '^(tcpdump: listening|[0-9]+ packets)' | sed '$d'
line=$(echo "$out" | tail -1)
p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
if [ "$rc" -ne 0 ]; then
	[ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
	broken+=("$(echo "$out" | grep -B1000 FAIL | grep '^== ' | tail -1)")
fi

[ ${#broken[@]} -eq 0 ] || printf 'failing: %s\n' "${broken[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
