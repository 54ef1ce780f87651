#include "libs/git/openpgp_verifier.h"

#include <gpgme.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <system_error>

namespace fluxcpp::git {
namespace {

void EnsureGpgmeInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    gpgme_check_version(nullptr);
    gpgme_set_locale(nullptr, LC_CTYPE, "C");
  });
}

std::string GpgError(gpgme_error_t err) {
  char buf[256];
  gpgme_strerror_r(err, buf, sizeof(buf));
  return buf;
}

struct Cleanup {
  gpgme_ctx_t ctx = nullptr;
  std::string home;
  ~Cleanup() {
    if (ctx != nullptr) gpgme_release(ctx);
    if (!home.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(home, ec);
    }
  }
};

struct Data {
  gpgme_data_t d = nullptr;
  ~Data() {
    if (d != nullptr) gpgme_data_release(d);
  }
};

}  // namespace

absl::StatusOr<std::string> VerifyOpenPgpSignature(const std::vector<std::string>& keyrings,
                                                   std::string_view signature,
                                                   std::string_view payload) {
  EnsureGpgmeInitialized();
  if (keyrings.empty()) return absl::InvalidArgumentError("no PGP public keys given");
  Cleanup c;
  const char* tmp = getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/fluxcpp-gnupg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("failed to create temporary GNUPGHOME");
  c.home = pattern;
  gpgme_error_t err = gpgme_new(&c.ctx);
  if (err == 0) err = gpgme_ctx_set_engine_info(c.ctx, GPGME_PROTOCOL_OpenPGP, nullptr, c.home.c_str());
  if (err != 0) return absl::InternalError("failed to initialise gpgme: " + GpgError(err));
  gpgme_set_armor(c.ctx, 1);
  int imported = 0;
  for (const std::string& key : keyrings) {
    Data kd;
    if (gpgme_data_new_from_mem(&kd.d, key.data(), key.size(), 0) != 0) continue;
    if (gpgme_op_import(c.ctx, kd.d) != 0) continue;
    gpgme_import_result_t r = gpgme_op_import_result(c.ctx);
    if (r != nullptr) imported += r->considered > 0 ? r->imported + r->unchanged : 0;
  }
  if (imported == 0) return absl::InvalidArgumentError("unable to read any PGP public key");
  Data sig, text;
  if (gpgme_data_new_from_mem(&sig.d, signature.data(), signature.size(), 0) != 0 ||
      gpgme_data_new_from_mem(&text.d, payload.data(), payload.size(), 0) != 0) {
    return absl::InternalError("out of memory");
  }
  err = gpgme_op_verify(c.ctx, sig.d, text.d, nullptr);
  if (err != 0) return absl::InvalidArgumentError("unable to verify signature: " + GpgError(err));
  gpgme_verify_result_t result = gpgme_op_verify_result(c.ctx);
  if (result == nullptr || result->signatures == nullptr) {
    return absl::InvalidArgumentError("no signature found");
  }
  std::string last_error = "signature made by unknown entity";
  for (gpgme_signature_t s = result->signatures; s != nullptr; s = s->next) {
    const std::string fpr = s->fpr != nullptr ? s->fpr : "";
    std::string id = fpr.size() > 16 ? fpr.substr(fpr.size() - 16) : fpr;
    for (char& ch : id) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    if (gpgme_err_code(s->status) == GPG_ERR_NO_ERROR ||
        gpgme_err_code(s->status) == GPG_ERR_KEY_EXPIRED ||
        gpgme_err_code(s->status) == GPG_ERR_SIG_EXPIRED) {
      if (gpgme_err_code(s->status) == GPG_ERR_NO_ERROR) return id;
    }
    if (gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY) {
      last_error = "signature made by unknown entity (key " + id + ")";
    } else if (gpgme_err_code(s->status) == GPG_ERR_BAD_SIGNATURE) {
      last_error = "bad signature made by key " + id;
    } else {
      last_error = "signature of key " + id + " does not verify: " + GpgError(s->status);
    }
  }
  return absl::PermissionDeniedError(last_error);
}

}  // namespace fluxcpp::git
