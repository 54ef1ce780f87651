// Fuzzes the tar parser (plain and gzip-wrapped) and, for inputs that parse,
// the safe extractor into a scratch directory: nothing may be written outside it.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "libs/artifact/gzip_reader.h"
#include "libs/artifact/tar_reader.h"
#include "libs/artifact/untar.h"

using namespace fluxcpp::artifact;

namespace {

void Drain(ByteSource& source) {
  TarReader reader(source);
  char buf[4096];
  for (int entries = 0; entries < 10000; ++entries) {
    auto next = reader.Next();
    if (!next.ok() || !next->has_value()) return;
    while (true) {
      auto n = reader.ReadData(buf, sizeof(buf));
      if (!n.ok() || *n == 0) break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  {
    StringSource plain(input);
    Drain(plain);
  }
  {
    StringSource compressed(input);
    GzipReader gz(compressed);
    Drain(gz);
  }
  // Extraction: confine to a fresh directory inside a fresh parent, and check
  // the parent holds nothing else afterwards.
  static const std::string base = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "untar-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  std::error_code ec;
  std::filesystem::remove_all(base + "/out", ec);
  StringSource source(input);
  UntarOptions options;
  options.gzip = false;
  options.max_size = 1 << 20;
  (void)Untar(source, base + "/out", options);
  for (const auto& entry : std::filesystem::directory_iterator(base)) {
    if (entry.path().filename() != "out") std::abort();  // escaped the destination
  }
  return 0;
}
