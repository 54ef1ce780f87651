#include "libs/git/clone.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <system_error>

#include "libs/core/semver.h"
#include "libs/git/deadline_stream.h"
#include "libs/git/socks5.h"
#include "libs/git/known_hosts.h"
#include "libs/git/libgit2_support.h"
#include "libs/git/tls_stream.h"
#include "libs/git/worktree.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Remote session: one libgit2 remote plus the state its callbacks share.

struct CallbackState {
  const AuthOptions* auth = nullptr;
  Clock::time_point deadline;
  int credential_calls = 0;
  int proxy_credential_calls = 0;
  bool auth_rejected = false;  // credentials were offered and refused
  bool auth_missing = false;   // the server wants credentials we do not have
  bool timed_out = false;
  bool cert_rejected = false;
  std::string host_key_error;  // "knownhosts: ..." when the SSH host key was refused
  int ssh_port = 22;           // port of an ssh:// URL (libgit2 hands callbacks the host only)
  int64_t max_bytes = 0;
  bool too_large = false;
};

bool PastDeadline(CallbackState* st) {
  if (Clock::now() > st->deadline) {
    st->timed_out = true;
    git_error_set_str(GIT_ERROR_NET, "operation timed out");
    return true;
  }
  return false;
}

int CredentialsCallback(git_credential** out, const char* /*url*/,
                        const char* username_from_url, unsigned int allowed_types,
                        void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (PastDeadline(st)) return GIT_EUSER;
  ++st->credential_calls;
  const AuthOptions& auth = *st->auth;
  const char* ssh_user =
      username_from_url != nullptr && *username_from_url != '\0' ? username_from_url : "git";
  if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0) {
    return git_credential_username_new(out, ssh_user);
  }
  if ((allowed_types & (GIT_CREDENTIAL_SSH_MEMORY | GIT_CREDENTIAL_SSH_KEY)) != 0) {
    if (auth.ssh_identity.empty()) {
      st->auth_missing = true;
      git_error_set_str(GIT_ERROR_SSH, "no SSH identity ('identity' key) configured");
      return GIT_EAUTH;
    }
    if (st->credential_calls > 1) {
      st->auth_rejected = true;
      git_error_set_str(GIT_ERROR_SSH, "ssh: unable to authenticate, the identity key was refused");
      return GIT_EAUTH;
    }
    return git_credential_ssh_key_memory_new(
        out, ssh_user, auth.ssh_identity_pub.empty() ? nullptr : auth.ssh_identity_pub.c_str(),
        auth.ssh_identity.c_str(), auth.password.empty() ? nullptr : auth.password.c_str());
  }
  const bool can_basic =
      auth.has_basic() && (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0;
  if (!can_basic) {
    // A bearer token the server did not accept also lands here.
    (auth.bearer_token.empty() ? st->auth_missing : st->auth_rejected) = true;
    git_error_set_str(GIT_ERROR_NET,
                      st->auth_rejected ? "authentication failed" : "authentication required");
    return GIT_EAUTH;
  }
  if (st->credential_calls > 1) {  // libgit2 asks again after a 401: the first answer was refused
    st->auth_rejected = true;
    git_error_set_str(GIT_ERROR_NET, "authentication failed");
    return GIT_EAUTH;
  }
  return git_credential_userpass_plaintext_new(out, auth.username.c_str(),
                                               auth.password.c_str());
}

