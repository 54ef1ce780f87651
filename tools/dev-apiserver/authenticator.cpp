#include "tools/dev-apiserver/authenticator.h"

#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

// Splits one CSV line honouring double quotes ("a,b" is one field).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  for (auto& f : out) f = std::string(absl::StripAsciiWhitespace(f));
  return out;
}

std::vector<std::string> NameEntries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  if (name == nullptr) return out;
  int pos = -1;
  while ((pos = X509_NAME_get_index_by_NID(name, nid, pos)) >= 0) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, pos);
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), len);
    OPENSSL_free(utf8);
  }
  return out;
}

absl::Status Unauthorized() { return ApiError(401, "Unauthorized", "Unauthorized"); }

}  // namespace

absl::StatusOr<std::map<std::string, UserInfo>> Authenticator::ParseTokenFile(const std::string& text) {
  std::map<std::string, UserInfo> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string trimmed(absl::StripAsciiWhitespace(line));
    if (trimmed.empty() || trimmed[0] == '#') continue;
    auto fields = SplitCsv(trimmed);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("token file line ", n, ": want token,user,uid[,\"group1,group2\"]"));
    }
    UserInfo user{fields[1], fields[2], {}};
    if (fields.size() >= 4) {
      for (absl::string_view g : absl::StrSplit(fields[3], ',', absl::SkipWhitespace())) {
        user.groups.emplace_back(absl::StripAsciiWhitespace(g));
      }
    }
    user.groups.push_back(kSystemAuthenticated);
    out[fields[0]] = std::move(user);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(const AuthenticatorOptions& options) {
  std::unique_ptr<Authenticator> a(new Authenticator());
  a->reject_unknown_tokens_ = options.reject_unknown_tokens;
  a->service_account_tokens_ = options.service_account_tokens;
  if (!options.token_auth_file.empty()) {
    std::ifstream in(options.token_auth_file);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read --token-auth-file ", options.token_auth_file));
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParseTokenFile(text.str());
    if (!parsed.ok()) return parsed.status();
    a->tokens_ = std::move(*parsed);
  }
  if (!options.admin_token.empty()) {
    a->tokens_[options.admin_token] = UserInfo{"admin", "admin", {kSystemMasters, kSystemAuthenticated}};
  }
  return a;
}

absl::StatusOr<UserInfo> Authenticator::Authenticate(const std::string& authorization, const SSL* ssl) const {
  if (!authorization.empty()) {
    absl::string_view header = authorization;
    if (absl::StartsWithIgnoreCase(header, "bearer ")) {
      std::string token(absl::StripAsciiWhitespace(header.substr(7)));
      if (auto it = tokens_.find(token); it != tokens_.end()) return it->second;
      if (service_account_tokens_ != nullptr) {
        if (auto sa = service_account_tokens_->Authenticate(token, absl::ToUnixSeconds(absl::Now()))) return *sa;
      }
      if (reject_unknown_tokens_) return Unauthorized();
      return AnonymousUser();
    }
    if (reject_unknown_tokens_) return Unauthorized();
  }
  if (ssl != nullptr) {
    X509* cert = SSL_get_peer_certificate(ssl);
    if (cert != nullptr) {
      bool verified = SSL_get_verify_result(ssl) == X509_V_OK;
      X509_NAME* subject = X509_get_subject_name(cert);
      auto cn = NameEntries(subject, NID_commonName);
      auto orgs = NameEntries(subject, NID_organizationName);
      X509_free(cert);
      if (!verified || cn.empty()) return Unauthorized();
      UserInfo user{cn[0], "", orgs};
      user.groups.push_back(kSystemAuthenticated);
      return user;
    }
  }
  return AnonymousUser();
}

}  // namespace fluxcpp::devapiserver
