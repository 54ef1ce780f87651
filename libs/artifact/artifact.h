#pragma once
// meta.Artifact (spec §1.3): what a source object records in .status.artifact.

#include <cstdint>
#include <string>

namespace fluxcpp::artifact {

struct Artifact {
  std::string path;              // relative to the storage root: <kind>/<ns>/<name>/<file>
  std::string url;               // http://<adv-addr>/<path>
  std::string revision;          // e.g. "main@sha1:<hex>"
  std::string digest;            // "<algo>:<hex>" of the stored file
  std::string last_update_time;  // RFC 3339, second precision
  int64_t size = 0;              // bytes of the stored file

  // Exact comparisons, as meta.Artifact's helpers.
  bool HasRevision(const std::string& r) const { return revision == r; }
  bool HasDigest(const std::string& d) const { return digest == d; }
  friend bool operator==(const Artifact&, const Artifact&) = default;
};

}  // namespace fluxcpp::artifact