int ProxyCredentialsCallback(git_credential** out, const char* /*url*/,
                             const char* /*username_from_url*/, unsigned int allowed_types,
                             void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  const ProxyOptions& proxy = st->auth->proxy;
  if (proxy.username.empty() || (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0 ||
      ++st->proxy_credential_calls > 1) {
    st->auth_rejected = true;
    git_error_set_str(GIT_ERROR_NET, "proxy authentication failed");
    return GIT_EAUTH;
  }
  return git_credential_userpass_plaintext_new(out, proxy.username.c_str(),
                                               proxy.password.c_str());
}

// SSH host keys are checked against the Secret's known_hosts only (never
// ~/.ssh/known_hosts, which GIT_PASSTHROUGH would consult).
int CheckSshHostKey(const git_cert_hostkey* key, const char* host, CallbackState* st) {
  if ((key->type & GIT_CERT_SSH_RAW) == 0 || key->hostkey == nullptr) {
    st->host_key_error = "knownhosts: the server's raw host key is unavailable for host '" +
                         std::string(host) + "'";
  } else {
    std::string_view blob(key->hostkey, key->hostkey_len);
    switch (CheckKnownHosts(st->auth->known_hosts, host, st->ssh_port, blob)) {
      case HostKeyVerdict::kMatch:
        return 0;
      case HostKeyVerdict::kUnknown:
        st->host_key_error = "knownhosts: key is unknown for host '" + std::string(host) + "' (" +
                             SshKeyType(blob) + " " + SshFingerprint(blob) + ")";
        break;
      case HostKeyVerdict::kMismatch:
        st->host_key_error = "knownhosts: key mismatch for host '" + std::string(host) + "' (" +
                             SshKeyType(blob) + " " + SshFingerprint(blob) + ")";
        break;
      case HostKeyVerdict::kRevoked:
        st->host_key_error = "knownhosts: key is revoked for host '" + std::string(host) + "'";
        break;
    }
  }
  git_error_set_str(GIT_ERROR_SSH, ("ssh: handshake failed: " + st->host_key_error).c_str());
  return GIT_ECERTIFICATE;
}

// Accepts what the system trust store accepts; otherwise verifies the leaf
// certificate against the configured CA PEM and the host name.
int CertificateCheckCallback(git_cert* cert, int valid, const char* host, void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
    return CheckSshHostKey(reinterpret_cast<const git_cert_hostkey*>(cert), host, st);
  }
  if (valid) return 0;
  if (st->auth->ca_pem.empty() || cert->cert_type != GIT_CERT_X509) {
    st->cert_rejected = true;
    return GIT_PASSTHROUGH;  // keep libgit2's own verdict and message
  }
  const auto* x509cert = reinterpret_cast<const git_cert_x509*>(cert);
  const unsigned char* der = static_cast<const unsigned char*>(x509cert->data);
  X509* leaf = d2i_X509(nullptr, &der, static_cast<long>(x509cert->len));
  X509_STORE* store = X509_STORE_new();
  BIO* bio = BIO_new_mem_buf(st->auth->ca_pem.data(), static_cast<int>(st->auth->ca_pem.size()));
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, ca);
    X509_free(ca);
  }
  ERR_clear_error();  // the read loop ends on an error
  BIO_free(bio);
  bool ok = false;
  if (leaf != nullptr) {
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    if (ctx != nullptr && X509_STORE_CTX_init(ctx, store, leaf, nullptr) == 1) {
      // X509_check_ip_asc returns -2 when `host` is not an IP address literal.
      const int ip_match = X509_check_ip_asc(leaf, host, 0);
      const bool host_ok =
          ip_match == -2 ? X509_check_host(leaf, host, 0, 0, nullptr) == 1 : ip_match == 1;
      ok = X509_verify_cert(ctx) == 1 && host_ok;
    }
    X509_STORE_CTX_free(ctx);
    X509_free(leaf);
  }
  X509_STORE_free(store);
  if (ok) return 0;
  st->cert_rejected = true;
  git_error_set_str(GIT_ERROR_SSL, "the server certificate is not trusted by the configured CA");
  return GIT_ECERTIFICATE;
}

int TransferProgressCallback(const git_indexer_progress* stats, void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (st->max_bytes > 0 && static_cast<int64_t>(stats->received_bytes) > st->max_bytes) {
    st->too_large = true;
    git_error_set_str(GIT_ERROR_NET, "repository size limit exceeded");
    return -1;
  }
  return PastDeadline(st) ? -1 : 0;
}

// Port of an ssh:// URL (22 when absent or not ssh).
int SshPort(const std::string& url) {
  if (url.rfind("ssh://", 0) != 0) return 22;
  size_t host_start = url.find('@', 6);
  size_t slash = url.find('/', 6);
  if (host_start == std::string::npos || (slash != std::string::npos && host_start > slash)) {
    host_start = 6;
  } else {
    ++host_start;
  }
  std::string authority = url.substr(host_start, slash == std::string::npos ? std::string::npos
                                                                            : slash - host_start);
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) return 22;
  int port = std::atoi(authority.c_str() + colon + 1);
  return port > 0 ? port : 22;
}

int SidebandCallback(const char* /*str*/, int /*len*/, void* payload) {
  return PastDeadline(static_cast<CallbackState*>(payload)) ? -1 : 0;
}

class Session {
 public:
  Session(std::string url, const AuthOptions& auth, std::chrono::seconds timeout,
          std::string error_prefix, int64_t max_bytes = 0)
      : url_(std::move(url)), error_prefix_(std::move(error_prefix)) {
    state_.auth = &auth;
    state_.deadline = Clock::now() + timeout;
    network_deadline_.emplace(state_.deadline);
    client_certificate_.emplace(auth.tls_cert_pem, auth.tls_key_pem);
    state_.ssh_port = SshPort(url_);
    state_.max_bytes = max_bytes;
    git_remote_init_callbacks(&callbacks_, GIT_REMOTE_CALLBACKS_VERSION);
    callbacks_.credentials = CredentialsCallback;
    callbacks_.certificate_check = CertificateCheckCallback;
    callbacks_.transfer_progress = TransferProgressCallback;
    callbacks_.sideband_progress = SidebandCallback;
    callbacks_.payload = &state_;
    git_proxy_options_init(&proxy_, GIT_PROXY_OPTIONS_VERSION);
    proxy_.type = GIT_PROXY_AUTO;  // honour HTTPS_PROXY / http_proxy like Go's transport
    // SOCKS5 (proxy Secret or environment): tunnelled by our socket stream;
    // libgit2 must then not apply an HTTP proxy of its own. ValidateAuth has
    // already rejected malformed addresses.
    if (auto socks = SocksProxyFor(url_, auth.proxy); socks.ok() && socks->has_value()) {
      socks_ = **socks;
      socks_scope_.emplace(&*socks_);
      proxy_.type = GIT_PROXY_NONE;
    } else if (!auth.proxy.empty()) {
      proxy_.type = GIT_PROXY_SPECIFIED;
      proxy_.url = auth.proxy.address.c_str();
      proxy_.credentials = ProxyCredentialsCallback;
      proxy_.certificate_check = CertificateCheckCallback;
      proxy_.payload = &state_;
    }
    if (!auth.bearer_token.empty())
      headers_.push_back("Authorization: Bearer " + auth.bearer_token);
    for (auto& h : headers_) header_ptrs_.push_back(h.data());
    header_array_ = {header_ptrs_.data(), header_ptrs_.size()};
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    if (remote_ != nullptr) git_remote_disconnect(remote_.get());
  }

