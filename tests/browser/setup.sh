#!/bin/sh
# Prepares the browser tests: Debian's Chromium (installed when missing
# and we are root) and playwright-core from npm (no browser download).
set -eu
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ ! -d node_modules/playwright-core ]; then
	npm install --no-audit --no-fund --silent
fi
