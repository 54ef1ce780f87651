#include "libs/git/ssh_signature.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace fluxcpp::git {
namespace {

constexpr std::string_view kMagic = "SSHSIG";
constexpr std::string_view kNamespace = "git";
constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kEnd = "-----END SSH SIGNATURE-----";

std::optional<std::string> Base64Decode(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string Base64EncodeUnpadded(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

// Reader of the SSH wire encoding (RFC 4251 §5): uint32, string, mpint.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool ReadUint32(uint32_t* v) {
    if (data_.size() < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data());
    *v = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    data_.remove_prefix(4);
    return true;
  }
  bool ReadString(std::string_view* s) {
    uint32_t len = 0;
    if (!ReadUint32(&len) || data_.size() < len) return false;
    *s = data_.substr(0, len);
    data_.remove_prefix(len);
    return true;
  }
  bool ReadRaw(size_t n, std::string_view* s) {
    if (data_.size() < n) return false;
    *s = data_.substr(0, n);
    data_.remove_prefix(n);
    return true;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::string_view data_;
};

void PutString(std::string* out, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  out->push_back(static_cast<char>(n >> 24));
  out->push_back(static_cast<char>(n >> 16));
  out->push_back(static_cast<char>(n >> 8));
  out->push_back(static_cast<char>(n));
  out->append(s);
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

PkeyPtr PkeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return PkeyPtr(key);
}

BIGNUM* MpintToBn(std::string_view mpint) {
  // mpint: two's complement big-endian; public exponents/moduli are positive.
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(mpint.data()),
                   static_cast<int>(mpint.size()), nullptr);
}

// Builds an OpenSSL public key from an SSH public-key blob.
absl::StatusOr<PkeyPtr> PublicKeyFromBlob(std::string_view blob, std::string* key_type) {
  WireReader r(blob);
  std::string_view type;
  if (!r.ReadString(&type)) return absl::InvalidArgumentError("malformed SSH public key");
  *key_type = std::string(type);
  if (type == "ssh-ed25519") {
    std::string_view raw;
    if (!r.ReadString(&raw) || raw.size() != 32)
      return absl::InvalidArgumentError("malformed ssh-ed25519 key");
    EVP_PKEY* k = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    if (k == nullptr) return absl::InvalidArgumentError("invalid ssh-ed25519 key");
    return PkeyPtr(k);
  }
  if (type == "ecdsa-sha2-nistp256" || type == "ecdsa-sha2-nistp384" ||
      type == "ecdsa-sha2-nistp521") {
    std::string_view curve, point;
    if (!r.ReadString(&curve) || !r.ReadString(&point))
      return absl::InvalidArgumentError("malformed ECDSA key");
    const char* group = curve == "nistp256"   ? "prime256v1"
                        : curve == "nistp384" ? "secp384r1"
                        : curve == "nistp521" ? "secp521r1"
                                              : nullptr;
    if (group == nullptr || type.substr(11) != curve)
      return absl::InvalidArgumentError("unsupported ECDSA curve");
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    PkeyPtr k = PkeyFromParams("EC", bld);
    OSSL_PARAM_BLD_free(bld);
    if (!k) return absl::InvalidArgumentError("invalid ECDSA key");
    return k;
  }
  if (type == "ssh-rsa") {
    std::string_view e, n;
    if (!r.ReadString(&e) || !r.ReadString(&n))
      return absl::InvalidArgumentError("malformed RSA key");
    BIGNUM* bn_e = MpintToBn(e);
    BIGNUM* bn_n = MpintToBn(n);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    PkeyPtr k = PkeyFromParams("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    if (!k) return absl::InvalidArgumentError("invalid RSA key");
    if (EVP_PKEY_get_bits(k.get()) < 1024) return absl::InvalidArgumentError("RSA key too small");
    return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported SSH key type '", std::string(type), "'"));
}

// Verifies `sig_blob` (SSH signature encoding: string format, string blob)
// made by `key` (type `key_type`) over `data`.
absl::Status VerifyRaw(EVP_PKEY* key, const std::string& key_type, std::string_view sig_blob,
                       std::string_view data) {
  WireReader r(sig_blob);
  std::string_view format, raw;
  if (!r.ReadString(&format) || !r.ReadString(&raw))
    return absl::InvalidArgumentError("malformed signature blob");
  const EVP_MD* md = nullptr;
  std::string der;
  if (key_type == "ssh-ed25519") {
    if (format != "ssh-ed25519")
      return absl::InvalidArgumentError("signature algorithm does not match the key");
  } else if (key_type == "ssh-rsa") {
    // SSHSIG forbids SHA-1 ("ssh-rsa") signatures.
    if (format == "rsa-sha2-256")
      md = EVP_sha256();
    else if (format == "rsa-sha2-512")
      md = EVP_sha512();
    else
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported RSA signature algorithm '", std::string(format), "'"));
  } else {
    if (format != key_type)
      return absl::InvalidArgumentError("signature algorithm does not match the key");
    md = key_type == "ecdsa-sha2-nistp256"   ? EVP_sha256()
         : key_type == "ecdsa-sha2-nistp384" ? EVP_sha384()
                                             : EVP_sha512();
    WireReader rs(raw);
    std::string_view r_mp, s_mp;
    if (!rs.ReadString(&r_mp) || !rs.ReadString(&s_mp))
      return absl::InvalidArgumentError("malformed ECDSA signature");
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, MpintToBn(r_mp), MpintToBn(s_mp));
    unsigned char* p = nullptr;
    const int len = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    if (len <= 0) return absl::InvalidArgumentError("malformed ECDSA signature");
    der.assign(reinterpret_cast<char*>(p), static_cast<size_t>(len));
    OPENSSL_free(p);
    raw = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key);
  if (ok == 1) {
    ok = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size());
  }
  EVP_MD_CTX_free(ctx);
  if (ok != 1) return absl::PermissionDeniedError("signature does not verify");
  return absl::OkStatus();
}

struct SshSig {
  std::string public_key;
  std::string hash_algorithm;
  std::string reserved;
  std::string signature;
};

absl::StatusOr<SshSig> ParseArmoredSignature(std::string_view armored) {
  absl::string_view body =
      absl::StripAsciiWhitespace(absl::string_view(armored.data(), armored.size()));
  if (!absl::ConsumePrefix(&body, absl::string_view(kBegin.data(), kBegin.size())) ||
      !absl::ConsumeSuffix(&body, absl::string_view(kEnd.data(), kEnd.size()))) {
    return absl::InvalidArgumentError("unable to parse SSH signature: missing armour");
  }
  std::optional<std::string> blob = Base64Decode(std::string_view(body.data(), body.size()));
  if (!blob) return absl::InvalidArgumentError("unable to parse SSH signature: invalid base64");
  WireReader r(*blob);
  std::string_view magic, pk, ns, reserved, hash, sig;
  uint32_t version = 0;
  if (!r.ReadRaw(kMagic.size(), &magic) || magic != kMagic) {
    return absl::InvalidArgumentError("unable to parse SSH signature: bad magic");
  }
  if (!r.ReadUint32(&version) || !r.ReadString(&pk) || !r.ReadString(&ns) ||
      !r.ReadString(&reserved) || !r.ReadString(&hash) || !r.ReadString(&sig) || !r.empty()) {
    return absl::InvalidArgumentError("unable to parse SSH signature: truncated or trailing data");
  }
  if (version != 1)
    return absl::InvalidArgumentError(absl::StrCat("unsupported SSH signature version ", version));
  if (ns != kNamespace) {
    return absl::InvalidArgumentError(
        absl::StrCat("SSH signature namespace '", std::string(ns), "' does not match 'git'"));
  }
  if (hash != "sha256" && hash != "sha512") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported SSH signature hash algorithm '", std::string(hash), "'"));
  }
  return SshSig{std::string(pk), std::string(hash), std::string(reserved), std::string(sig)};
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseAuthorizedKeys(std::string_view text) {
  std::vector<std::string> keys;
  int line_no = 0;
  for (absl::string_view raw_line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    const absl::string_view line = absl::StripAsciiWhitespace(raw_line);
    if (line.empty() || line[0] == '#') continue;
    // Fields: [options] keytype base64 [comment]; the key is the first
    // base64 field whose decoded type string equals the preceding field.
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    bool found = false;
    for (size_t i = 0; i + 1 < fields.size() && !found; ++i) {
      std::optional<std::string> blob =
          Base64Decode(std::string_view(fields[i + 1].data(), fields[i + 1].size()));
      if (!blob) continue;
      WireReader r(*blob);
      std::string_view type;
      if (r.ReadString(&type) && type == std::string_view(fields[i].data(), fields[i].size())) {
        keys.push_back(*std::move(blob));
        found = true;
      }
    }
    if (!found)
      return absl::InvalidArgumentError(
          absl::StrCat("unable to parse authorized key on line ", line_no));
  }
  return keys;
}

std::string SshKeyFingerprint(std::string_view key_blob) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key_blob.data(), key_blob.size(), digest, &len, EVP_sha256(), nullptr);
  return "SHA256:" + Base64EncodeUnpadded(std::string_view(reinterpret_cast<char*>(digest), len));
}

