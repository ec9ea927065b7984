#!/usr/bin/env bash
# Smoke test of the container deployment: build the image, bring
# docker/compose.yaml up (one core, two gateways) with a mock model
# (docker/compose.smoke.yaml), run docker/smoke_client.py against it (a
# thread and a turn through gateway A, resume and a turn through gateway B,
# a core restart and a third turn, a new core container on the same volume
# and a fourth turn), check the logs hold no token, and tear everything
# down whatever happens. Prints what it does; exit 0 on success.
#
#   docker/smoke.sh
#
# ENGINE: podman (default when installed) or docker. With podman the host is
# prepared first (docker/podman-host.sh: packages, engine configuration,
# podman-compose) and, unless BASE_IMAGE is set, a local Debian base image is
# built (docker/base-image.sh). PYTHON: an interpreter with `websockets`
# (default the project's .venv). PIP_CA: a CA bundle lent to pip in the
# build stage (default the system bundle, so a TLS-intercepting proxy the
# host trusts works). KEEP_IMAGE=0 removes the image at the end. SMOKE_TLS=1
# adds docker/compose.tls.yaml (TLS between gateways and core, with a CA made
# here by openssl).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
started=$SECONDS
SMOKE_STARTED=$EPOCHREALTIME  # the client stamps its lines from here too
export SMOKE_STARTED

say() {
    local tenths=$(( (${EPOCHREALTIME/./} - ${SMOKE_STARTED/./}) / 100000 ))
    printf 'smoke: [%3d.%ds] %s\n' $((tenths / 10)) $((tenths % 10)) "$*"
}

export ENGINE=${ENGINE:-$(command -v podman > /dev/null && echo podman || echo docker)}
image=${APP_SERVER_IMAGE:-localhost/app-server:latest}
python=${PYTHON:-$repo/.venv/bin/python}
export PROJECT="app-server-smoke-$$"

if [ "$ENGINE" = podman ]; then
    compose_bin=$("$here/podman-host.sh")
    compose=("$compose_bin")
    base=${BASE_IMAGE:-localhost/debian-python:bookworm}
    if [ -z "${BASE_IMAGE:-}" ] && ! podman image exists "$base"; then
        say "building the local base image $base"
        "$here/base-image.sh" "$base" > /dev/null
    fi
    build_format=(--format docker)  # OCI images drop HEALTHCHECK
else
    compose=(docker compose)
    base=${BASE_IMAGE:-docker.io/library/python:3.11-slim-bookworm}
    build_format=()
fi
compose+=(-p "$PROJECT" -f "$here/compose.yaml" -f "$here/compose.smoke.yaml")

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

container_of() {
    "$ENGINE" ps -q --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.service=$1" | head -n 1
}

make_pki() {
    # A throw-away CA and a certificate for the name gateways dial (`core`).
    local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 1 \
        -subj /CN=app-server-smoke-ca 2> /dev/null
    openssl req "${ec[@]}" -keyout "$d/core.key" -out "$d/core.csr" -subj /CN=core 2> /dev/null
    openssl x509 -req -in "$d/core.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 1 -out "$d/core.pem" -extfile <(echo subjectAltName=DNS:core) 2> /dev/null
    rm -f "$d/ca.key" "$d/core.csr" "$d/ca.srl"
    say "TLS on the gRPC link (a CA made for this run)"
}

