#!/usr/bin/env bash
# Builds and runs the whole test suite with a throwaway PostgreSQL, then stops it.
# Ends with one plain line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

results=$(mktemp -d "${TMPDIR:-/tmp}/eqm-test-results.XXXXXX")
export EQM_TEST_POSTGRES_STATE="$results/postgres.state"
cleanup() { scripts/test-postgres.sh stop; rm -rf "$results"; }
trap cleanup EXIT

echo "==> building (debug, with tests)"
swift build --build-tests "$@" || exit 1

echo "==> starting a throwaway PostgreSQL (unix socket only)"
postgres_env=$(scripts/test-postgres.sh start) || exit 1
export "${postgres_env?}"
export EQM_REQUIRE_POSTGRES=1

echo "==> running tests"
swift test --skip-build --parallel --xunit-output "$results/xunit.xml" "$@"
status=$?

# XCTest and Swift Testing each write their own xUnit file; count test cases and failures in both.
passed=0; failed=0
for file in "$results"/xunit*.xml; do
    [[ -f "$file" ]] || continue
    cases=$(grep -o '<testcase ' "$file" | wc -l)
    failures=$(grep -Eo '<testcase [^>]*>[[:space:]]*<(failure|error)' "$file" | wc -l)
    # A failed test case element may put its <failure> on the next line: count those too.
    failures=$(( failures + $(awk '/<testcase /{open=1; next} open && /<(failure|error)/{n++; open=0} /<\/testcase>/{open=0} END{print n+0}' "$file") ))
    passed=$(( passed + cases - failures )); failed=$(( failed + failures ))
done
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
exit $status
