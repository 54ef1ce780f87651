#pragma once
// Git's wildmatch: shell-glob matching as used by .gitignore.
//   *  any run of characters (not '/' with kPathname)
//   ?  one character (not '/' with kPathname)
//   ** with kPathname, spans directories when it forms a whole component
//   [...] classes with ranges, '!'/'^' negation and [:alpha:]-style classes
//   \x the literal x

#include <string_view>

namespace fluxcpp::artifact {

enum WildmatchFlags : unsigned {
  kWildmatchNone = 0,
  kWildmatchPathname = 1,  // '/' is only matched by a literal '/' or "**"
};

// Pure function; thread-safe.
bool Wildmatch(std::string_view pattern, std::string_view text, unsigned flags);

}  // namespace fluxcpp::artifact
