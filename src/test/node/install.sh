#!/bin/sh
# Installs the Firefox driver's npm packages (puppeteer-core, as package-lock.json pins them)
# when node_modules is missing or was installed from another package-lock.json. `mvn verify`
# runs it before the integration tests. Without npm it only says so: the Firefox tests then
# fail, naming what to install.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing (apt-get install nodejs npm; ./rtcsound test installs them): the Firefox tests will fail" >&2
    exit 0
fi
stamp=node_modules/.installed-from-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
    exit 0
fi
# puppeteer-core downloads no browser; the variable makes sure of it. The browser is Debian's.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
cp package-lock.json "$stamp"
