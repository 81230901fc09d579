#!/usr/bin/env bash
# Services the test suite starts itself on 127.0.0.1 (run by .ci/run before pytest).
# Idempotent: installs only what is missing.
set -euo pipefail

if [ ! -x /usr/sbin/dovecot ]; then
    # The TLS-RPT IMAP import test runs a throwaway Dovecot; the packaged service is not used.
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo_cmd="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends dovecot-imapd
fi
/usr/sbin/dovecot --version