absl::StatusOr<std::string> VerifySshSignature(const std::vector<std::string>& authorized_keys,
                                               std::string_view signature,
                                               std::string_view payload) {
  std::vector<std::string> keys;
  for (const std::string& text : authorized_keys) {
    auto parsed = ParseAuthorizedKeys(text);
    if (!parsed.ok()) return parsed.status();
    keys.insert(keys.end(), parsed->begin(), parsed->end());
  }
  if (keys.empty())
    return absl::InvalidArgumentError("no SSH public keys found in the verification secret");
  auto sig = ParseArmoredSignature(signature);
  if (!sig.ok()) return sig.status();
  bool known = false;
  for (const std::string& k : keys) known = known || k == sig->public_key;
  const std::string fingerprint = SshKeyFingerprint(sig->public_key);
  if (!known) {
    return absl::PermissionDeniedError(
        absl::StrCat("unable to verify payload with any of the given authorized keys: signing key ",
                     fingerprint, " is not authorized"));
  }
  std::string key_type;
  auto key = PublicKeyFromBlob(sig->public_key, &key_type);
  if (!key.ok()) return key.status();
  // Signed data (PROTOCOL.sshsig): magic, namespace, reserved, hash algorithm, H(message).
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(payload.data(), payload.size(), digest, &digest_len,
             sig->hash_algorithm == "sha512" ? EVP_sha512() : EVP_sha256(), nullptr);
  std::string signed_data(kMagic);
  PutString(&signed_data, kNamespace);
  PutString(&signed_data, sig->reserved);
  PutString(&signed_data, sig->hash_algorithm);
  PutString(&signed_data, std::string_view(reinterpret_cast<char*>(digest), digest_len));
  absl::Status st = VerifyRaw(key->get(), key_type, sig->signature, signed_data);
  if (st.code() == absl::StatusCode::kPermissionDenied) {
    return absl::PermissionDeniedError(absl::StrCat(
        "unable to verify payload with any of the given authorized keys: signature of key ",
        fingerprint, " does not verify"));
  }
  if (!st.ok()) return st;
  return fingerprint;
}

}  // namespace fluxcpp::git
