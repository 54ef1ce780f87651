#!/usr/bin/env bash
# spec.verify with OpenPGP: a commit signed by a trusted key verifies
# (SourceVerified=True, sourceVerificationMode), a commit signed by another
# key does not (SourceVerified=False InvalidCommitSignature, no new
# artifact), a signed annotated tag verifies in Tag mode, an unsigned tag and
# a Tag mode without a tag ref are refused.
set -euo pipefail
export WORK="$(mktemp -d /tmp/fluxcpp-e2e-verify.XXXXXX)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$FLUXCPP_ROOT/e2e/testdata/source/servers.sh"
trap 'stop_all; gpgconf --homedir "$WORK/gnupg" --kill all 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_source_stack
start_git_server
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 -p "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "Trusted <trusted@fluxcpp.dev>" ed25519 sign never 2>/dev/null
gpg --batch --quiet --passphrase '' --quick-gen-key "Stranger <stranger@fluxcpp.dev>" ed25519 sign never 2>/dev/null
trusted="$(gpg --list-keys --with-colons trusted@fluxcpp.dev | awk -F: '/^fpr/{print $10; exit}')"
stranger="$(gpg --list-keys --with-colons stranger@fluxcpp.dev | awk -F: '/^fpr/{print $10; exit}')"
gpg --armor --export "$trusted" >"$WORK/trusted.asc"

new_repo app
git -C "$WORK/src/app" config gpg.program gpg
echo one >"$WORK/src/app/a.txt"
git -C "$WORK/src/app" add -A
git -C "$WORK/src/app" commit -q -S"$trusted" -m "Signed by trusted"
git -C "$WORK/src/app" tag -s -u "$trusted" -m "signed tag" v1.0.0
git -C "$WORK/src/app" tag -a -m "unsigned tag" v1.0.1
git -C "$WORK/src/app" push -q origin main --tags 2>/dev/null
sha1="$(git -C "$WORK/src/app" rev-parse HEAD)"
url="git://127.0.0.1:$GIT_PORT/app.git"
secret pgp-keys trusted.asc="$WORK/trusted.asc"

gitrepo head "$url" "  ref: {branch: main}
  verify: {mode: HEAD, secretRef: {name: pgp-keys}}"
gitrepo tag "$url" "  ref: {tag: v1.0.0}
  verify: {mode: TagAndHEAD, secretRef: {name: pgp-keys}}"
gitrepo unsigned-tag "$url" "  ref: {tag: v1.0.1}
  verify: {mode: Tag, secretRef: {name: pgp-keys}}"
gitrepo tag-mode-branch "$url" "  ref: {branch: main}
  verify: {mode: Tag, secretRef: {name: pgp-keys}}"

wait_ready head
keyid="${trusted: -16}"
[[ "$(condition gitrepository/head flux-system SourceVerified status)" == True ]] || fail "SourceVerified"
msg="$(condition gitrepository/head flux-system SourceVerified message)"
[[ "$msg" == "verified signature of"$'\n\t'"- commit '$sha1' with key '$keyid'" ]] || fail "SourceVerified message: $msg"
[[ "$(jp gitrepository/head flux-system '{.status.sourceVerificationMode}')" == HEAD ]] || fail "sourceVerificationMode"
wait_ready tag
msg="$(condition gitrepository/tag flux-system SourceVerified message)"
[[ "$msg" == *"- tag 'v1.0.0' with key '$keyid'"*"- commit '$sha1' with key '$keyid'"* ]] || fail "tag message: $msg"
log "signed commit and tag verify"

wait_reason unsigned-tag InvalidTagSignature
[[ "$(condition gitrepository/unsigned-tag flux-system SourceVerified status)" == False ]] || fail "unsigned tag"
wait_reason tag-mode-branch InvalidVerificationMode
[[ "$(condition gitrepository/tag-mode-branch flux-system Stalled status)" == True ]] || fail "tag mode stalled"

# A commit signed by a key not in the Secret: no new artifact.
echo two >"$WORK/src/app/a.txt"
git -C "$WORK/src/app" commit -q -a -S"$stranger" -m "Signed by stranger"
git -C "$WORK/src/app" push -q origin main 2>/dev/null
sha2="$(git -C "$WORK/src/app" rev-parse HEAD)"
request_reconcile gitrepository/head flux-system
wait_reason head InvalidCommitSignature
[[ "$(condition gitrepository/head flux-system SourceVerified status)" == False ]] || fail "SourceVerified not False"
[[ "$(ready_msg head)" == "signature verification of commit '$sha2' failed: "* ]] || fail "bad sig message: $(ready_msg head)"
[[ "$(revision head)" == "main@sha1:$sha1" ]] || fail "unverified commit became the artifact"

# Removing verify clears SourceVerified and the mode.
kubectl patch gitrepository/head -n flux-system --type=json -p '[{"op":"remove","path":"/spec/verify"}]' >/dev/null
wait_until 30 "head at $sha2" bash -c "[[ \"\$(kubectl get gitrepository/head -n flux-system -o jsonpath='{.status.artifact.revision}')\" == main@sha1:$sha2 ]]"
[[ -z "$(condition gitrepository/head flux-system SourceVerified status)" ]] || fail "SourceVerified kept"
[[ -z "$(jp gitrepository/head flux-system '{.status.sourceVerificationMode}')" ]] || fail "mode kept"
log "PASS: source verify"
