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
[[ "$(ready_msg unsigned-tag)" == "signature verification of tag 'v1.0.1' failed: unable to verify Git tag: unable to verify payload as the provided signature is empty" ]] ||
  fail "unsigned tag message: $(ready_msg unsigned-tag)"
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
[[ "$(ready_msg head)" == "signature verification of commit '$sha2' failed: unable to verify Git commit: unable to verify payload with any of the given key rings" ]] ||
  fail "bad sig message: $(ready_msg head)"
[[ "$(revision head)" == "main@sha1:$sha1" ]] || fail "unverified commit became the artifact"

# Removing verify clears SourceVerified and the mode.
kubectl patch gitrepository/head -n flux-system --type=json -p '[{"op":"remove","path":"/spec/verify"}]' >/dev/null
wait_until 30 "head at $sha2" bash -c "[[ \"\$(kubectl get gitrepository/head -n flux-system -o jsonpath='{.status.artifact.revision}')\" == main@sha1:$sha2 ]]"
[[ -z "$(condition gitrepository/head flux-system SourceVerified status)" ]] || fail "SourceVerified kept"
[[ -z "$(jp gitrepository/head flux-system '{.status.sourceVerificationMode}')" ]] || fail "mode kept"
log "PGP verification done"

# SSH signatures (gpg.format=ssh): a Secret mixing PGP and SSH keys verifies
# an SSH-signed commit and tag; an unknown SSH key is refused.
ssh-keygen -q -t ed25519 -N '' -C signer -f "$WORK/signer"
ssh-keygen -q -t ecdsa -b 256 -N '' -C other -f "$WORK/other"
ssh_git() { git -C "$WORK/src/sshapp" -c gpg.format=ssh -c user.signingkey="$1" "${@:2}"; }
new_repo sshapp
echo one >"$WORK/src/sshapp/a.txt"
git -C "$WORK/src/sshapp" add -A
ssh_git "$WORK/signer" commit -q -S -m "SSH signed"
ssh_git "$WORK/signer" tag -s -m "SSH signed tag" v2.0.0
git -C "$WORK/src/sshapp" push -q origin main --tags 2>/dev/null
ssh1="$(git -C "$WORK/src/sshapp" rev-parse HEAD)"
fpr="$(ssh-keygen -l -E sha256 -f "$WORK/signer.pub" | awk '{print $2}')"
secret mixed-keys trusted.asc="$WORK/trusted.asc" signer.sshpub="$WORK/signer.pub"
gitrepo ssh-signed "git://127.0.0.1:$GIT_PORT/sshapp.git" "  ref: {tag: v2.0.0}
  verify: {mode: TagAndHEAD, secretRef: {name: mixed-keys}}"
wait_ready ssh-signed
msg="$(condition gitrepository/ssh-signed flux-system SourceVerified message)"
[[ "$msg" == "verified signature of"$'\n\t'"- tag 'v2.0.0' with key '$fpr'"$'\n\t'"- commit '$ssh1' with key '$fpr'" ]] ||
  fail "SSH SourceVerified message: $msg"
gitrepo ssh-head "git://127.0.0.1:$GIT_PORT/sshapp.git" "  ref: {branch: main}
  verify: {mode: HEAD, secretRef: {name: mixed-keys}}"
wait_ready ssh-head
log "SSH-signed commit and tag verify with a mixed Secret"

echo two >"$WORK/src/sshapp/a.txt"
ssh_git "$WORK/other" commit -q -a -S -m "signed by an unknown SSH key"
git -C "$WORK/src/sshapp" push -q origin main 2>/dev/null
ssh2="$(git -C "$WORK/src/sshapp" rev-parse HEAD)"
other_fpr="$(ssh-keygen -l -E sha256 -f "$WORK/other.pub" | awk '{print $2}')"
request_reconcile gitrepository/ssh-head flux-system
wait_reason ssh-head InvalidCommitSignature
[[ "$(ready_msg ssh-head)" == "signature verification of commit '$ssh2' failed: unable to verify Git commit: unable to verify payload with any of the given authorized keys: signing key $other_fpr is not authorized" ]] ||
  fail "unknown SSH key message: $(ready_msg ssh-head)"
[[ "$(revision ssh-head)" == "main@sha1:$ssh1" ]] || fail "commit of unknown SSH key became the artifact"

# An unparsable .sshpub entry names the Secret and its key.
secret bad-ssh-keys bad.sshpub=@"ssh-ed25519 not-a-key"
gitrepo bad-ssh "git://127.0.0.1:$GIT_PORT/sshapp.git" "  ref: {branch: main}
  verify: {mode: HEAD, secretRef: {name: bad-ssh-keys}}"
wait_until 30 "bad-ssh SourceVerified False" bash -c \
  "[[ \"\$(kubectl get gitrepository/bad-ssh -n flux-system -o jsonpath='{.status.conditions[?(@.type==\"SourceVerified\")].reason}')\" == VerificationError ]]"
msg="$(condition gitrepository/bad-ssh flux-system SourceVerified message)"
[[ "$msg" == "failed to verify signature: invalid SSH public keys in 'bad.sshpub' of secret 'flux-system/bad-ssh-keys': "* ]] ||
  fail "bad .sshpub message: $msg"
[[ "$(condition gitrepository/bad-ssh flux-system Ready status)" == False ]] || fail "bad .sshpub Ready"
log "PASS: source verify"
