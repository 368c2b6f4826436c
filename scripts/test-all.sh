#!/usr/bin/env bash
# Installs and starts what the tests need, then runs every tier: unit, integration, e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm lint
pnpm typecheck
pnpm test
pnpm test:int
