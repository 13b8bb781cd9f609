#!/usr/bin/env bash
# The browser test needs Chromium. As root (CI) install Debian's package if it is
# missing; otherwise say clearly that the browser test will be skipped.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: installing Debian's chromium for the browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "ensure-browser: could not install chromium; the browser test will be SKIPPED" >&2
else
    echo "ensure-browser: chromium not found and not root; the browser test will be SKIPPED" >&2
fi
exit 0
