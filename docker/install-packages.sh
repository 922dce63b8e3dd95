#!/bin/sh
# The Debian packages rtcsound needs at run time: GStreamer with webrtcbin, libnice and
# Opus, and libpulse (through GStreamer's pulse elements). The container image runs this
# script, and so do `./rtcsound run` and `./rtcsound test`, so the recipe is exercised on
# every test run even where no Docker engine is. Extra package names may follow.
# Installs only what is missing; needs root.
set -eu

RUNTIME_PACKAGES="gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
gstreamer1.0-nice libpulse0 ca-certificates"

missing=""
for package in $RUNTIME_PACKAGES "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $package"
    fi
done

if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
fi
