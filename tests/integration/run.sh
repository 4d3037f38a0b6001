#!/bin/bash
# Every namespace integration test; ends with "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0
for t in tests/integration/test_*.sh; do
	out=$(bash "$t" 2>&1); rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	[ -n "$line" ] && [ "$rc" -eq 0 ] || { [ "${f:-0}" -eq 0 ] && failed=$((failed + 1)); }
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
