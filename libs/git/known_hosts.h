#pragma once
// OpenSSH known_hosts matching for SSH host-key verification (GitRepository
// secretRef key `known_hosts`). Supports plain and hashed (`|1|salt|hash`)
// host fields, comma-separated patterns with `*`/`?` wildcards and `!`
// negation, `[host]:port` for non-default ports, and the `@revoked` marker
// (`@cert-authority` lines are skipped: certificates are not supported).

#include <string>
#include <string_view>

namespace fluxcpp::git {

enum class HostKeyVerdict {
  kMatch,     // a line for the host lists exactly this key
  kMismatch,  // the host is listed, but with other keys (possible MITM)
  kUnknown,   // no line names the host
  kRevoked,   // an @revoked line lists this key
};

// Checks the SSH wire-format public key blob `key_blob` (as the server sent
// it: string type, then key data) offered by `host`:`port` against the lines
// of `known_hosts`. Malformed lines are skipped. Pure function, thread-safe.
HostKeyVerdict CheckKnownHosts(std::string_view known_hosts, std::string_view host, int port,
                               std::string_view key_blob);

// The key type name inside an SSH wire-format blob ("ssh-ed25519", ...), or
// "" when malformed.
std::string SshKeyType(std::string_view key_blob);

// "SHA256:<base64 without padding>" fingerprint of a wire-format key blob.
std::string SshFingerprint(std::string_view key_blob);

}  // namespace fluxcpp::git
