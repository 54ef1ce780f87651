// fluxcpp: the command-line tool of fluxcpp. Subcommands:
//   fluxcpp kustomize build DIR ...      (kubectl kustomize DIR)
//   fluxcpp build kustomization NAME ... (flux build kustomization)
//   fluxcpp version
#include <cstdio>
#include <string>
#include <vector>

#include "tools/fluxcpp/build_kustomization_command.h"
#include "tools/fluxcpp/command.h"
#include "tools/fluxcpp/kustomize_build_command.h"
#include "tools/fluxcpp/version.h"

namespace fluxcpp::cli {

namespace {

constexpr char kHelp[] =
    "fluxcpp: a C++ reimplementation of the Flux CD command-line tools.\n"
    "\n"
    "Usage:\n"
    "  fluxcpp [command]\n"
    "\n"
    "Available Commands:\n"
    "  build kustomization NAME --path DIR   build a Flux Kustomization locally (flux build kustomization)\n"
    "  kustomize build [DIR]                 build a kustomization directory (kubectl kustomize)\n"
    "  version                               print the version\n"
    "  help                                  this help\n"
    "\n"
    "Use \"fluxcpp [command] --help\" for more information about a command.\n";

int Main(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string& cmd = args[0];
  if (cmd == "version" || cmd == "--version") {
    std::printf("fluxcpp: v%s (flux %s, kustomize %s)\n", kFluxcppVersion, kFluxCompatVersion,
                kKustomizeCompatVersion);
    return 0;
  }
  const CommandArgs rest(args.begin() + (args.size() > 1 ? 2 : 1), args.end());
  const std::string sub = args.size() > 1 ? args[1] : "";
  if (cmd == "kustomize") {
    if (sub == "build") return RunKustomizeBuild(rest);
    if (sub.empty() || sub == "--help" || sub == "-h") {
      std::fputs("Usage:\n  fluxcpp kustomize build [DIR] [flags]\n", stdout);
      return 0;
    }
    return ReportError("unknown command \"" + sub + "\" for \"fluxcpp kustomize\"");
  }
  if (cmd == "build") {
    if (sub == "kustomization" || sub == "ks") return RunBuildKustomization(rest);
    if (sub.empty() || sub == "--help" || sub == "-h") {
      std::fputs("Usage:\n  fluxcpp build kustomization NAME --path DIR [flags]\n", stdout);
      return 0;
    }
    return ReportError("unknown command \"" + sub + "\" for \"fluxcpp build\"");
  }
  return ReportError("unknown command \"" + cmd + "\" for \"fluxcpp\"\nRun 'fluxcpp --help' for usage.");
}

}  // namespace
}  // namespace fluxcpp::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fluxcpp::cli::Main(args);
}
