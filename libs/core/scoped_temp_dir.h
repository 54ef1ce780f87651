#pragma once
// A directory made with mkdtemp(3) under a parent and removed, with all it
// holds, when the owner goes out of scope: the scratch space of one
// reconcile (checkouts, unpacked artifacts). Movable, not copyable; not
// thread-safe (one owner).

#include <string>

#include "absl/status/statusor.h"

namespace fluxcpp {

class ScopedTempDir {
 public:
  // Creates `<parent>/<prefix>XXXXXX`. Internal error naming the parent
  // when it cannot be made.
  static absl::StatusOr<ScopedTempDir> Create(const std::string& parent, const std::string& prefix);
  ScopedTempDir(ScopedTempDir&& other) noexcept;
  ScopedTempDir& operator=(ScopedTempDir&& other) noexcept;
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir();

  const std::string& path() const { return path_; }

 private:
  explicit ScopedTempDir(std::string path) : path_(std::move(path)) {}
  void Remove();
  std::string path_;  // "" once moved from
};

}  // namespace fluxcpp
