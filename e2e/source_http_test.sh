#!/usr/bin/env bash
# GitRepository over http:// (git http-backend behind lighttpd with basic
# auth: right and wrong password, no secret) and https:// with a self-signed
# certificate (trusted through ca.crt; refused without it), plus an
# unreachable host. Failures must be Ready=False with Flux's reasons, never
# an artifact.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-http.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_source_stack
start_lighttpd lighttpd-http
start_lighttpd lighttpd-https https
new_repo app
echo "hello" >"$WORK/src/app/README.md"
sha="$(commit_push app "Initial commit over http")"

secret basic-good username=@flux password=@s3cret
secret basic-bad username=@flux password=@wrong
secret https-ca username=@flux password=@s3cret ca.crt="$WORK/tls/ca.crt"
secret https-mtls username=@flux password=@s3cret tls.crt="$WORK/tls/ca.crt" tls.key="$WORK/tls/server.key"

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
gitrepo https-mtls "https://127.0.0.1:$HTTPS_PORT/git/app.git" "  ref: {branch: main}
  secretRef: {name: https-mtls}"
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
wait_reason https-mtls AuthenticationFailed
[[ "$(ready_msg https-mtls)" == *"client TLS certificates"* ]] || fail "mtls: $(ready_msg https-mtls)"
wait_reason unreachable GitOperationFailed
[[ "$(ready_msg unreachable)" == "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:"* ]] ||
  fail "unreachable: $(ready_msg unreachable)"
for r in http-bad http-none https-noca unreachable; do
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