secrets=$(mktemp -d)
chmod 0700 "$secrets"
cleanup() {
    local status=$?
    set +e
    if [ $status -ne 0 ]; then
        say "failure: the last log lines of each service"
        for svc in core gateway-a gateway-b mock-model; do
            echo "----- $svc"
            "$ENGINE" logs --tail 25 "$(container_of "$svc")" 2>&1
        done
    fi
    say "tearing down $PROJECT (containers, network, volume)"
    "${compose[@]}" down -v -t 20 > /dev/null 2>&1
    # What compose does not know of (a cloned core) and what it kept for it.
    local kind ids
    for kind in container volume network; do
        ids=$("$ENGINE" "$kind" ls -a -q --filter "label=com.docker.compose.project=$PROJECT" \
              2> /dev/null || "$ENGINE" "$kind" ls -q \
              --filter "label=com.docker.compose.project=$PROJECT" 2> /dev/null)
        # shellcheck disable=SC2086 # ids are words
        [ -z "$ids" ] || "$ENGINE" "$kind" rm -f $ids > /dev/null 2>&1
    done
    rm -rf "$secrets"
    if [ "${KEEP_IMAGE:-1}" = 0 ]; then "$ENGINE" rmi "$image" > /dev/null 2>&1; fi
    say "$([ $status -eq 0 ] && echo PASSED || echo FAILED) in $((SECONDS - started)) s"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "engine $ENGINE; base image $base"
pip_ca=${PIP_CA:-/etc/ssl/certs/ca-certificates.crt}
build_secret=()
if [ -f "$pip_ca" ]; then build_secret=(--secret "id=pip_ca,src=$pip_ca"); fi
build_started=$SECONDS
"$ENGINE" build "${build_format[@]}" "${build_secret[@]}" -f "$here/Dockerfile" \
    --build-arg "BASE_IMAGE=$base" -t "$image" . > "$secrets/build.log" 2>&1 \
    || { tail -n 30 "$secrets/build.log"; exit 1; }
say "built $image in $((SECONDS - build_started)) s: $("$ENGINE" image inspect "$image" \
    --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1e6}')"

# Tokens (and with SMOKE_TLS=1 a CA and the core's certificate): files in a
# private folder. The compose secrets are bind mounts of them, so they must
# be readable by the containers' user (uid 10001).
for name in core gateway-a gateway-b; do
    "$python" -c 'import secrets; print(secrets.token_urlsafe(32))' > "$secrets/$name.token"
done
if [ "${SMOKE_TLS:-0}" = 1 ]; then
    make_pki "$secrets"
    compose+=(-f "$here/compose.tls.yaml")
fi
for file in "$secrets"/*.token "$secrets"/*.pem "$secrets"/*.key; do
    [ -f "$file" ] || continue
    if [ "$(id -u)" = 0 ]; then chown 10001:10001 "$file"; chmod 0400 "$file"
    else chmod 0644 "$file"; fi
done
export APP_SERVER_SECRETS_DIR=$secrets APP_SERVER_IMAGE=$image
GATEWAY_A_PORT=$(free_port)
GATEWAY_B_PORT=$(free_port)
MOCK_MODEL_PORT=$(free_port)
export GATEWAY_A_PORT GATEWAY_B_PORT MOCK_MODEL_PORT
export OPENAI_BASE_URL=http://mock-model:8000/v1 OPENAI_API_KEY=smoke-not-a-real-key

say "compose up $PROJECT (gateways on 127.0.0.1:$GATEWAY_A_PORT and :$GATEWAY_B_PORT)"
"${compose[@]}" up -d > "$secrets/up.log" 2>&1 || { cat "$secrets/up.log"; exit 1; }

healthy() {
    # podman without systemd schedules no health checks: run the image's
    # check on demand (the same command, the same verdict).
    if [ "$ENGINE" = podman ]; then
        podman healthcheck run "$1" > /dev/null 2>&1
    else
        [ "$(docker inspect --format '{{.State.Health.Status}}' "$1")" = healthy ]
    fi
}

wait_healthy() {
    local svc=$1 deadline=$((SECONDS + 90)) ctr
    ctr=$(container_of "$svc")
    [ -n "$ctr" ] || { say "no container for $svc"; return 1; }
    until healthy "$ctr"; do
        if [ $SECONDS -ge $deadline ]; then say "$svc not healthy within 90 s"; return 1; fi
        sleep 1
    done
    say "$svc healthy"
}

restart_core() {
    # Its output only matters when it fails (podman without systemd also
    # complains there about health check timers it cannot set).
    local out
    out=$("$ENGINE" restart -t 20 "$(container_of core)" 2>&1) || { echo "$out"; return 1; }
    wait_healthy core
}
replace_core() {
    # A new container with the old one's configuration and volume, as an
    # upgrade makes. docker compose recreates the core alone; podman-compose
    # would recreate the gateways too (they `--require` it), so with podman
    # the stopped container is cloned instead.
    local out ctr
    ctr=$(container_of core)
    if [ "$ENGINE" = podman ]; then
        out=$({ podman stop -t 20 "$ctr" && podman container clone --name "${ctr:0:12}-next" \
                "$ctr" && podman start "${ctr:0:12}-next"; } 2>&1) || { echo "$out"; return 1; }
    else
        out=$(eval "$COMPOSE up -d --no-deps --force-recreate core" 2>&1) \
            || { echo "$out"; return 1; }
    fi
    wait_healthy core
}
COMPOSE=$(printf '%q ' "${compose[@]}")
export COMPOSE
export -f say container_of healthy wait_healthy restart_core replace_core

for svc in core gateway-a gateway-b; do wait_healthy "$svc"; done

"$python" "$here/smoke_client.py" \
    --gateway-a "ws://127.0.0.1:$GATEWAY_A_PORT" --gateway-b "ws://127.0.0.1:$GATEWAY_B_PORT" \
    --token-a "$secrets/gateway-a.token" --token-b "$secrets/gateway-b.token" \
    --mock "http://127.0.0.1:$MOCK_MODEL_PORT" --restart-cmd restart_core \
    --replace-cmd replace_core

# The logs are JSON lines (LOG_FORMAT=json) and must never carry a token.
mkdir "$secrets/logs"
for svc in core gateway-a gateway-b; do
    "$ENGINE" logs "$(container_of "$svc")" > "$secrets/logs/$svc.log" 2>&1
done
for name in core gateway-a gateway-b; do
    if grep -q -F -f "$secrets/$name.token" "$secrets"/logs/*.log; then
        say "the $name token appears in the logs"
        exit 1
    fi
done
say "no token in the logs of core, gateway-a, gateway-b ($(cat "$secrets"/logs/*.log \
    | wc -l) lines)"
