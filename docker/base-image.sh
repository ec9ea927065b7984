#!/usr/bin/env bash
# Build a local base image for docker/Dockerfile where no registry can be
# reached: Debian bookworm (debootstrap, minbase) with python3, python3-venv
# and ca-certificates from Debian's packages, imported into the engine.
#
#   docker/base-image.sh [IMAGE]     (default localhost/debian-python:bookworm)
#
# Needs root and debootstrap. The Debian mirror is the one apt uses here
# (/etc/apt/sources.list*), or DEBIAN_MIRROR. ENGINE picks podman (default)
# or docker.
set -euo pipefail

image=${1:-localhost/debian-python:bookworm}
engine=${ENGINE:-podman}

mirror_of_apt() {
    # First Debian archive URI of the bookworm suite (deb822 or one-line form).
    local files=() f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk '
        /^URIs:/ { uri = $2 }
        /^Suites:/ && / bookworm( |$)/ && uri != "" { print uri; exit }
        /^deb / && $3 == "bookworm" { print $2; exit }
    ' "${files[@]}"
}

mirror=${DEBIAN_MIRROR:-$(mirror_of_apt)}
mirror=${mirror:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/app-server-base.XXXXXX)
trap 'rm -rf "$root" "$root.log"' EXIT

echo "base-image: debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" "$mirror" > "$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# What a container never reads: package caches, documentation, translations.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/usr/share/locale/*
echo "base-image: importing as $image" >&2
tar -C "$root" -c . | "$engine" import \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$image" > "$root.log" 2>&1 \
    || { cat "$root.log" >&2; exit 1; }
rm -f "$root.log"
echo "$image"
