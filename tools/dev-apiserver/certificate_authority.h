#pragma once
// The self-signed CA the dev-apiserver serves HTTPS with: an ECDSA P-256 CA
// (10 years) that signs the serving certificate (SANs: localhost,
// 127.0.0.1, ::1 and the listen host) and client certificates (CN = user,
// O = groups), all PEM. With a directory the CA is kept in
// <dir>/ca.crt + ca.key and reused across restarts (kubeconfigs stay
// valid); tests can sign their own client certificates with it, e.g.
//   openssl req -new -key k -subj "/CN=alice/O=team" | openssl x509 -req -CA ca.crt -CAkey ca.key ...
//
// Not thread-safe; used at start-up.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::devapiserver {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

class CertificateAuthority {
 public:
  // Loads <dir>/ca.{crt,key} or creates (and, when `dir` is not empty, saves) a new CA.
  static absl::StatusOr<CertificateAuthority> LoadOrCreate(const std::string& dir);

  const std::string& ca_pem() const { return ca_.cert_pem; }
  const KeyPair& ca() const { return ca_; }

  // A serving certificate for `hosts` (DNS names or IP literals).
  absl::StatusOr<KeyPair> IssueServing(const std::vector<std::string>& hosts) const;
  // A client certificate: CN `user`, one O per group.
  absl::StatusOr<KeyPair> IssueClient(const std::string& user, const std::vector<std::string>& groups) const;

 private:
  KeyPair ca_;
};

}  // namespace fluxcpp::devapiserver
