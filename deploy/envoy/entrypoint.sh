#!/usr/bin/env bash
# Entrypoint of the envoy-fleet Envoy image (seed 000 3.1.3): checks the variables, renders the bootstrap,
# validates it, runs Envoy, and on SIGTERM drains the listeners before Envoy exits.
set -euo pipefail

ENVOY_BIN=${ENVOY_BIN:-/usr/local/bin/envoy}
TEMPLATE=${BOOTSTRAP_TEMPLATE:-/etc/envoy/bootstrap.yaml.tmpl}
BOOTSTRAP=${BOOTSTRAP_PATH:-/var/run/envoy/bootstrap.yaml}

errors=()
fail() { errors+=("$1"); }
is_port() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

# Required.
[[ -n ${NODE_ID:-} ]] || fail "NODE_ID is required (Envoy's node.id, as the control plane knows the proxy)"
[[ -n ${CONTROL_PLANE_HOST:-} ]] || fail "CONTROL_PLANE_HOST is required (host name or address of the xDS server)"

# Optional, with the defaults of seed 000.
export CONTROL_PLANE_PORT=${CONTROL_PLANE_PORT:-18000}
export CLUSTER_NAME=${CLUSTER_NAME:-default-cluster}
export REGION=${REGION:-}
export ZONE=${ZONE:-local}
export INSTANCE_ID=${INSTANCE_ID:-${HOSTNAME:-unknown}}
export VERSION=${VERSION:-v1}
export ENVIRONMENT=${ENVIRONMENT:-development}
# The admin interface answers on loopback only unless told otherwise: it can stop Envoy.
export ADMIN_ADDRESS=${ADMIN_ADDRESS:-127.0.0.1}
export ADMIN_PORT=${ADMIN_PORT:-19000}
export MAX_DOWNSTREAM_CONNECTIONS=${MAX_DOWNSTREAM_CONNECTIONS:-50000}
export XDS_TLS_CA_FILE=${XDS_TLS_CA_FILE:-}
export XDS_TLS_CERT_FILE=${XDS_TLS_CERT_FILE:-}
export XDS_TLS_KEY_FILE=${XDS_TLS_KEY_FILE:-}
export XDS_TLS_SERVER_NAME=${XDS_TLS_SERVER_NAME:-${CONTROL_PLANE_HOST:-}}
DRAIN_SECONDS=${DRAIN_SECONDS:-5}
LOG_LEVEL=${LOG_LEVEL:-info}

is_port "$CONTROL_PLANE_PORT" || fail "CONTROL_PLANE_PORT must be a port number (1-65535), got \"$CONTROL_PLANE_PORT\""
is_port "$ADMIN_PORT" || fail "ADMIN_PORT must be a port number (1-65535), got \"$ADMIN_PORT\""
[[ -z ${PROXY_PORT:-} ]] || is_port "$PROXY_PORT" || fail "PROXY_PORT must be a port number (1-65535), got \"$PROXY_PORT\""
[[ $MAX_DOWNSTREAM_CONNECTIONS =~ ^[1-9][0-9]*$ ]] || fail "MAX_DOWNSTREAM_CONNECTIONS must be a positive integer, got \"$MAX_DOWNSTREAM_CONNECTIONS\""
[[ $DRAIN_SECONDS =~ ^[0-9]+$ ]] || fail "DRAIN_SECONDS must be a whole number of seconds, got \"$DRAIN_SECONDS\""
case $LOG_LEVEL in trace | debug | info | warning | warn | error | critical | off) ;; *) fail "LOG_LEVEL must be one of trace, debug, info, warning, error, critical, off, got \"$LOG_LEVEL\"" ;; esac

# TLS to the xDS server: a CA alone verifies the server; a certificate and key add the client's (mTLS).
if [[ -n $XDS_TLS_CERT_FILE || -n $XDS_TLS_KEY_FILE ]]; then
  [[ -n $XDS_TLS_CERT_FILE && -n $XDS_TLS_KEY_FILE ]] || fail "XDS_TLS_CERT_FILE and XDS_TLS_KEY_FILE go together (mTLS to the xDS server)"
  [[ -n $XDS_TLS_CA_FILE ]] || fail "XDS_TLS_CA_FILE is required with a client certificate (to verify the xDS server)"
