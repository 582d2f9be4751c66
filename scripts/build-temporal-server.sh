#!/usr/bin/env bash
# Builds the Temporal server (`temporal-server`) and its SQL schema tool (`temporal-sql-tool`) from the Go
# module proxy into a cache folder keyed by version, so only the first run on a machine pays the build
# (12-17 min cold on 2 cores; a warm relink is ~10 s). Idempotent. Prints the folder holding both binaries.
# The cluster harness (test/support/cluster/) runs these against PostgreSQL; see docs/cluster.md.
# Usage: scripts/build-temporal-server.sh [--where]   (--where: print the folder, exit 1 if not built yet;
#        TEMPORAL_SERVER_BIN_DIR overrides the cache folder, TEMPORAL_SERVER_VERSION the version)
set -euo pipefail
# v1.32.2 is the newest release the Go module proxy serves; its go.mod asks for go >= 1.26.10, which the go
# command fetches as the module golang.org/toolchain (through the same proxy) when GOTOOLCHAIN names it.
VERSION=${TEMPORAL_SERVER_VERSION:-v1.32.2}
export GOTOOLCHAIN=${TEMPORAL_SERVER_GOTOOLCHAIN:-go1.26.10}
CACHE_ROOT=${TEMPORAL_SERVER_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-btc-checkout}
OUT="$CACHE_ROOT/temporal-server-$VERSION"
if [ -x "$OUT/temporal-server" ] && [ -x "$OUT/temporal-sql-tool" ]; then
  echo "$OUT"; exit 0
fi
if [ "${1:-}" = "--where" ]; then echo "$OUT"; exit 1; fi
command -v go >/dev/null || { echo "Go is needed to build the Temporal server (https://go.dev/dl/)" >&2; exit 1; }
log() { echo "[temporal-server-build] $*" >&2; }
mkdir -p "$CACHE_ROOT"
# Build into a private folder and rename at the end, so a concurrent or interrupted run never leaves a
# half-written binary where the harness looks for it.
WORK=$(mktemp -d "$CACHE_ROOT/.build-XXXXXX") && chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
log "building go.temporal.io/server $VERSION with $GOTOOLCHAIN (12-17 min on 2 cores, once)"
# `go install` names the binaries after their package folders (server, sql).
GOBIN="$WORK" go install -ldflags "-s -w" \
  "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION" >&2
mv "$WORK/server" "$WORK/temporal-server"
mv "$WORK/sql" "$WORK/temporal-sql-tool"
"$WORK/temporal-server" --version >&2
if [ -x "$OUT/temporal-server" ] && [ -x "$OUT/temporal-sql-tool" ]; then
  echo "$OUT"; exit 0   # another run finished first
fi
rm -rf "$OUT"
mv "$WORK" "$OUT"
trap - EXIT
echo "$OUT"
