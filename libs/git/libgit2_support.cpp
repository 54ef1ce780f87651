#include "libs/git/libgit2_support.h"

#include <cstdlib>
#include <mutex>

#include "libs/git/deadline_stream.h"
#include "libs/git/tls_stream.h"

namespace fluxcpp::git {

void EnsureLibgit2Initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Do not let a host's ~/.gitconfig (url.insteadOf, credential helpers, ...)
    // change what a controller fetches.
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "");
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "");
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "");
    git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "");
    // Sockets with deadlines (connect, read, write): see deadline_stream.h.
    RegisterDeadlineStream();
    // HTTPS with client certificates: see tls_stream.h.
    RegisterTlsStream();
    // Release libgit2's globals at exit (keeps leak checkers quiet). Callers
    // must not hold libgit2 objects in statics that outlive this.
    std::atexit([] { git_libgit2_shutdown(); });
  });
}

std::string LastLibgit2Error(int code) {
  const git_error* err = git_error_last();
  if (err != nullptr && err->message != nullptr && err->message[0] != '\0') return err->message;
  return "libgit2 error " + std::to_string(code);
}

std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return buf;
}

std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t host_start = scheme + 3;
  size_t path_start = url.find('/', host_start);
  std::string_view authority =
      url.substr(host_start, path_start == std::string_view::npos ? std::string_view::npos
                                                                  : path_start - host_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(authority.substr(at + 1)) +
         (path_start == std::string_view::npos ? "" : std::string(url.substr(path_start)));
}

}  // namespace fluxcpp::git
