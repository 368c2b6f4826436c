#!/usr/bin/env bash
# `pnpm bench`: every bench/*.ts in turn, each with its default arguments, then a summary of their ratio lines.
# A bench whose tools or services are missing is skipped with the reason; a bench that fails is reported and the
# others still run. The exit code is 1 when a bench failed (not when one was skipped).
#
#   bash bench/run.sh                 # all of them (about 12 minutes on 2 cores)
#   bash bench/run.sh push restore    # some of them, by file name
set -uo pipefail

cd "$(dirname "$0")/.."
database_url="${SW_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# What each bench needs that is not Node: commands, then services.
needs_of() {
  case "$1" in
    dockerize) echo "cmd:docker-registry cmd:skopeo file:/bin/busybox file:/usr/bin/python3.11" ;;
    push) echo "cmd:docker-registry cmd:skopeo" ;;
    freeze | standalone) echo "cmd:python3 cmd:tar" ;;
    restore) echo "cmd:tar cmd:gzip" ;;
    registry-lists) echo "postgres" ;;
    jobs) echo "postgres" ;;
    copy) echo "cmd:curl postgres" ;;
    console) echo "postgres file:/usr/bin/chromium" ;;
    *) echo "" ;;
  esac
}

# Prints what is missing for a bench, nothing when all is there.
missing() {
  local need
  for need in $(needs_of "$1"); do
    case "$need" in
      cmd:*) command -v "${need#cmd:}" >/dev/null || echo "${need#cmd:} (not on PATH)" ;;
      file:*) [ -e "${need#file:}" ] || echo "${need#file:} (missing)" ;;
      postgres)
        pg_isready -q -d "$database_url" -t 3 2>/dev/null ||
          echo "Postgres at $database_url (set SW_TEST_DATABASE_URL)"
        ;;
    esac
  done
}

if [ $# -gt 0 ]; then
  benches=("$@")
else
  benches=()
  for file in bench/*.ts; do benches+=("$(basename "$file" .ts)"); done
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/swhub-bench-XXXXXX")"
trap 'rm -rf "$logs"' EXIT
declare -A outcome
failed=0

for name in "${benches[@]}"; do
  if [ ! -f "bench/$name.ts" ]; then
    echo "bench: no bench/$name.ts" >&2
    exit 1
  fi
  echo
  echo "=== $name ($(date -u +%H:%M:%S) UTC)"
  lacking="$(missing "$name")"
  if [ -n "$lacking" ]; then
    outcome[$name]="skipped: needs $(echo "$lacking" | paste -sd ',' | sed 's/,/, /g')"
    echo "${outcome[$name]}"
    continue
  fi
  started=$SECONDS
  if pnpm --silent exec tsx "bench/$name.ts" 2>&1 | tee "$logs/$name.log"; then
    outcome[$name]="done in $((SECONDS - started)) s"
  else
    outcome[$name]="FAILED after $((SECONDS - started)) s (output above)"
    failed=1
  fi
done

echo
echo "=== summary ($(date -u +%H:%M:%S) UTC, $(nproc) cores)"
for name in "${benches[@]}"; do
  echo "$name: ${outcome[$name]}"
  # The result lines: ratios against the same-run baseline, the medians they come from, the list timings.
  [ -f "$logs/$name.log" ] && grep -E 'ratio|target|median|[0-9] ms  [a-z]|^  [a-zA-Z].*  +[0-9.]+ ms$' "$logs/$name.log" | sed 's/^ */  /'
done
exit $failed
