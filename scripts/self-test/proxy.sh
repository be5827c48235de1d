#!/usr/bin/env bash
# The proxy leg of the self-test, on a GitHub-hosted Ubuntu runner (passwordless sudo, tinyproxy
# installed). It makes the emulator reachable through tinyproxy only:
# - the emulator serves HTTPS for $HOST, a name that is not loopback: the action refuses plain http to
#   other hosts and never proxies a loopback host, so only such a name exercises the proxy path. Its
#   certificate comes from a CA made here, trusted by the action through NODE_EXTRA_CA_CERTS (TLS
#   verification stays on);
# - $HOST resolves to 127.0.0.1 through /etc/hosts, for tinyproxy (the action only names it in CONNECT);
# - tinyproxy listens on 127.0.0.1:$PROXY_PORT and runs as its own user, `tinyproxy`;
# - iptables rejects TCP to the emulator's port from every user but `tinyproxy`: a request that skipped
#   the proxy fails instead of passing unnoticed. (Blocking all of the runner user's egress would cut
#   the runner itself off from GitHub; the emulator's port is the only egress the action has here.)
#
# PROXY_LOG_DIR moves tinyproxy's log (default /var/log/tinyproxy).
#
# usage: proxy.sh setup <dir> <emulator port>   writes HTTPS_PROXY, NODE_EXTRA_CA_CERTS, API_HOST,
#                                              EMULATOR_TLS_CERT/KEY to $GITHUB_ENV
#        proxy.sh verify                       direct connection refused, proxied request answered
#        proxy.sh assert-log <n>               tinyproxy tunnelled at least n connections to $HOST
set -euo pipefail

HOST=izuma-emulator.test
PROXY_PORT=8888
LOG_DIR=${PROXY_LOG_DIR:-/var/log/tinyproxy}
LOG=$LOG_DIR/self-test.log

setup() {
  local dir=${1:?usage: proxy.sh setup <dir> <port>} port=${2:?usage: proxy.sh setup <dir> <port>}
  mkdir -p "$dir"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -days 2 -subj '/CN=Self-test CA' -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -new "${ec[@]}" -subj "/CN=$HOST" -keyout "$dir/leaf.key" -out "$dir/leaf.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$HOST" >"$dir/leaf.ext"
  openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/leaf.ext" -out "$dir/leaf.pem" 2>/dev/null

  echo "127.0.0.1 $HOST" | sudo tee -a /etc/hosts >/dev/null

  # The package starts its own tinyproxy (port 8888, CONNECT to 443/563 only): replace it with ours.
  sudo systemctl stop tinyproxy 2>/dev/null || true
  cat >"$dir/tinyproxy.conf" <<CONF
User tinyproxy
Group tinyproxy
Port $PROXY_PORT
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 120
LogFile "$LOG"
LogLevel Connect
CONF
  sudo install -d -o tinyproxy -g tinyproxy "$LOG_DIR"
  sudo tinyproxy -c "$dir/tinyproxy.conf"
  for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null; then break; fi
    sleep 0.1
  done

  sudo iptables -I OUTPUT -p tcp -d 127.0.0.1 --dport "$port" -m owner ! --uid-owner tinyproxy \
    -j REJECT --reject-with tcp-reset

  {
    echo "HTTPS_PROXY=http://127.0.0.1:$PROXY_PORT"
    echo "NODE_EXTRA_CA_CERTS=$dir/ca.pem"
    echo "API_HOST=https://$HOST:$port"
    echo "EMULATOR_TLS_CERT=$dir/leaf.pem"
    echo "EMULATOR_TLS_KEY=$dir/leaf.key"
  } >>"${GITHUB_ENV:?GITHUB_ENV is not set}"
}

verify() {
  local url="${API_HOST:?run proxy.sh setup first}/v3/firmware-images/upload-jobs"
  local auth="Authorization: Bearer ${API_KEY:?API_KEY is not set}"
  if curl -sS --noproxy '*' --max-time 10 --cacert "$NODE_EXTRA_CA_CERTS" -H "$auth" "$url" >/dev/null 2>&1; then
    echo "✖ the emulator answered a direct request: direct egress is not blocked" >&2
    exit 1
  fi
  echo "✔ a direct request to $url is refused"
  curl -sS --fail --max-time 10 --proxy "$HTTPS_PROXY" --cacert "$NODE_EXTRA_CA_CERTS" -H "$auth" "$url" >/dev/null
  echo "✔ the same request through $HTTPS_PROXY is answered"
}

assert_log() {
  local want=${1:?usage: proxy.sh assert-log <n>} got
  got=$(sudo grep -c "CONNECT $HOST:" "$LOG" || true)
  if [ "$got" -lt "$want" ]; then
    echo "✖ tinyproxy tunnelled $got connection(s) to $HOST, expected at least $want" >&2
    sudo cat "$LOG" >&2
    exit 1
  fi
  echo "✔ tinyproxy tunnelled $got connections to $HOST"
}

case ${1:-} in
  setup) setup "${@:2}" ;;
  verify) verify ;;
  assert-log) assert_log "${@:2}" ;;
  *)
    echo "usage: proxy.sh setup <dir> <port> | verify | assert-log <n>" >&2
    exit 2
    ;;
esac