  // Creates the remote (attached to `repo` when given) and connects for fetch.
  absl::Status Connect(git_repository* repo) {
    // Anonymous remote without url.insteadOf rewriting: the config lookup it
    // needs leaks PCRE2 match data in libgit2 1.5 (~280 KB per clone), and Flux
    // does not apply git config rewrites either.
    git_remote_create_options create;
    git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    create.repository = repo;
    create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    git_remote* remote = nullptr;
    int rc = git_remote_create_with_opts(&remote, url_.c_str(), &create);
    if (rc < 0) {
      return absl::InvalidArgumentError(Message("invalid remote URL: " + LastLibgit2Error(rc)));
    }
    remote_.reset(remote);
    git_remote_connect_options connect;
    git_remote_connect_options_init(&connect, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
    connect.callbacks = callbacks_;
    connect.proxy_opts = proxy_;
    connect.custom_headers = header_array_;
    rc = git_remote_connect_ext(remote_.get(), GIT_DIRECTION_FETCH, &connect);
    if (rc < 0) return Error(rc);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<RemoteRef>> List() {
    const git_remote_head** heads = nullptr;
    size_t count = 0;
    int rc = git_remote_ls(&heads, &count, remote_.get());
    if (rc < 0) return Error(rc);
    std::vector<RemoteRef> refs;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < count; ++i) {
      std::string name = heads[i]->name;
      if (name.size() > 3 && name.compare(name.size() - 3, 3, "^{}") == 0) {
        std::string base = name.substr(0, name.size() - 3);
        if (auto it = index.find(base); it != index.end())
          refs[it->second].peeled = OidHex(heads[i]->oid);
        continue;
      }
      index[name] = refs.size();
      refs.push_back({name, OidHex(heads[i]->oid), ""});
    }
    return refs;
  }

  absl::Status Download(const std::vector<std::string>& refspecs) {
    std::vector<char*> specs;
    for (const auto& s : refspecs) specs.push_back(const_cast<char*>(s.c_str()));
    git_strarray array{specs.data(), specs.size()};
    git_fetch_options opts;
    git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
    opts.callbacks = callbacks_;
    opts.proxy_opts = proxy_;
    opts.custom_headers = header_array_;
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    opts.update_fetchhead = 0;
    // git_remote_fetch rather than git_remote_download: in libgit2 1.5 the
    // latter leaks a copy of the custom headers (bearer auth) on every call.
    // A live connection is reused (git:// keeps its ref advertisement) except
    // with custom headers, where re-applying them to a live connection leaks.
    if (!headers_.empty()) git_remote_disconnect(remote_.get());
    int rc = git_remote_fetch(remote_.get(), &array, &opts, nullptr);
    if (rc < 0) return Error(rc);
    return absl::OkStatus();
  }

  // "<prefix> '<redacted url>': <detail>"
  std::string Message(const std::string& detail) const {
    std::string redacted = RedactUrl(url_);
    std::string clean = detail;
    if (redacted != url_) {
      for (size_t pos; (pos = clean.find(url_)) != std::string::npos;)
        clean.replace(pos, url_.size(), redacted);
    }
    return error_prefix_ + " '" + redacted + "': " + clean;
  }

  // Maps a libgit2 failure to a status with the most specific code.
  absl::Status Error(int rc) const {
    const git_error* err = git_error_last();
    const int klass = err != nullptr ? err->klass : GIT_ERROR_NONE;
    std::string detail = LastLibgit2Error(rc);
    if (state_.timed_out || NetworkDeadlineExpired())
      return absl::DeadlineExceededError(Message("context deadline exceeded"));
    if (state_.too_large) {
      return absl::ResourceExhaustedError(Message("repository exceeds the maximum fetch size of " +
                                                  std::to_string(state_.max_bytes) + " bytes"));
    }
    if (!state_.host_key_error.empty()) {
      return absl::UnauthenticatedError(Message("ssh: handshake failed: " + state_.host_key_error));
    }
    if (state_.auth_rejected) return absl::UnauthenticatedError(Message("authentication failed"));
    if (state_.auth_missing || rc == GIT_EAUTH) return absl::UnauthenticatedError(Message(detail));
    if (state_.cert_rejected || rc == GIT_ECERTIFICATE)
      return absl::UnauthenticatedError(Message(detail));
    if (rc == GIT_ENOTFOUND) return absl::NotFoundError(Message(detail));
    switch (klass) {
      case GIT_ERROR_NET:
      case GIT_ERROR_OS:
      case GIT_ERROR_SSL:
      case GIT_ERROR_HTTP:
      case GIT_ERROR_SSH:
        return absl::UnavailableError(Message(detail));
      default:
        return absl::InternalError(Message(detail));
    }
  }

  git_remote* remote() const { return remote_.get(); }
  const std::string& url() const { return url_; }
  const git_remote_callbacks& callbacks() const { return callbacks_; }
  const git_proxy_options& proxy() const { return proxy_; }

 private:
  std::string url_;
  std::string error_prefix_;
  CallbackState state_;
  std::optional<ScopedNetworkDeadline> network_deadline_;  // bounds connect/read/write
  std::optional<Socks5Proxy> socks_;
  std::optional<ScopedSocksProxy> socks_scope_;  // routes connections through socks_
  std::optional<ScopedClientCertificate> client_certificate_;  // presented over https
  git_remote_callbacks callbacks_;
  git_proxy_options proxy_;
  std::vector<std::string> headers_;
  std::vector<char*> header_ptrs_;
  git_strarray header_array_{};
  RemotePtr remote_;
};

// ---------------------------------------------------------------------------

enum class RefKind { kCommit, kName, kTag, kSemver, kBranch };

RefKind KindOf(const Reference& ref) {
  if (!ref.commit.empty()) return RefKind::kCommit;
  if (!ref.name.empty()) return RefKind::kName;
  if (!ref.tag.empty()) return RefKind::kTag;
  if (!ref.semver.empty()) return RefKind::kSemver;
  return RefKind::kBranch;
}

const RemoteRef* FindRef(const std::vector<RemoteRef>& refs, const std::string& name) {
  for (const auto& r : refs) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// The commit a remote ref resolves to.
std::string TargetOf(const RemoteRef& ref) { return ref.peeled.empty() ? ref.oid : ref.peeled; }

// Accepts git://, http(s)://, ssh://, file:// URLs and absolute local paths.
absl::Status ValidateUrl(const std::string& url, const std::string& prefix) {
  const std::string redacted = RedactUrl(url);
  if (url.empty()) return absl::InvalidArgumentError(prefix + ": empty URL");
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    if (url.front() != '/') {
      return absl::InvalidArgumentError(prefix + " '" + redacted +
                                        "': URL must be absolute (scheme://...)");
    }
    std::error_code ec;
    if (!fs::exists(url, ec))
      return absl::NotFoundError(prefix + " '" + redacted + "': repository path not found");
    return absl::OkStatus();
  }
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "git" && scheme != "http" && scheme != "https" && scheme != "ssh" &&
      scheme != "file") {
    return absl::InvalidArgumentError(prefix + " '" + redacted + "': unsupported URL scheme '" +
                                      scheme + "'");
  }
  if (scheme == "file") {
    std::error_code ec;
    if (!fs::exists(url.substr(scheme_end + 3), ec)) {
      return absl::NotFoundError(prefix + " '" + redacted + "': repository path not found");
    }
  }
  return absl::OkStatus();
}

