#include "services/kustomize-controller/artifact_cache.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "libs/core/digest.h"

namespace fluxcpp::kustomize_controller {

namespace fs = std::filesystem;

ArtifactCache::Entry::~Entry() {
  std::error_code ec;
  if (!dir.empty()) fs::remove_all(dir, ec);
}

ArtifactCache::ArtifactCache(std::string root, size_t capacity) : root_(std::move(root)), capacity_(capacity) {
  std::error_code ec;
  fs::remove_all(root_, ec);
  fs::create_directories(root_, ec);
}

ArtifactCache::~ArtifactCache() {
  {
    absl::MutexLock lock(&mu_);
    entries_.clear();
    lru_.clear();
  }
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void ArtifactCache::RemoveStaleRoots(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::strtol(pid_text.c_str(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

int ArtifactCache::downloads() const {
  absl::MutexLock lock(&mu_);
  return downloads_;
}

void ArtifactCache::Touch(const std::string& key) {
  lru_.remove(key);
  lru_.push_front(key);
}

void ArtifactCache::Evict() {
  while (lru_.size() > capacity_) {
    const std::string victim = lru_.back();
    lru_.pop_back();
    auto it = entries_.find(victim);
    if (it != entries_.end() && !it->second->ready && !it->second->failed) {
      lru_.push_front(victim);  // still downloading: keep it
      break;
    }
    entries_.erase(victim);  // the directory goes with the last copy in progress
  }
}

absl::Status ArtifactCache::Materialize(const std::string& url, const std::string& digest, const std::string& dest_dir,
                                        const artifact::FetchOptions& options) {
  const std::string key = Sha256Digest(absl::StrCat(url, "\n", digest));
  EntryPtr entry;
  bool fetch = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second->failed) {
      entries_.erase(it);
      lru_.remove(key);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      entry = std::make_shared<Entry>();
      entry->dir = absl::StrCat(root_, "/", next_id_++);
      entries_[key] = entry;
      Touch(key);
      Evict();
      fetch = true;
      ++downloads_;
    } else {
      entry = it->second;
      Touch(key);
      // Another reconcile is downloading it: wait for the outcome.
      mu_.Await(absl::Condition(
          +[](Entry* e) { return e->ready || e->failed; }, entry.get()));
    }
  }
  if (fetch) {
    std::error_code ec;
    fs::create_directories(entry->dir, ec);
    absl::Status fetched = ec ? absl::InternalError(absl::StrCat("failed to create artifact cache directory: ",
                                                                 ec.message()))
                              : artifact::FetchArtifact(url, digest, entry->dir, options);
    absl::MutexLock lock(&mu_);
    if (!fetched.ok()) {
      entry->failed = true;
      if (auto it = entries_.find(key); it != entries_.end() && it->second == entry) {
        entries_.erase(it);
        lru_.remove(key);
      }
      return fetched;
    }
    entry->ready = true;
  } else if (entry->failed) {
    // The download we waited for failed: fetch directly (reporting our own error).
    return artifact::FetchArtifact(url, digest, dest_dir, options);
  }
  // `entry` keeps the tree alive while it is copied, even if evicted meanwhile.
  std::error_code ec;
  fs::copy(entry->dir, dest_dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return absl::InternalError(absl::StrCat("failed to copy the cached artifact: ", ec.message()));
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize_controller
