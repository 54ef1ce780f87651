#include "tools/fluxcpp/build_kustomization_command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/flags.h"
#include "libs/envsubst/resource_substitution.h"
#include "libs/kustomize/build.h"
#include "tools/fluxcpp/helper_fetcher.h"
#include "libs/kustomize/flux_build.h"
#include "libs/object/yaml.h"
#include "tools/fluxcpp/sops_mask.h"

namespace fluxcpp::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kGroup[] = "kustomize.toolkit.fluxcd.io";

constexpr char kUsage[] =
    "Build a Flux Kustomization locally: generate and overlay kustomization.yaml, build it with\n"
    "kustomize and substitute postBuild variables, as kustomize-controller would, then print the\n"
    "resulting multi-doc YAML. No cluster is contacted (substituteFrom is skipped).\n"
    "\n"
    "Usage:\n"
    "  fluxcpp build kustomization NAME --path DIR [flags]\n"
    "\n"
    "Flags:\n"
    "      --dry-run                     accepted for compatibility; fluxcpp never contacts a cluster\n"
    "      --kustomization-file string   path to the Flux Kustomization YAML\n"
    "  -n, --namespace string            namespace of the Kustomization (default \"flux-system\")\n"
    "      --no-remote-bases             refuse remote git bases and http(s) files (fluxcpp only)\n"
    "      --path string                 path to the manifests location\n"
    "      --strict-substitute           fail when a variable without default is not set\n"
    "  -h, --help                        help for kustomization\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "\u2717 %s\n", message.c_str());
  return 1;
}

// flux2 internal/build unMarshallKustomization.
absl::StatusOr<object::Value> ReadKustomization(const std::string& file, const std::string& name,
                                                const std::string& ns) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("failed to read kustomization file ", file));
  std::stringstream ss;
  ss << in.rdbuf();
  auto docs = object::ParseYamlDocuments(ss.str());
  if (!docs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to unmarshall kustomization file ", file, ": ", docs.status().message()));
  }
  for (const object::Value& doc : *docs) {
    if (!doc.is_object()) continue;
    const std::string doc_ns = object::GetString(doc, {"metadata", "namespace"});
    if (absl::StartsWith(object::GetString(doc, {"apiVersion"}), absl::StrCat(kGroup, "/")) &&
        object::GetString(doc, {"kind"}) == "Kustomization" &&
        object::GetString(doc, {"metadata", "name"}) == name && (doc_ns == ns || doc_ns.empty())) {
      return doc;
    }
  }
  return absl::NotFoundError(absl::StrCat("failed find kustomization with name '", name, "' and namespace '", ns,
                                          "' in file '", file, "'"));
}

// A private copy of `src` under $TMPDIR, removed on destruction.
class TempCopy {
 public:
  ~TempCopy() {
    if (!root_.empty()) {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }
  absl::Status Make(const std::string& src) {
    std::string tmpl = (fs::temp_directory_path() / "fluxcpp-build-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("failed to create temporary directory");
    root_ = tmpl;
    dir_ = (fs::path(root_) / "resources").string();
    std::error_code ec;
    fs::copy(src, dir_, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec) return absl::InternalError(absl::StrCat("failed to copy ", src, ": ", ec.message()));
    return absl::OkStatus();
  }
  const std::string& root() const { return root_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string root_, dir_;
};

// postBuild.substitute (inline) as fluxcd/pkg/kustomize SubstituteVariables
// collects it in dry-run mode.
std::map<std::string, std::string> InlineVariables(const object::Value& ks) {
  std::map<std::string, std::string> vars;
  if (const auto* s = object::Find(ks, {"spec", "postBuild", "substitute"}); s && s->is_object()) {
    for (auto it = s->begin(); it != s->end(); ++it) {
      if (it.value().is_string()) vars[it.key()] = it.value().get<std::string>();
    }
  }
  return envsubst::StripNewlines(std::move(vars));
}

}  // namespace

int RunBuildKustomization(const CommandArgs& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  std::string path, kustomization_file, ns = "flux-system";
  bool dry_run = false, strict = false, in_memory = false, no_remote = false;
  FlagSet flags("fluxcpp build kustomization");
  flags.String("path", &path, "path to the manifests location");
  flags.String("kustomization-file", &kustomization_file, "path to the Flux Kustomization YAML");
  flags.String("namespace", &ns, "namespace");
  flags.String("n", &ns, "namespace");
  flags.Bool("dry-run", &dry_run, "no cluster access");
  flags.Bool("strict-substitute", &strict, "fail on unset variables");
  flags.Bool("in-memory-build", &in_memory, "accepted; fluxcpp always builds in a private copy");
  flags.Bool("no-remote-bases", &no_remote, "refuse remote bases and files");
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::string msg(s.message());
    return Fail(msg.substr(0, msg.find('\n')));
  }
  if (flags.positional().size() != 1) return Fail("name is required");
  const std::string name = flags.positional()[0];
  std::error_code ec;
  if (path.empty() || !fs::is_directory(path, ec)) return Fail(absl::StrCat("invalid resource path '", path, "'"));

  object::Value ks = object::Value::object();
  if (!kustomization_file.empty()) {
    auto read = ReadKustomization(kustomization_file, name, ns);
    if (!read.ok()) return Fail(absl::StrCat("failed to get kustomization object: ", read.status().message()));
    ks = std::move(*read);
  } else {
    ks["apiVersion"] = absl::StrCat(kGroup, "/v1");
    ks["kind"] = "Kustomization";
    ks["metadata"] = {{"name", name}, {"namespace", ns}};
    ks["spec"] = object::Value::object();
  }

  TempCopy copy;
  if (absl::Status s = copy.Make(path); !s.ok()) return Fail(std::string(s.message()));
  // flux build kustomization builds on disk with remote bases allowed.
  HelperFetcher fetcher;
  auto built = kustomize::BuildFluxKustomization(copy.root(), copy.dir(), ks, 
                                                    no_remote ? nullptr : static_cast<kustomize::RemoteFetcher*>(&fetcher));
  if (!built.ok()) return Fail(std::string(built.status().message()));

  if (object::Find(ks, {"spec", "postBuild"}) != nullptr) {
    if (const auto* from = object::Find(ks, {"spec", "postBuild", "substituteFrom"});
        from && from->is_array() && !from->empty()) {
      std::fprintf(stderr, "\u2139 postBuild.substituteFrom needs cluster access: skipped (dry-run)\n");
    }
    const auto vars = InlineVariables(ks);
    const bool always = object::GetString(ks, {"spec", "postBuild", "substituteStrategy"}) == "Always";
    for (object::Value& res : *built) {
      auto out = envsubst::SubstituteResource(res, vars, strict, always);
      if (!out.ok()) {
        return Fail(absl::StrCat("var substitution failed for '", object::GetString(res, {"metadata", "name"}),
                                 "': ", out.status().message()));
      }
      res = std::move(*out);
    }
  }

  const std::string owner_ns = object::GetString(ks, {"metadata", "namespace"});
  for (object::Value& res : *built) {
    object::Value& labels = res["metadata"]["labels"];
    if (!labels.is_object()) labels = object::Value::object();
    labels[absl::StrCat(kGroup, "/name")] = object::GetString(ks, {"metadata", "name"});
    labels[absl::StrCat(kGroup, "/namespace")] = owner_ns;
    if (absl::Status s = MaskSopsData(res); !s.ok()) return Fail(std::string(s.message()));
  }
  const std::string yaml = kustomize::ToYaml(*built);
  std::fwrite(yaml.data(), 1, yaml.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace fluxcpp::cli