absl::Status PrepareDestination(const std::string& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return absl::InternalError("failed to create '" + dest + "': " + ec.message());
  if (!fs::is_empty(dest, ec) || ec) {
    return absl::FailedPreconditionError("clone destination '" + dest +
                                         "' is not an empty directory");
  }
  return absl::OkStatus();
}

absl::StatusOr<ObjectPtr> LookupCommit(git_repository* repo, const std::string& hex) {
  git_oid oid;
  git_object* obj = nullptr;
  int rc;
  if (hex.size() == GIT_OID_HEXSZ) {
    rc = git_oid_fromstr(&oid, hex.c_str());
    if (rc == 0) rc = git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY);
  } else {
    rc = hex.size() < 4 ? GIT_EAMBIGUOUS : git_oid_fromstrn(&oid, hex.c_str(), hex.size());
    if (rc == 0) rc = git_object_lookup_prefix(&obj, repo, &oid, hex.size(), GIT_OBJECT_ANY);
  }
  if (rc < 0) return absl::NotFoundError("object not found");
  ObjectPtr object(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT) < 0) {
    return absl::NotFoundError("object is not a commit");
  }
  return ObjectPtr(peeled);
}

int64_t TagOrCommitTime(git_repository* repo, const RemoteRef& ref) {
  git_oid oid;
  if (git_oid_fromstr(&oid, ref.oid.c_str()) < 0) return 0;
  git_object* obj = nullptr;
  if (git_object_lookup(&obj, repo, &oid, GIT_OBJECT_ANY) < 0) return 0;
  ObjectPtr holder(obj);
  if (git_object_type(obj) == GIT_OBJECT_TAG) {
    const git_signature* tagger = git_tag_tagger(reinterpret_cast<git_tag*>(obj));
    if (tagger != nullptr) return tagger->when.time;
  }
  git_object* commit = nullptr;
  if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) return 0;
  ObjectPtr commit_holder(commit);
  return git_commit_time(reinterpret_cast<git_commit*>(commit));
}

absl::Status CreateRef(git_repository* repo, const std::string& name, const std::string& hex) {
  git_oid oid;
  git_reference* ref = nullptr;
  if (git_oid_fromstr(&oid, hex.c_str()) < 0 ||
      git_reference_create(&ref, repo, name.c_str(), &oid, 1, "clone") < 0) {
    return absl::InternalError("failed to create reference '" + name +
                               "': " + LastLibgit2Error(-1));
  }
  git_reference_free(ref);
  return absl::OkStatus();
}


// Checks auth settings before connecting: client certificate pairs, proxy schemes.
absl::Status ValidateAuth(const AuthOptions& auth, const std::string& url) {
  if (auth.tls_cert_pem.empty() != auth.tls_key_pem.empty()) {
    return absl::UnauthenticatedError("unable to clone '" + RedactUrl(url) +
                                      "': 'tls.crt' and 'tls.key' must be specified together");
  }
  if (!auth.tls_cert_pem.empty()) {
    absl::Status valid = ValidateClientCertificate(auth.tls_cert_pem, auth.tls_key_pem);
    if (!valid.ok()) {
      return absl::UnauthenticatedError("unable to clone '" + RedactUrl(url) +
                                        "': invalid client certificate: " + std::string(valid.message()));
    }
  }
  if (!auth.proxy.empty() && auth.proxy.address.rfind("http://", 0) != 0 &&
      auth.proxy.address.rfind("https://", 0) != 0 && !IsSocks5Url(auth.proxy.address)) {
    return absl::InvalidArgumentError(
        "failed to configure proxy options: unsupported proxy scheme in '" +
        RedactUrl(auth.proxy.address) + "' (supported: http, https, socks5, socks5h)");
  }
  if (auto socks = SocksProxyFor(url, auth.proxy); !socks.ok()) {
    return absl::InvalidArgumentError("failed to configure proxy options: " + std::string(socks.status().message()));
  }
  return absl::OkStatus();
}

