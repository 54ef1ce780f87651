#pragma once
// Discovery-backed kind -> resource mapping (client-go's RESTMapper, lazily
// per group/version): the first lookup in "apps/v1" reads /apis/apps/v1 and
// caches every kind it serves. A kind missing from the cache triggers one
// re-read of its group/version (new CRDs), at most once per `min_refresh`.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/kube/client.h"

namespace fluxcpp::kube {

class RestMapper {
 public:
  // `get` fetches a discovery path ("/api/v1", "/apis/apps/v1") and returns
  // the body or the mapped error.
  using Fetcher = std::function<absl::StatusOr<std::string>(const std::string& path)>;

  explicit RestMapper(Fetcher get, absl::Duration min_refresh = absl::Seconds(1));

  // NotFound "no matches for kind \"X\" in version \"g/v\"" when not served.
  absl::StatusOr<ResourceMapping> Mapping(const GroupVersionKind& gvk);

  // Drops the cache (e.g. after installing CRDs).
  void Invalidate();

  // Parses an APIResourceList into mappings (subresources fold into
  // has_status). Exposed for tests.
  static absl::StatusOr<std::vector<ResourceMapping>> ParseResourceList(const std::string& group,
                                                                       const std::string& version,
                                                                       const std::string& body);

 private:
  struct GroupVersionEntry {
    std::vector<ResourceMapping> mappings;
    absl::Time fetched_at = absl::InfinitePast();
  };

  const Fetcher get_;
  const absl::Duration min_refresh_;
  absl::Mutex mu_;  // also serializes fetches, so a burst of misses reads once
  std::map<std::string, GroupVersionEntry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::kube
