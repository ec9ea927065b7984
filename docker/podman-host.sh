#!/usr/bin/env bash
# Make a Debian host able to run docker/smoke.sh with podman (root, idempotent):
# podman, runc and debootstrap from Debian's packages; an engine configuration
# with the runc runtime and the ulimits the containers need; podman-compose
# from PyPI in a virtual environment of its own. It only adds what is missing
# and prints the podman-compose command to stdout.
#
#   COMPOSE_VENV  where podman-compose goes
#                 (default ${XDG_CACHE_HOME:-$HOME/.cache}/app-server-smoke/compose-venv)
set -euo pipefail

say() { echo "podman-host: $*" >&2; }

missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap; do
    command -v "${tool%%:*}" > /dev/null || missing+=("${tool#*:}")
done
# compose.yaml's `init: true` runs catatonit as each container's pid 1.
[ -x /usr/libexec/podman/catatonit ] || command -v catatonit > /dev/null || missing+=(catatonit)
if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -q > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" > /dev/null
fi

conf=/etc/containers/containers.conf
if [ ! -f "$conf" ]; then
    say "writing $conf (runc, ulimits)"
    mkdir -p /etc/containers
    {
        echo '# Written by app-server docker/podman-host.sh.'
        echo '[containers]'
        echo 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]'
        echo
        echo '[engine]'
        echo 'runtime = "runc"'
        # Without systemd as pid 1 podman can use neither its cgroup manager
        # nor its journal.
        if [ "$(ps -p 1 -o comm= 2>/dev/null)" != systemd ]; then
            echo 'cgroup_manager = "cgroupfs"'
            echo 'events_logger = "file"'
        fi
    } > "$conf"
elif ! grep -q '^runtime *= *"runc"' "$conf"; then
    say "warning: $conf does not set runtime = \"runc\"; podman may fail here"
fi

venv=${COMPOSE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/app-server-smoke/compose-venv}
if [ ! -x "$venv/bin/podman-compose" ]; then
    say "pip install podman-compose into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet podman-compose > "$venv/install.log" 2>&1 \
        || { cat "$venv/install.log" >&2; exit 1; }
fi
echo "$venv/bin/podman-compose"
