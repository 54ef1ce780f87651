#!/usr/bin/env bash
# GitRepository over http:// (git http-backend behind lighttpd with basic
# auth: right and wrong password, no secret) and https:// with a self-signed
# certificate (trusted through ca.crt; refused without it), https requiring a
# client certificate (tls.crt/tls.key: accepted, missing, untrusted,
# mismatched key), an unreachable host and a server that accepts connections
# but never answers (spec.timeout). Failures must be Ready=False with Flux's
# reasons, never an artifact.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-http.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_source_stack
start_lighttpd lighttpd-http
start_lighttpd lighttpd-https https
start_lighttpd lighttpd-mtls mtls
# Accepts TCP connections and never answers.
SILENT_PORT="$(free_port)"
start_bg silent python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); time.sleep(3600)' "$SILENT_PORT"
wait_until 10 silent bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT"
new_repo app
echo "hello" >"$WORK/src/app/README.md"
sha="$(commit_push app "Initial commit over http")"

secret basic-good username=@flux password=@s3cret
secret basic-bad username=@flux password=@wrong
secret https-ca username=@flux password=@s3cret ca.crt="$WORK/tls/ca.crt"
secret https-mtls username=@flux password=@s3cret ca.crt="$WORK/mtls/server.crt" \
  tls.crt="$WORK/mtls/client.crt" tls.key="$WORK/mtls/client.key"
secret https-mtls-nocert username=@flux password=@s3cret ca.crt="$WORK/mtls/server.crt"
secret https-mtls-untrusted username=@flux password=@s3cret ca.crt="$WORK/mtls/server.crt" \
  tls.crt="$WORK/mtls/other.crt" tls.key="$WORK/mtls/other.key"
secret https-mtls-badkey username=@flux password=@s3cret ca.crt="$WORK/mtls/server.crt" \
  tls.crt="$WORK/mtls/client.crt" tls.key="$WORK/mtls/other.key"

gitrepo http-good "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: basic-good}"
gitrepo http-bad "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: basic-bad}"
gitrepo http-none "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}"
gitrepo http-missing-secret "http://127.0.0.1:$HTTP_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: does-not-exist}"
gitrepo https-ca "https://127.0.0.1:$HTTPS_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: https-ca}"
gitrepo https-noca "https://127.0.0.1:$HTTPS_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: basic-good}"
for m in https-mtls https-mtls-nocert https-mtls-untrusted https-mtls-badkey; do
  gitrepo "$m" "https://127.0.0.1:$MTLS_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: $m}"
done
gitrepo silent "git://127.0.0.1:$SILENT_PORT/app.git" "  ref: {branch: main}
  timeout: 2s"
gitrepo unreachable "http://127.0.0.1:$(free_port)/git/app.git" "  ref: {branch: main}"
# An unsupported scheme never reaches the controller: the CRD's pattern rejects it, as on a real cluster.
if out="$(gitrepo bad-url "ftp://127.0.0.1/app.git" "  ref: {branch: main}" 2>&1)"; then fail "ftp:// URL accepted"; fi
[[ "$out" == *'spec.url in body should match'* ]] || fail "bad url rejection: $out"

wait_ready http-good
[[ "$(revision http-good)" == "main@sha1:$sha" ]] || fail "http revision"
wait_ready https-ca
[[ "$(revision https-ca)" == "main@sha1:$sha" ]] || fail "https revision"
log "http basic auth and https with ca.crt: ok"

wait_reason http-bad AuthenticationFailed
[[ "$(ready_msg http-bad)" == *"authentication failed"* ]] || fail "wrong password: $(ready_msg http-bad)"
[[ "$(ready_msg http-bad)" != *s3cret* && "$(ready_msg http-bad)" != *wrong* ]] || fail "secret leaked"
wait_reason http-none AuthenticationFailed
wait_reason http-missing-secret AuthenticationFailed
[[ "$(ready_msg http-missing-secret)" == "failed to get secret 'flux-system/does-not-exist'"* ]] ||
  fail "missing secret: $(ready_msg http-missing-secret)"
wait_reason https-noca AuthenticationFailed
log "https without ca.crt: $(ready_msg https-noca)"
wait_ready https-mtls
[[ "$(revision https-mtls)" == "main@sha1:$sha" ]] || fail "mtls revision"
mtls_url="https://127.0.0.1:$MTLS_PORT/git/app.git"
for m in https-mtls-nocert https-mtls-untrusted; do
  wait_reason "$m" GitOperationFailed
  [[ "$(ready_msg $m)" == "failed to checkout and determine revision: unable to clone '$mtls_url': "* ]] ||
    fail "$m: $(ready_msg $m)"
  log "$m: $(ready_msg $m)"
done
[[ "$(ready_msg https-mtls-nocert)" == *"alert certificate required"* ]] || fail "mtls without a certificate"
[[ "$(ready_msg https-mtls-untrusted)" == *"alert unknown ca"* ]] || fail "mtls with an untrusted certificate"
wait_reason https-mtls-badkey AuthenticationFailed
[[ "$(ready_msg https-mtls-badkey)" == *"invalid client certificate: 'tls.key' does not match the certificate in 'tls.crt'"* ]] ||
  fail "mtls bad key: $(ready_msg https-mtls-badkey)"
log "https with client certificates: ok"
# spec.timeout (2s) bounds a server that never answers (without it the read
# would block forever and Ready would never turn False).
wait_reason silent GitOperationFailed
[[ "$(ready_msg silent)" == "failed to checkout and determine revision: unable to clone 'git://127.0.0.1:$SILENT_PORT/app.git': context deadline exceeded" ]] ||
  fail "silent: $(ready_msg silent)"
wait_reason unreachable GitOperationFailed
[[ "$(ready_msg unreachable)" == "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:"* ]] ||
  fail "unreachable: $(ready_msg unreachable)"
for r in http-bad http-none https-noca unreachable https-mtls-nocert https-mtls-untrusted https-mtls-badkey silent; do
  [[ -z "$(revision $r)" ]] || fail "$r has an artifact"
done

# A wrong password after a good artifact: Ready=False, the old artifact stays (not marked new).
secret basic-good username=@flux password=@nope
echo "more" >>"$WORK/src/app/README.md"
commit_push app "Second commit" >/dev/null
request_reconcile gitrepository/http-good flux-system
wait_reason http-good AuthenticationFailed
[[ "$(revision http-good)" == "main@sha1:$sha" ]] || fail "stale artifact replaced"
log "PASS: source http/https"
