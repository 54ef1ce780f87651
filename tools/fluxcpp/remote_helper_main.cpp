// fluxcpp-remote: the fluxcpp CLI's fetcher process for kustomize remote
// targets (protocol in helper_fetcher.h). Not meant to be run by hand.
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "libs/kustomize/repo_spec.h"
#include "libs/kustomize_remote/fetcher.h"

namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%d\n%s\n", static_cast<int>(s.code()), std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fluxcpp;
  const std::string cmd = argc > 1 ? argv[1] : "";
  kustomize_remote::FetcherOptions options;
  if (cmd == "clone" && argc == 4) {
    auto spec = kustomize::ParseRepoSpec(argv[2]);
    if (!spec.ok()) return Fail(spec.status());
    absl::Status s = kustomize_remote::CheckoutRepo(*spec, argv[3], options);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "get" && argc == 3) {
    auto body = kustomize_remote::FetchHttpFile(argv[2], options);
    if (!body.ok()) return Fail(body.status());
    return std::fwrite(body->data(), 1, body->size(), stdout) == body->size() ? 0 : 1;
  }
  return Fail(absl::InvalidArgumentError("usage: fluxcpp-remote clone <repo URL> <dest> | get <http(s) URL>"));
}
