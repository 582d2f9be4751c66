#!/usr/bin/env bash
# Installs schemathesis (pinned) into a virtualenv under the user's cache, once per machine, and
# prints the path of its `st` command. Used by .ci/run and by test/api/schemathesis.test.ts.
set -euo pipefail
VERSION=4.32.5
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-btc-checkout/schemathesis-$VERSION"
if [ ! -x "$VENV/bin/st" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
fi
echo "$VENV/bin/st"
