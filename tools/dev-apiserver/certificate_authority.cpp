#include "tools/dev-apiserver/certificate_authority.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fluxcpp::devapiserver {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey NewKey() { return Pkey(EVP_EC_gen("P-256")); }

std::string ToPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, n);
  BIO_free(bio);
  return out;
}

std::string ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, n);
  BIO_free(bio);
  return out;
}

Cert ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

Pkey ParseKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Pkey key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

bool AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Builds and signs a certificate for `key`; `issuer`/`issuer_key` null = self-signed.
absl::StatusOr<Cert> Sign(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& orgs,
                          X509* issuer, EVP_PKEY* issuer_key, long days,
                          const std::vector<std::pair<int, std::string>>& exts) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : orgs) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1,
                               0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  for (const auto& [nid, value] : exts) {
    if (!AddExt(cert.get(), signer, nid, value)) return absl::InternalError(absl::StrCat("extension ", value));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return absl::InternalError("signing certificate");
  }
  return cert;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

bool WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << data;
    if (!out.good()) return false;
  }
  chmod(tmp.c_str(), mode);
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

bool IsIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

absl::StatusOr<CertificateAuthority> CertificateAuthority::LoadOrCreate(const std::string& dir) {
  CertificateAuthority ca;
  if (!dir.empty() && ReadFile(dir + "/ca.crt", &ca.ca_.cert_pem) && ReadFile(dir + "/ca.key", &ca.ca_.key_pem)) {
    if (ParseCert(ca.ca_.cert_pem) && ParseKey(ca.ca_.key_pem)) return ca;
  }
  Pkey key = NewKey();
  if (!key) return absl::InternalError("generating the CA key");
  auto cert = Sign(key.get(), "dev-apiserver-ca", {}, nullptr, nullptr, 3650,
                   {{NID_basic_constraints, "critical,CA:TRUE"},
                    {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
                    {NID_subject_key_identifier, "hash"}});
  if (!cert.ok()) return cert.status();
  ca.ca_ = {ToPem(cert->get()), ToPem(key.get())};
  if (!dir.empty()) {
    mkdir(dir.c_str(), 0700);
    if (!WriteFile(dir + "/ca.key", ca.ca_.key_pem, 0600) || !WriteFile(dir + "/ca.crt", ca.ca_.cert_pem, 0644)) {
      return absl::InternalError(absl::StrCat("cannot write the CA to ", dir));
    }
  }
  return ca;
}

absl::StatusOr<KeyPair> CertificateAuthority::IssueServing(const std::vector<std::string>& hosts) const {
  Cert issuer = ParseCert(ca_.cert_pem);
  Pkey issuer_key = ParseKey(ca_.key_pem);
  Pkey key = NewKey();
  std::vector<std::string> sans;
  for (const auto& h : hosts) sans.push_back(absl::StrCat(IsIp(h) ? "IP:" : "DNS:", h));
  auto cert = Sign(key.get(), "dev-apiserver", {}, issuer.get(), issuer_key.get(), 825,
                   {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                    {NID_ext_key_usage, "serverAuth"},
                    {NID_subject_alt_name, absl::StrJoin(sans, ",")}});
  if (!cert.ok()) return cert.status();
  return KeyPair{ToPem(cert->get()), ToPem(key.get())};
}

absl::StatusOr<KeyPair> CertificateAuthority::IssueClient(const std::string& user,
                                                         const std::vector<std::string>& groups) const {
  Cert issuer = ParseCert(ca_.cert_pem);
  Pkey issuer_key = ParseKey(ca_.key_pem);
  Pkey key = NewKey();
  auto cert = Sign(key.get(), user, groups, issuer.get(), issuer_key.get(), 825,
                   {{NID_basic_constraints, "critical,CA:FALSE"},
                    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                    {NID_ext_key_usage, "clientAuth"}});
  if (!cert.ok()) return cert.status();
  return KeyPair{ToPem(cert->get()), ToPem(key.get())};
}

}  // namespace fluxcpp::devapiserver
