#pragma once
// A subcommand of the fluxcpp CLI: gets the arguments after its own name
// (e.g. for `fluxcpp kustomize build DIR`, {"DIR"}), writes its result to
// stdout and its errors to stderr as "Error: <message>\n", and returns the
// process exit code (0 ok, 1 error).

#include <string>
#include <vector>

namespace fluxcpp::cli {

using CommandArgs = std::vector<std::string>;

// Prints "Error: <message>" to stderr and returns 1.
int ReportError(const std::string& message);

}  // namespace fluxcpp::cli
