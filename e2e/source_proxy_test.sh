#!/usr/bin/env bash
# spec.proxySecretRef with SOCKS5 proxies (a small Python proxy,
# e2e/testdata/source/socks5_server.py): ssh:// through socks5 without
# credentials, http:// through socks5h (proxy-side DNS) and https:// through
# socks5 with username/password; wrong proxy credentials and an unsupported
# scheme give Ready=False naming the proxy, never the password.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-proxy.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

# start_socks NAME [USER PASS] : sets SOCKS_PORT; connections logged to $WORK/NAME.log.
start_socks() {
  local name="$1"
  start_bg "$name" python3 "$FLUXCPP_ROOT/e2e/testdata/source/socks5_server.py" "$WORK/$name.port" "$WORK/$name.log" "${@:2}"
  wait_until 10 "$name" test -s "$WORK/$name.port"
  SOCKS_PORT="$(cat "$WORK/$name.port")"
}

start_source_stack
start_sshd
start_lighttpd lighttpd-http
start_lighttpd lighttpd-https https
new_repo app
echo "via proxy" >"$WORK/src/app/README.md"
sha="$(commit_push app "Initial commit")"

start_socks socks-open
open_port="$SOCKS_PORT"
start_socks socks-auth proxyuser 'pr0xy-S3cret'
auth_port="$SOCKS_PORT"

printf '%s\n' "$SSH_KNOWN_HOSTS" >"$WORK/known_hosts"
secret ssh-auth identity="$WORK/ssh/id_ed25519" known_hosts="$WORK/known_hosts"
secret basic username=@flux password=@s3cret
secret https-ca username=@flux password=@s3cret ca.crt="$WORK/tls/ca.crt"
secret proxy-open address=@"socks5://127.0.0.1:$open_port"
secret proxy-auth address=@"socks5h://127.0.0.1:$auth_port" username=@proxyuser password=@pr0xy-S3cret
secret proxy-auth-local address=@"socks5://127.0.0.1:$auth_port" username=@proxyuser password=@pr0xy-S3cret
secret proxy-wrong address=@"socks5://127.0.0.1:$auth_port" username=@proxyuser password=@not-the-Pa55word
secret proxy-ftp address=@"ftp://127.0.0.1:$auth_port"

gitrepo ssh-socks "ssh://$SSH_USER@127.0.0.1:$SSH_PORT$WORK/git/app.git" "  ref: {branch: main}
  secretRef: {name: ssh-auth}
  proxySecretRef: {name: proxy-open}"
gitrepo http-socks5h "http://localhost:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: basic}
  proxySecretRef: {name: proxy-auth}"
gitrepo https-socks5 "https://127.0.0.1:$HTTPS_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: https-ca}
  proxySecretRef: {name: proxy-auth-local}"
gitrepo wrong-creds "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: basic}
  proxySecretRef: {name: proxy-wrong}"
gitrepo bad-scheme "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  proxySecretRef: {name: proxy-ftp}"

for r in ssh-socks http-socks5h https-socks5; do
  wait_ready "$r"
  [[ "$(revision "$r")" == "main@sha1:$sha" ]] || fail "$r revision $(revision "$r")"
done
grep -q "^127.0.0.1 $SSH_PORT ip4$" "$WORK/socks-open.log" || fail "ssh did not go through the proxy: $(cat "$WORK/socks-open.log")"
grep -q "^localhost $HTTP_PORT domain$" "$WORK/socks-auth.log" || fail "socks5h did not send the host name: $(cat "$WORK/socks-auth.log")"
grep -q "^127.0.0.1 $HTTPS_PORT ip4$" "$WORK/socks-auth.log" || fail "https did not go through the proxy"
log "ssh://, http:// (socks5h) and https:// (socks5) through SOCKS5 proxies"

wait_reason wrong-creds GitOperationFailed
msg="$(ready_msg wrong-creds)"
[[ "$msg" == *"socks connect tcp 127.0.0.1:$auth_port->127.0.0.1:$HTTP_PORT: username/password authentication failed"* ]] ||
  fail "wrong proxy credentials message: $msg"
[[ "$(condition gitrepository/wrong-creds flux-system Ready status)" == False ]] || fail "wrong-creds Ready"
if kubectl get gitrepository/wrong-creds -n flux-system -o yaml | grep -q 'not-the-Pa55word'; then fail "proxy password in status"; fi
if kubectl get events -n flux-system -o yaml | grep -q 'not-the-Pa55word'; then fail "proxy password in events"; fi
grep -q "auth-failed proxyuser" "$WORK/socks-auth.log" || fail "proxy did not see the failed authentication"

wait_reason bad-scheme AuthenticationFailed
[[ "$(ready_msg bad-scheme)" == *"unsupported proxy scheme"* ]] || fail "bad scheme message: $(ready_msg bad-scheme)"
log "PASS: source proxy"