fi
for file in "$XDS_TLS_CA_FILE" "$XDS_TLS_CERT_FILE" "$XDS_TLS_KEY_FILE"; do
  [[ -z $file || -r $file ]] || fail "cannot read $file (mount the certificates, e.g. at /etc/envoy/certs)"
done

# Values land in quoted YAML strings: keep them plain.
for name in NODE_ID CLUSTER_NAME REGION ZONE INSTANCE_ID VERSION ENVIRONMENT ADMIN_ADDRESS CONTROL_PLANE_HOST \
  XDS_TLS_CA_FILE XDS_TLS_CERT_FILE XDS_TLS_KEY_FILE XDS_TLS_SERVER_NAME; do
  value=${!name:-}
  [[ $value != *[\"\\$'\n']* ]] || fail "$name must not contain quotes, backslashes or line breaks"
done

if ((${#errors[@]} > 0)); then
  printf 'envoy-fleet entrypoint: %s\n' "${errors[@]}" >&2
  exit 64
fi

# Render: only our variables are substituted; the TLS blocks are dropped when not configured.
filter=()
[[ -n $XDS_TLS_CA_FILE ]] || filter+=(-e '/# BEGIN xds-tls/,/# END xds-tls/d')
[[ -n $XDS_TLS_CERT_FILE ]] || filter+=(-e '/# BEGIN xds-client-cert/,/# END xds-client-cert/d')
variables='${NODE_ID} ${CLUSTER_NAME} ${REGION} ${ZONE} ${INSTANCE_ID} ${VERSION} ${ENVIRONMENT} ${ADMIN_ADDRESS} ${ADMIN_PORT} ${CONTROL_PLANE_HOST} ${CONTROL_PLANE_PORT} ${XDS_TLS_CA_FILE} ${XDS_TLS_CERT_FILE} ${XDS_TLS_KEY_FILE} ${XDS_TLS_SERVER_NAME} ${MAX_DOWNSTREAM_CONNECTIONS}'
export NODE_ID CONTROL_PLANE_HOST
if ((${#filter[@]} > 0)); then
  sed "${filter[@]}" "$TEMPLATE" | envsubst "$variables" >"$BOOTSTRAP"
else
  envsubst "$variables" <"$TEMPLATE" >"$BOOTSTRAP"
fi

echo "envoy-fleet entrypoint: validating the bootstrap of node ${NODE_ID}"
if ! "$ENVOY_BIN" --mode validate -c "$BOOTSTRAP" --log-level error; then
  echo "envoy-fleet entrypoint: the rendered bootstrap ($BOOTSTRAP) is not valid" >&2
  exit 65
fi

echo "envoy-fleet entrypoint: starting Envoy, node ${NODE_ID}, cluster ${CLUSTER_NAME}, xDS ${CONTROL_PLANE_HOST}:${CONTROL_PLANE_PORT}"
"$ENVOY_BIN" -c "$BOOTSTRAP" \
  --service-cluster "$CLUSTER_NAME" \
  --service-node "$NODE_ID" \
  --drain-time-s "$DRAIN_SECONDS" \
  --drain-strategy immediate \
  --log-level "$LOG_LEVEL" \
  --log-format '[%Y-%m-%d %T.%e][%t][%l][%n] %v' &
envoy_pid=$!

# Graceful stop: stop accepting connections, let open ones finish for DRAIN_SECONDS, then end Envoy.
# Keep DRAIN_SECONDS below the stop grace (the node-agent's default is 30 s) or Docker kills Envoy first.
draining=false
drain() {
  trap - TERM INT
  draining=true
  local admin_host=$ADMIN_ADDRESS
  [[ $admin_host != 0.0.0.0 && $admin_host != "::" ]] || admin_host=127.0.0.1
  [[ $admin_host != *:* ]] || admin_host="[$admin_host]"
  echo "envoy-fleet entrypoint: draining listeners for ${DRAIN_SECONDS}s"
  curl -fsS -X POST "http://${admin_host}:${ADMIN_PORT}/drain_listeners?graceful" >/dev/null || true
  sleep "$DRAIN_SECONDS"
  kill -TERM "$envoy_pid" 2>/dev/null || true
}
trap drain TERM INT

status=0
wait "$envoy_pid" || status=$?
# The trapped signal interrupted wait: wait again for Envoy's own exit status.
if [[ $draining == true ]]; then
  status=0
  wait "$envoy_pid" || status=$?
fi
exit "$status"
