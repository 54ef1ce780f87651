#!/usr/bin/env bash
# Real Git servers for the source-controller e2e tests (source it after
# e2e/lib.sh). Every server runs on 127.0.0.1 and a free port, is recorded in
# $WORK/pids and serves the bare repositories under $WORK/git.

# start_sshd : sshd on a high port with an ed25519 host key, accepting the
# client key $WORK/ssh/id_ed25519 for the current user. Sets SSH_PORT,
# SSH_KNOWN_HOSTS (a matching known_hosts line) and SSH_BAD_KNOWN_HOSTS.
start_sshd() {
  mkdir -p "$WORK/ssh" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/host_ed25519" -C host
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/other_host" -C other
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/id_ed25519" -C client
  ssh-keygen -q -t ed25519 -N 'password' -f "$WORK/ssh/id_encrypted" -C encrypted
  cat "$WORK/ssh/id_ed25519.pub" "$WORK/ssh/id_encrypted.pub" >"$WORK/ssh/authorized_keys"
  chmod 600 "$WORK/ssh/authorized_keys"
  SSH_PORT="$(free_port)"
  cat >"$WORK/ssh/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/ssh/host_ed25519
AuthorizedKeysFile $WORK/ssh/authorized_keys
PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
CONF
  start_bg sshd /usr/sbin/sshd -D -e -f "$WORK/ssh/sshd_config"
  wait_until 10 "sshd" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT"
  SSH_KNOWN_HOSTS="[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$WORK/ssh/host_ed25519.pub")"
  SSH_BAD_KNOWN_HOSTS="[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$WORK/ssh/other_host.pub")"
  SSH_USER="$(id -un)"
}

# start_lighttpd NAME [https|mtls] : git http-backend behind lighttpd, basic auth
# user "flux" / password "s3cret" for everything under /git/. Sets
# HTTP_PORT (or HTTPS_PORT); with https also writes $WORK/tls/ca.crt. mtls
# sets MTLS_PORT and requires a client certificate: $WORK/mtls/server.crt
# (the server's, self-signed), client.crt/client.key (signed by the CA the
# server trusts) and other.crt/other.key (self-signed, not trusted).
start_mtls_certs() {
  local d="$WORK/mtls"
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$d/server.key" -out "$d/server.crt" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=client-ca \
    -keyout "$d/client-ca.key" -out "$d/client-ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=flux -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
  openssl x509 -req -in "$d/client.csr" -CA "$d/client-ca.crt" -CAkey "$d/client-ca.key" \
    -CAcreateserial -days 2 -out "$d/client.crt" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other \
    -keyout "$d/other.key" -out "$d/other.crt" 2>/dev/null
}

start_lighttpd() {
  local name="$1" tls="${2:-}" port
  port="$(free_port)"
  mkdir -p "$WORK/$name"
  echo "flux:s3cret" >"$WORK/$name/users"
  local ssl=""
  if [[ "$tls" == https ]]; then
    mkdir -p "$WORK/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/tls/server.key" -out "$WORK/tls/ca.crt" 2>/dev/null
    ssl='server.modules += ("mod_openssl")
ssl.engine = "enable"
ssl.pemfile = "'"$WORK/tls/ca.crt"'"
ssl.privkey = "'"$WORK/tls/server.key"'"'
    HTTPS_PORT="$port"
  elif [[ "$tls" == mtls ]]; then
    start_mtls_certs
    ssl='server.modules += ("mod_openssl")
ssl.engine = "enable"
ssl.pemfile = "'"$WORK/mtls/server.crt"'"
ssl.privkey = "'"$WORK/mtls/server.key"'"
ssl.ca-file = "'"$WORK/mtls/client-ca.crt"'"
ssl.verifyclient.activate = "enable"
ssl.verifyclient.enforce = "enable"
ssl.verifyclient.depth = 1'
    MTLS_PORT="$port"
  else
    HTTP_PORT="$port"
  fi
  cat >"$WORK/$name/lighttpd.conf" <<CONF
server.modules = ("mod_alias", "mod_setenv", "mod_cgi", "mod_auth", "mod_authn_file")
server.document-root = "$WORK/git"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$WORK/logs/$name-error.log"
$ssl
alias.url = ("/git/" => "/usr/lib/git-core/git-http-backend/")
\$HTTP["url"] =~ "^/git/" {
  cgi.assign = ("" => "")
  setenv.add-environment = ("GIT_PROJECT_ROOT" => "$WORK/git", "GIT_HTTP_EXPORT_ALL" => "1")
}
auth.backend = "plain"
auth.backend.plain.userfile = "$WORK/$name/users"
auth.require = ("/git/" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
CONF
  start_bg "$name" /usr/sbin/lighttpd -D -f "$WORK/$name/lighttpd.conf"
  wait_until 10 "$name" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
}

# secret NAME KEY=FILE|KEY=@VALUE... : creates/replaces a Secret in flux-system.
secret() {
  local name="$1"; shift
  local args=()
  for kv in "$@"; do
    if [[ "${kv#*=}" == @* ]]; then args+=(--from-literal="${kv%%=*}=${kv#*=@}"); else args+=(--from-file="$kv"); fi
  done
  kubectl create secret generic "$name" -n flux-system "${args[@]}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

# gitrepo NAME URL [EXTRA-SPEC-YAML] : applies a GitRepository (interval 10m).
gitrepo() {
  local name="$1" url="$2" extra="${3:-}"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: $name
  namespace: flux-system
spec:
  interval: 10m
  timeout: 20s
  url: $url
$extra
YAML
}

# wait_ready NAME [SECONDS] / wait_not_ready NAME REASON [SECONDS]
wait_ready() {
  wait_until "${2:-30}" "gitrepository/$1 Ready" \
    bash -c "[[ \"\$(kubectl get gitrepository/$1 -n flux-system -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" == True ]]"
}
wait_reason() {
  wait_until "${3:-30}" "gitrepository/$1 Ready reason $2" \
    bash -c "[[ \"\$(kubectl get gitrepository/$1 -n flux-system -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}')\" == $2 ]]"
}
ready_msg() { condition "gitrepository/$1" flux-system Ready message; }
revision() { jp "gitrepository/$1" flux-system '{.status.artifact.revision}'; }

# start_source_stack : dev-apiserver + CRDs + source-controller only.
start_source_stack() {
  start_apiserver
  install_manifests
  STORAGE_PORT="$(free_port)"
  start_bg source-controller "$BIN/source-controller" --kubeconfig "$KUBECONFIG" \
    --storage-path "$WORK/storage" --storage-addr "127.0.0.1:$STORAGE_PORT" \
    --storage-adv-addr "127.0.0.1:$STORAGE_PORT" --artifact-grpc-addr "" \
    --metrics-addr "127.0.0.1:$(free_port)" --health-addr "127.0.0.1:$(free_port)" \
    --git-cache-path "$WORK/git-cache" --requeue-dependency=1s --min-retry-delay=200ms --max-retry-delay=2s \
    "$@"
  mkdir -p "$WORK/git" "$WORK/src"
}
