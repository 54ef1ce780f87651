#!/usr/bin/env bash
# GitRepository over ssh:// against a real sshd (ed25519 host and client
# keys, known_hosts with host-key checking): a good identity, an unknown host
# key, a key nobody authorised, an encrypted key without and with 'password',
# and a missing known_hosts.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-ssh.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; rm -rf "$WORK"' EXIT

start_source_stack
start_sshd
new_repo app
echo "hello" >"$WORK/src/app/README.md"
sha="$(commit_push app "Initial commit over ssh")"
url="ssh://$SSH_USER@127.0.0.1:$SSH_PORT$WORK/git/app.git"

printf '%s\n' "$SSH_KNOWN_HOSTS" >"$WORK/known_hosts"
printf '%s\n' "$SSH_BAD_KNOWN_HOSTS" >"$WORK/mismatch_known_hosts"
printf 'github.com %s\n' "$(cut -d' ' -f1,2 "$WORK/ssh/other_host.pub")" >"$WORK/bad_known_hosts"
secret ssh-good identity="$WORK/ssh/id_ed25519" identity.pub="$WORK/ssh/id_ed25519.pub" known_hosts="$WORK/known_hosts"
secret ssh-unknown-host identity="$WORK/ssh/id_ed25519" known_hosts="$WORK/bad_known_hosts"
secret ssh-mismatch identity="$WORK/ssh/id_ed25519" known_hosts="$WORK/mismatch_known_hosts"
secret ssh-bad-key identity="$WORK/ssh/other_host" known_hosts="$WORK/known_hosts"
secret ssh-encrypted identity="$WORK/ssh/id_encrypted" known_hosts="$WORK/known_hosts"
secret ssh-encrypted-ok identity="$WORK/ssh/id_encrypted" known_hosts="$WORK/known_hosts" password=@password

gitrepo good "$url" "  ref: {branch: main}
  secretRef: {name: ssh-good}"
gitrepo unknown-host "$url" "  ref: {branch: main}
  secretRef: {name: ssh-unknown-host}"
gitrepo mismatch "$url" "  ref: {branch: main}
  secretRef: {name: ssh-mismatch}"
gitrepo bad-key "$url" "  ref: {branch: main}
  secretRef: {name: ssh-bad-key}"
gitrepo encrypted "$url" "  ref: {branch: main}
  secretRef: {name: ssh-encrypted}"
gitrepo encrypted-ok "$url" "  ref: {branch: main}
  secretRef: {name: ssh-encrypted-ok}"
gitrepo no-known-hosts "$url" "  ref: {branch: main}"

wait_ready good
[[ "$(revision good)" == "main@sha1:$sha" ]] || fail "ssh revision $(revision good)"
[[ "$(ready_msg good)" == "stored artifact for revision 'main@sha1:$sha'" ]] || fail "ssh message $(ready_msg good)"
wait_ready encrypted-ok
log "ssh clone with identity + known_hosts: ok"

wait_reason unknown-host AuthenticationFailed
msg="$(ready_msg unknown-host)"
[[ "$msg" == *"knownhosts: key is unknown for host '127.0.0.1'"* ]] || fail "unknown host key message: $msg"
[[ -z "$(revision unknown-host)" ]] || fail "artifact despite unknown host key"

wait_reason mismatch AuthenticationFailed
[[ "$(ready_msg mismatch)" == *"knownhosts: key mismatch for host '127.0.0.1'"* ]] || fail "mismatch: $(ready_msg mismatch)"
wait_reason bad-key AuthenticationFailed
log "bad key: $(ready_msg bad-key)"
wait_reason encrypted AuthenticationFailed
[[ "$(ready_msg encrypted)" == *"SSH identity key is encrypted but no 'password' field"* ]] || fail "encrypted: $(ready_msg encrypted)"
wait_reason no-known-hosts AuthenticationFailed
[[ "$(ready_msg no-known-hosts)" == *"'known_hosts' is required"* ]] || fail "no known_hosts: $(ready_msg no-known-hosts)"
[[ "$(condition gitrepository/bad-key flux-system FetchFailed status)" == True ]] || fail "FetchFailed not set"

# A new commit over ssh is picked up on a requested reconcile (fetch cache reused).
echo "again" >>"$WORK/src/app/README.md"
sha2="$(commit_push app "Second commit")"
request_reconcile gitrepository/good flux-system
wait_until 30 "good at $sha2" bash -c "[[ \"\$(kubectl get gitrepository/good -n flux-system -o jsonpath='{.status.artifact.revision}')\" == main@sha1:$sha2 ]]"
[[ -d "$WORK/git-cache/flux-system/good.git" ]] || fail "no fetch cache"
log "PASS: source ssh"