// Opens the bare fetch cache, creating it (or recreating it when unusable).
absl::StatusOr<RepositoryPtr> OpenCache(const std::string& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, dir.c_str()) == 0) return RepositoryPtr(raw);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(fs::path(dir).parent_path(), ec);
  int rc = git_repository_init(&raw, dir.c_str(), /*is_bare=*/1);
  if (rc < 0) {
    return absl::InternalError("failed to initialise fetch cache '" + dir +
                               "': " + LastLibgit2Error(rc));
  }
  return RepositoryPtr(raw);
}

struct SubmoduleList {
  std::vector<std::string> names;
};

int CollectSubmodule(git_submodule* /*sm*/, const char* name, void* payload) {
  static_cast<SubmoduleList*>(payload)->names.emplace_back(name);
  return 0;
}

// Initialises and updates every submodule of `repo`, recursively (depth
// bounded against cycles), fetching with `callbacks` (auth, host keys).
absl::Status UpdateSubmodules(git_repository* repo, const git_remote_callbacks& callbacks,
                              const git_proxy_options& proxy, CallbackState* state, int depth) {
  if (depth > 10) return absl::FailedPreconditionError("submodules nested too deeply");
  SubmoduleList list;
  int rc = git_submodule_foreach(repo, CollectSubmodule, &list);
  if (rc < 0) return absl::InternalError("failed to list submodules: " + LastLibgit2Error(rc));
  for (const std::string& name : list.names) {
    git_submodule* raw_sm = nullptr;
    rc = git_submodule_lookup(&raw_sm, repo, name.c_str());
    if (rc < 0) {
      return absl::InternalError("failed to look up submodule '" + name +
                                 "': " + LastLibgit2Error(rc));
    }
    std::unique_ptr<git_submodule, void (*)(git_submodule*)> sm(raw_sm, git_submodule_free);
    git_submodule_update_options update;
    git_submodule_update_options_init(&update, GIT_SUBMODULE_UPDATE_OPTIONS_VERSION);
    update.fetch_opts.callbacks = callbacks;
    update.fetch_opts.callbacks.payload = state;
    update.fetch_opts.proxy_opts = proxy;
    if (update.fetch_opts.proxy_opts.payload != nullptr) update.fetch_opts.proxy_opts.payload = state;
    update.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    update.checkout_opts.checkout_strategy = GIT_CHECKOUT_FORCE;
    update.allow_fetch = 1;
    state->credential_calls = 0;
    rc = git_submodule_update(sm.get(), /*init=*/1, &update);
    if (rc < 0) {
      const std::string url = git_submodule_url(sm.get()) ? git_submodule_url(sm.get()) : "";
      std::string detail = state->host_key_error.empty() ? LastLibgit2Error(rc)
                                                         : "ssh: handshake failed: " + state->host_key_error;
      std::string message = "failed to update submodule '" + name + "' from '" + RedactUrl(url) +
                            "': " + detail;
      if (state->timed_out || NetworkDeadlineExpired()) return absl::DeadlineExceededError(message);
      if (state->auth_rejected || state->auth_missing || !state->host_key_error.empty() ||
          rc == GIT_EAUTH || rc == GIT_ECERTIFICATE)
        return absl::UnauthenticatedError(message);
      return absl::UnavailableError(message);
    }
    git_repository* raw_sub = nullptr;
    if (git_submodule_open(&raw_sub, sm.get()) == 0) {
      RepositoryPtr sub(raw_sub);
      absl::Status st = UpdateSubmodules(sub.get(), callbacks, proxy, state, depth + 1);
      if (!st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

// Splits an annotated tag object into its signature and signed payload.
void ExtractTagSignature(git_repository* repo, const std::string& tag_oid_hex, CloneResult* result) {
  git_oid oid;
  if (git_oid_fromstr(&oid, tag_oid_hex.c_str()) < 0) return;
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo) < 0) return;
  git_odb_object* obj = nullptr;
  if (git_odb_read(&obj, odb, &oid) == 0) {
    if (git_odb_object_type(obj) == GIT_OBJECT_TAG) {
      result->annotated_tag = true;
      std::string raw(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
      for (const char* marker : {"-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----",
                                 "-----BEGIN PGP MESSAGE-----"}) {
        size_t pos = raw.find(std::string("\n") + marker);
        if (pos != std::string::npos) {
          result->tag_signature.payload = raw.substr(0, pos + 1);
          result->tag_signature.signature = raw.substr(pos + 1);
          break;
        }
      }
    }
    git_odb_object_free(obj);
  }
  git_odb_free(odb);
}

}  // namespace

absl::StatusOr<std::vector<RemoteRef>> ListRemoteRefs(const std::string& url,
                                                      const AuthOptions& auth,
                                                      std::chrono::seconds timeout) {
  EnsureLibgit2Initialized();
  absl::Status st = ValidateUrl(url, "unable to list references of");
  if (!st.ok()) return st;
  st = ValidateAuth(auth, url);
  if (!st.ok()) return st;
  Session session(url, auth, timeout, "unable to list references of");
  st = session.Connect(nullptr);
  if (!st.ok()) return st;
  return session.List();
}

absl::StatusOr<std::string> ResolveRemoteRef(const std::string& url, const std::string& ref,
                                             const AuthOptions& auth,
                                             std::chrono::seconds timeout) {
  auto refs = ListRemoteRefs(url, auth, timeout);
  if (!refs.ok()) return refs.status();
  std::vector<std::string> candidates;
  if (ref == "HEAD" || ref.rfind("refs/", 0) == 0) {
    candidates = {ref};
  } else {
    candidates = {"refs/heads/" + ref, "refs/tags/" + ref};
  }
  for (const auto& name : candidates) {
    if (const RemoteRef* r = FindRef(*refs, name)) return TargetOf(*r);
  }
  return absl::NotFoundError("reference '" + candidates.front() + "' not found at '" +
                             RedactUrl(url) + "'");
}

absl::StatusOr<CloneResult> Clone(const CloneOptions& options, const std::string& dest_dir) {
  EnsureLibgit2Initialized();
  absl::Status st = ValidateUrl(options.url, "unable to clone");
  if (!st.ok()) return st;
  const Reference& ref = options.reference;
  const RefKind kind = KindOf(ref);
  if (kind == RefKind::kName && ref.name.rfind("refs/", 0) != 0) {
    return absl::InvalidArgumentError("invalid reference name '" + ref.name +
                                      "': must start with 'refs/'");
  }
  std::optional<semver::Constraints> constraints;
  if (kind == RefKind::kSemver) {
    auto parsed = semver::Constraints::Parse(ref.semver);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError("semver parse error: " +
                                        std::string(parsed.status().message()));
    }
    constraints = std::move(*parsed);
  }
  st = ValidateAuth(options.auth, options.url);
  if (!st.ok()) return st;
  const bool use_cache = !options.cache_dir.empty() && !options.recurse_submodules;
  const bool persistent = use_cache && options.persistent_worktree;
  if (persistent) {
    std::error_code ec;
    fs::create_directories(dest_dir, ec);
    if (ec) return absl::InternalError("failed to create '" + dest_dir + "': " + ec.message());
  } else {
    st = PrepareDestination(dest_dir);
    if (!st.ok()) return st;
  }
  int rc = 0;
  RepositoryPtr repo;
  if (use_cache) {
    auto opened = OpenCache(options.cache_dir);
    if (!opened.ok()) return opened.status();
    repo = std::move(*opened);
  } else {
    git_repository* raw_repo = nullptr;
    rc = git_repository_init(&raw_repo, dest_dir.c_str(), /*is_bare=*/0);
    if (rc < 0)
      return absl::InternalError("failed to initialise repository: " + LastLibgit2Error(rc));
    repo.reset(raw_repo);
    if (options.recurse_submodules) {
      // Relative submodule URLs resolve against the "origin" remote.
      git_remote* origin = nullptr;
      if (git_remote_create(&origin, repo.get(), "origin", options.url.c_str()) == 0)
        git_remote_free(origin);
    }
  }
  auto session = std::make_unique<Session>(options.url, options.auth, options.timeout,
                                           "unable to clone", options.max_fetch_bytes);
  st = session->Connect(repo.get());
  if (!st.ok()) return st;
  auto refs = session->List();
  if (!refs.ok()) return refs.status();
  bool has_refs = false;
  for (const auto& r : *refs) {
    if (r.name != "HEAD") has_refs = true;
  }
  if (!has_refs) return absl::FailedPreconditionError("git repository is empty");

  auto not_found = [&](const std::string& full) {
    return absl::NotFoundError(session->Message("reference '" + full + "' not found"));
  };

  // Resolve what to fetch: refspecs, the expected commit, the revision's ref.
  std::vector<std::string> refspecs;
  std::string target;     // object id the ref points to (may be an annotated tag)
  std::string ref_name;   // for the revision
  std::string local_ref;  // ref recreated locally after the fetch
  switch (kind) {
    case RefKind::kBranch: {
      const std::string branch = ref.branch.empty() ? "master" : ref.branch;
      const std::string full = "refs/heads/" + branch;
      const RemoteRef* r = FindRef(*refs, full);
      if (r == nullptr) return not_found(full);
      refspecs = {"+" + full + ":refs/remotes/origin/" + branch};
      target = r->oid;
      ref_name = branch;
      local_ref = full;
      break;
    }
    case RefKind::kTag: {
      const std::string full = "refs/tags/" + ref.tag;
      const RemoteRef* r = FindRef(*refs, full);
      if (r == nullptr) return not_found(full);
      refspecs = {"+" + full + ":" + full};
      target = r->oid;
      ref_name = ref.tag;
      local_ref = full;
      break;
    }
    case RefKind::kName: {
      const RemoteRef* r = FindRef(*refs, ref.name);
      if (r == nullptr) return not_found(ref.name);
      refspecs = {"+" + ref.name + ":" + ref.name};
      target = r->oid;
      ref_name = ref.name;
      local_ref = ref.name;
      break;
    }
    case RefKind::kSemver: {
      std::vector<std::pair<semver::Version, const RemoteRef*>> matches;
      for (const auto& r : *refs) {
        if (r.name.rfind("refs/tags/", 0) != 0) continue;
        auto v = semver::Version::ParseTag(r.name.substr(10));
        if (v.ok() && constraints->Check(*v)) matches.emplace_back(std::move(*v), &r);
      }
      if (matches.empty()) return absl::NotFoundError("no match found for semver: " + ref.semver);
      auto best = std::max_element(matches.begin(), matches.end(),
                                   [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<const RemoteRef*> tied;
      for (const auto& m : matches) {
        if (m.first.Equals(best->first)) tied.push_back(m.second);
      }
      for (const RemoteRef* r : tied) refspecs.push_back("+" + r->name + ":" + r->name);
      // Ties (versions differing only in build metadata) are broken by tag or
      // commit time after the fetch, as Flux does.
      target = tied.front()->oid;
      ref_name = tied.front()->name.substr(10);
      local_ref = tied.front()->name;
      if (tied.size() > 1) {
        st = session->Download(refspecs);
        if (!st.ok()) return st;
        const RemoteRef* newest = tied.front();
        int64_t newest_time = TagOrCommitTime(repo.get(), *newest);
        for (const RemoteRef* r : tied) {
          int64_t t = TagOrCommitTime(repo.get(), *r);
          if (t > newest_time) {
            newest = r;
            newest_time = t;
          }
        }
        target = newest->oid;
        ref_name = newest->name.substr(10);
        local_ref = newest->name;
        refspecs.clear();  // already fetched
      }
      break;
    }
    case RefKind::kCommit: {
      if (!ref.branch.empty()) {
        const std::string full = "refs/heads/" + ref.branch;
        if (FindRef(*refs, full) == nullptr) return not_found(full);
        refspecs = {"+" + full + ":refs/remotes/origin/" + ref.branch};
      } else {
        refspecs = {"+refs/heads/*:refs/remotes/origin/*"};
      }
      ref_name = ref.branch;
      break;
    }
  }

  // No-op short-circuit (not for semver or commit refs, as in Flux).
  if (!options.last_observed_commit.empty() &&
      (kind == RefKind::kBranch || kind == RefKind::kTag || kind == RefKind::kName)) {
    const RemoteRef* r = FindRef(*refs, local_ref);
    const std::string commit = TargetOf(*r);
    const std::string revision = FormatRevision(ref_name, commit);
    if (revision == TransformRevision(options.last_observed_commit)) {
      session.reset();
      repo.reset();
      if (!use_cache) {
        std::error_code ec;
        fs::remove_all(fs::path(dest_dir) / ".git", ec);
      }
      CloneResult result;
      result.commit = commit;
      result.ref_name = ref_name;
      result.revision = revision;
      result.unchanged = true;
      return result;
    }
  }

  if (!refspecs.empty()) {
    st = session->Download(refspecs);
    if (!st.ok()) return st;
  }

  absl::StatusOr<ObjectPtr> commit_obj = absl::NotFoundError("");
  if (kind == RefKind::kCommit) {
    commit_obj = LookupCommit(repo.get(), ref.commit);
    if (!commit_obj.ok()) {
      return absl::NotFoundError(
          session->Message("unable to resolve commit object for '" + ref.commit +
                           "': " + std::string(commit_obj.status().message())));
    }
  } else {
    commit_obj = LookupCommit(repo.get(), target);
    if (!commit_obj.ok()) {
      return absl::InternalError(
          session->Message("fetched reference '" + local_ref + "' but its commit is missing"));
    }
    // Keep the ref locally (tags keep their tag object for verification).
    st = CreateRef(repo.get(), local_ref, target);
    if (!st.ok()) return st;
  }
  // Submodules reuse the session's callbacks (auth, host keys, deadline).
  const git_remote_callbacks callbacks = session->callbacks();
  const git_proxy_options proxy = session->proxy();
  session.reset();  // disconnect before the (possibly long) checkout

  std::vector<std::string> sparse;
  for (std::string dir : options.sparse_checkout) {
    while (dir.rfind("./", 0) == 0) dir.erase(0, 2);
    while (!dir.empty() && dir.back() == '/') dir.pop_back();
    if (!dir.empty()) sparse.push_back(dir);
  }
  std::vector<char*> sparse_ptrs;
  for (auto& d : sparse) sparse_ptrs.push_back(d.data());
  git_checkout_options checkout;
  git_checkout_options_init(&checkout, GIT_CHECKOUT_OPTIONS_VERSION);
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  // No .gitattributes filters (eol, ident): go-git in Flux applies none, and
  // the per-file attribute lookups dominate checkout time.
  checkout.disable_filters = 1;
  if (!sparse.empty()) checkout.paths = {sparse_ptrs.data(), sparse_ptrs.size()};
  const git_oid* commit_oid = git_object_id(commit_obj->get());
  const std::string state_file = options.cache_dir + "/fluxcpp-worktree";
  const WorktreeState new_state{OidHex(*commit_oid), dest_dir, sparse};
  bool checked_out = false;
  if (persistent) {
    std::optional<WorktreeState> old_state = ReadWorktreeState(state_file);
    ::unlink(state_file.c_str());  // unknown state until the update is done
    if (old_state && old_state->dir == dest_dir && old_state->sparse == sparse) {
      // Incremental: apply the diff from the commit the directory holds.
      auto old_commit = LookupCommit(repo.get(), old_state->commit);
      git_tree* old_tree = nullptr;
      git_tree* new_tree = nullptr;
      if (old_commit.ok() &&
          git_commit_tree(&old_tree, reinterpret_cast<git_commit*>(old_commit->get())) == 0 &&
          git_commit_tree(&new_tree, reinterpret_cast<git_commit*>(commit_obj->get())) == 0) {
        checked_out = ApplyTreeDiff(repo.get(), old_tree, new_tree, dest_dir, sparse).ok();
      }
      git_tree_free(old_tree);
      git_tree_free(new_tree);
      git_error_clear();
    }
    if (!checked_out) {
      // From scratch: the same diff writer from the empty tree (lighter than
      // libgit2's checkout, which stats and re-checks every path); libgit2's
      // checkout remains the fallback.
      st = ClearDirectory(dest_dir);
      if (!st.ok()) return st;
      git_tree* new_tree = nullptr;
      if (git_commit_tree(&new_tree, reinterpret_cast<git_commit*>(commit_obj->get())) == 0) {
        checked_out = ApplyTreeDiff(repo.get(), nullptr, new_tree, dest_dir, sparse).ok();
      }
      git_tree_free(new_tree);
      git_error_clear();
      if (!checked_out) {
        st = ClearDirectory(dest_dir);
        if (!st.ok()) return st;
      }
    }
  }
  git_index* empty_index = nullptr;
  if (checked_out) {
    // Done by the diff.
  } else if (use_cache) {
    // Write the tree into dest_dir as if nothing were checked out there.
    if (git_index_new(&empty_index) < 0)
      return absl::InternalError("failed to create index: " + LastLibgit2Error(-1));
    checkout.checkout_strategy |= GIT_CHECKOUT_DONT_WRITE_INDEX;
    checkout.baseline_index = empty_index;
    // Give the bare cache a work tree in memory only (nothing is written to
    // its config): checkout of gitlinks (submodules) needs one.
    rc = git_repository_set_workdir(repo.get(), dest_dir.c_str(), /*update_gitlink=*/0);
    if (rc < 0) {
      git_index_free(empty_index);
      return absl::InternalError("failed to set work tree: " + LastLibgit2Error(rc));
    }
  }
  if (!checked_out) {
    rc = git_checkout_tree(repo.get(), commit_obj->get(), &checkout);
    if (empty_index != nullptr) git_index_free(empty_index);
    if (rc < 0) return absl::InternalError("failed to checkout: " + LastLibgit2Error(rc));
  }
  if (persistent) {
    st = WriteWorktreeState(state_file, new_state);
    if (!st.ok()) return st;
  }
  if (!use_cache) {
    if (kind == RefKind::kBranch) {
      rc = git_repository_set_head(repo.get(), local_ref.c_str());
    } else {
      rc = git_repository_set_head_detached(repo.get(), commit_oid);
    }
    if (rc < 0) return absl::InternalError("failed to update HEAD: " + LastLibgit2Error(rc));
  }
  if (options.recurse_submodules) {
    CallbackState sub_state;
    sub_state.auth = &options.auth;
    sub_state.deadline = Clock::now() + options.timeout;
    sub_state.max_bytes = options.max_fetch_bytes;
    ScopedNetworkDeadline network_deadline(sub_state.deadline);
    auto socks = SocksProxyFor(options.url, options.auth.proxy);
    std::optional<Socks5Proxy> sub_socks;
    if (socks.ok() && socks->has_value()) sub_socks = **socks;
    ScopedSocksProxy socks_scope(sub_socks ? &*sub_socks : nullptr);
    ScopedClientCertificate client_certificate(options.auth.tls_cert_pem, options.auth.tls_key_pem);
    st = UpdateSubmodules(repo.get(), callbacks, proxy, &sub_state, 0);
    if (!st.ok()) return st;
  }

  auto* commit = reinterpret_cast<git_commit*>(commit_obj->get());
  CloneResult result;
  result.commit = OidHex(*commit_oid);
  result.ref_name = ref_name;
  result.revision = FormatRevision(ref_name, result.commit);
  const char* message = git_commit_message(commit);
  result.message = message != nullptr ? message : "";
  if (const git_signature* author = git_commit_author(commit)) {
    result.author = std::string(author->name ? author->name : "") + " <" +
                    (author->email ? author->email : "") + ">";
  }
  result.commit_time = git_commit_time(commit);
  if (use_cache) {
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, commit) == 0) {
      auto ids = BlobIds(tree);
      git_tree_free(tree);
      if (!ids.ok()) return ids.status();
      result.blob_ids = std::move(*ids);
    }
  }
  git_buf sig = GIT_BUF_INIT;
  git_buf signed_data = GIT_BUF_INIT;
  git_oid oid_copy = *commit_oid;
  if (git_commit_extract_signature(&sig, &signed_data, repo.get(), &oid_copy, nullptr) == 0) {
    result.commit_signature.signature.assign(sig.ptr, sig.size);
    result.commit_signature.payload.assign(signed_data.ptr, signed_data.size);
  }
  git_buf_dispose(&sig);
  git_buf_dispose(&signed_data);
  git_error_clear();
  if (local_ref.rfind("refs/tags/", 0) == 0) {
    result.tag_name = local_ref.substr(10);
    ExtractTagSignature(repo.get(), target, &result);
  }
  return result;
}

}  // namespace fluxcpp::git
