#!/usr/bin/env bash
# Installs the system packages EQM needs to build and test, on Debian/Ubuntu.
# As root it runs apt-get; otherwise it stops and prints the exact command to run.
set -euo pipefail

packages=(pkg-config libsodium-dev libpq-dev libssl-dev libsqlite3-dev postgresql openssl)

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: 'swift' is not on PATH; install Swift 6.2 or newer (https://swift.org/install)." >&2
    exit 1
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "bootstrap: not a Debian-family system; install by hand: ${packages[*]}" >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "bootstrap: missing system packages: ${missing[*]}" >&2
    echo "bootstrap: run this, then try again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
