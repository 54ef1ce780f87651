#include "tools/fluxcpp/command.h"

#include <cstdio>

namespace fluxcpp::cli {

int ReportError(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

}  // namespace fluxcpp::cli
