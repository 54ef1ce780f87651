#include "tools/fluxcpp/kustomize_build_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "libs/core/flags.h"
#include "libs/kustomize/build.h"
#include "tools/fluxcpp/helper_fetcher.h"

namespace fluxcpp::cli {
namespace {

constexpr char kUsage[] =
    "Build a set of KRM resources using a 'kustomization.yaml' file. The DIR argument must be a\n"
    "path to a directory containing 'kustomization.yaml', or a git repository URL with a path\n"
    "suffix specifying the same. If DIR is omitted, '.' is assumed.\n"
    "\n"
    "Usage:\n"
    "  fluxcpp kustomize build [DIR] [flags]\n"
    "\n"
    "Flags:\n"
    "      --load-restrictor string   LoadRestrictionsRootOnly (default) or LoadRestrictionsNone\n"
    "      --no-remote-bases          refuse remote git bases and http(s) files (fluxcpp only)\n"
    "  -o, --output string            write output to this path instead of stdout\n"
    "      --reorder string           legacy (default) or none: output order\n"
    "  -h, --help                     help for build\n";

}  // namespace

int RunKustomizeBuild(const CommandArgs& args) {
  std::string reorder = "legacy";
  std::string load_restrictor = "LoadRestrictionsRootOnly";
  std::string output;
  bool no_remote = false;
  FlagSet flags("fluxcpp kustomize build");
  flags.Bool("no-remote-bases", &no_remote, "refuse remote bases and files");
  flags.String("reorder", &reorder, "legacy or none");
  flags.String("load-restrictor", &load_restrictor, "LoadRestrictionsRootOnly or LoadRestrictionsNone");
  flags.String("output", &output, "output file");
  flags.String("o", &output, "output file");
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::string msg(s.message());
    return ReportError(msg.substr(0, msg.find('\n')));
  }
  if (flags.positional().size() > 1) {
    return ReportError("specify one path to kustomization.yaml");
  }
  const std::string dir = flags.positional().empty() ? "." : flags.positional()[0];

  kustomize::BuildOptions options;
  if (reorder == "legacy") {
    options.reorder = kustomize::Reorder::kLegacy;
  } else if (reorder == "none") {
    options.reorder = kustomize::Reorder::kNone;
  } else {
    return ReportError(absl::StrCat("illegal flag value --reorder ", reorder, "; legal values: legacy, none"));
  }
  if (load_restrictor == "LoadRestrictionsNone") {
    options.root = "/";  // any readable path
  } else if (load_restrictor != "LoadRestrictionsRootOnly") {
    return ReportError(absl::StrCat("illegal flag value --load-restrictor ", load_restrictor,
                                    "; legal values: LoadRestrictionsRootOnly, LoadRestrictionsNone"));
  }

  // Remote targets are allowed as in `kubectl kustomize`; the fetcher's
  // clones are removed when it goes out of scope.
  HelperFetcher fetcher;
  if (!no_remote) options.remote = &fetcher;
  std::string build_dir = dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    // A repo spec as DIR (`kubectl kustomize https://github.com/org/repo//dir?ref=v1`):
    // built from its checkout, nothing outside the checkout is read.
    if (auto spec = kustomize::ParseRepoSpec(dir); spec.ok()) {
      if (no_remote) return ReportError(absl::StrCat("remote target '", dir, "' is not allowed: --no-remote-bases"));
      auto clone = fetcher.CloneRepo(*spec);
      if (!clone.ok()) return ReportError(std::string(clone.status().message()));
      build_dir = (std::filesystem::path(*clone) / spec->kust_root_path).string();
      options.root = *clone;
    }
  }
  auto built = kustomize::Build(build_dir, options);
  if (!built.ok()) return ReportError(std::string(built.status().message()));
  if (!output.empty()) {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    kustomize::WriteYaml(std::move(*built), [&out](std::string_view chunk) {
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      return static_cast<bool>(out);
    });
    if (!out) return ReportError(absl::StrCat("failed to write ", output));
    return 0;
  }
  bool written = kustomize::WriteYaml(std::move(*built), [](std::string_view chunk) {
    return std::fwrite(chunk.data(), 1, chunk.size(), stdout) == chunk.size();
  });
  return written && std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace fluxcpp::cli
