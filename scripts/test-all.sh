#!/usr/bin/env bash
# Installs and starts what the tests need, then runs every tier: lint, typecheck, unit, integration, e2e.
# Ends with a summary and the line "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
started=$(date +%s)
say() { printf '\n== %s\n' "$*"; }

# --- System packages: only what is missing, and no apt at all when nothing is. -----------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for pkg in chromium docker-registry skopeo umoci busybox-static redis-server postgresql zsh fish; do
  installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "test-all: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "test-all: apt-get install ${missing[*]} failed" >&2
    exit 1
  }
fi

# --- Services: start each only when it does not answer. ---------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "starting Postgres"
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
if ! psql -w -h 127.0.0.1 -U postgres -d postgres -qAtc 'select 1' >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # A fresh Debian cluster asks for passwords on TCP; the tests use trust on loopback.
  version=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi
psql -w -h 127.0.0.1 -U postgres -d postgres -qAtc 'select 1' >/dev/null || {
  echo "test-all: Postgres does not accept user postgres on 127.0.0.1:5432" >&2
  exit 1
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  say "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
fi

# A loopback OCI registry for tests that want a shared one ($SW_TEST_REGISTRY); tests may also start their own.
registry_port=${SW_TEST_REGISTRY_PORT:-5123}
registry_answers() { node -e "fetch('http://127.0.0.1:$registry_port/v2/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; }
work=$(mktemp -d)
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
if ! registry_answers; then
  mkdir -p "$work/registry"
  cat >"$work/registry/config.yml" <<YAML
version: 0.1
log: { level: error }
storage:
  filesystem: { rootdirectory: $work/registry/data }
  delete: { enabled: true }
http: { addr: "127.0.0.1:$registry_port" }
YAML
  docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do registry_answers && break; sleep 0.2; done
  registry_answers || { echo "test-all: the registry did not start:" >&2; cat "$work/registry/log" >&2; exit 1; }
fi
export SW_TEST_REGISTRY="127.0.0.1:$registry_port"

# --- Tiers. Each runs even when an earlier one failed, so one run shows everything. ------------------
failed_tiers=()
run_tier() {
  local name=$1
  shift
  say "$name"
  local t0=$(date +%s)
  if "$@"; then
    echo "-- $name passed in $(($(date +%s) - t0)) s"
  else
    echo "-- $name FAILED after $(($(date +%s) - t0)) s"
    failed_tiers+=("$name")
  fi
}

# Counts from a Vitest or Playwright JSON report: "passed failed".
count() {
  node -e '
    const fs = require("fs");
    const [file, kind] = process.argv.slice(1);
    if (!fs.existsSync(file)) { console.log("0 0"); process.exit(); }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    if (kind === "vitest") console.log(r.numPassedTests, r.numFailedTests);
    else console.log(r.stats.expected + r.stats.flaky, r.stats.unexpected);
  ' "$1" "$2"
}

run_tier lint pnpm -s lint
run_tier typecheck pnpm -s typecheck
run_tier unit pnpm -s exec vitest run --project unit --reporter=default --reporter=json --outputFile.json="$work/unit.json"
run_tier integration pnpm -s exec vitest run --project int --reporter=default --reporter=json --outputFile.json="$work/int.json"
rm -f e2e/artifacts/results.json
run_tier e2e pnpm -s test:e2e
[ -f e2e/artifacts/results.json ] && cp e2e/artifacts/results.json "$work/e2e.json"

read -r unit_pass unit_fail < <(count "$work/unit.json" vitest)
read -r int_pass int_fail < <(count "$work/int.json" vitest)
read -r e2e_pass e2e_fail < <(count "$work/e2e.json" playwright)

say "summary ($(($(date +%s) - started)) s)"
printf '  unit:        %4d passed, %d failed\n' "$unit_pass" "$unit_fail"
printf '  integration: %4d passed, %d failed\n' "$int_pass" "$int_fail"
printf '  e2e:         %4d passed, %d failed\n' "$e2e_pass" "$e2e_fail"
if ((${#failed_tiers[@]})); then echo "  failed tiers: ${failed_tiers[*]}"; fi
echo "tests: $((unit_pass + int_pass + e2e_pass)) passed, $((unit_fail + int_fail + e2e_fail)) failed"
((${#failed_tiers[@]} == 0))
