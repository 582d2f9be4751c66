#!/usr/bin/env bash
# Builds btcd/btcctl and lnd/lncli from the Go module proxy into a cache folder keyed by version, so only
# the first run on a machine pays the ~6 min lnd build. Prints the folder holding the four binaries.
# Usage: scripts/build-regtest-binaries.sh   (REGTEST_BIN_DIR overrides the cache folder)
set -euo pipefail
BTCD_VERSION=v0.26.2
LND_VERSION=v0.20.1-beta
CACHE_ROOT=${REGTEST_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-btc-checkout/regtest}
OUT="$CACHE_ROOT/btcd-$BTCD_VERSION-lnd-$LND_VERSION"
if [ -x "$OUT/btcd" ] && [ -x "$OUT/btcctl" ] && [ -x "$OUT/lnd" ] && [ -x "$OUT/lncli" ]; then
  echo "$OUT"; exit 0
fi
command -v go >/dev/null || { echo "Go is needed to build btcd and lnd (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$OUT"
log() { echo "[regtest-build] $*" >&2; }

if [ ! -x "$OUT/btcd" ] || [ ! -x "$OUT/btcctl" ]; then
  log "building btcd $BTCD_VERSION (about 30 s)"
  GOBIN="$OUT" go install "github.com/btcsuite/btcd@$BTCD_VERSION" "github.com/btcsuite/btcd/cmd/btcctl@$BTCD_VERSION" >&2
fi

if [ ! -x "$OUT/lnd" ] || [ ! -x "$OUT/lncli" ]; then
  # `go install` refuses lnd (its go.mod has replace directives): build inside a writable copy of the module.
  log "building lnd $LND_VERSION (about 6 min on 2 cores, once)"
  go mod download "github.com/lightningnetwork/lnd@$LND_VERSION" >&2
  SRC="$(go env GOMODCACHE)/github.com/lightningnetwork/lnd@$LND_VERSION"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  cp -r "$SRC" "$WORK/lnd" && chmod -R u+w "$WORK/lnd"
  TAGS="signrpc walletrpc chainrpc invoicesrpc routerrpc"
  (cd "$WORK/lnd" && go build -tags="$TAGS" -ldflags "-s -w" -o "$OUT/lnd" ./cmd/lnd \
     && go build -tags="$TAGS" -ldflags "-s -w" -o "$OUT/lncli" ./cmd/lncli) >&2
fi
echo "$OUT"
