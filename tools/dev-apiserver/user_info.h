#pragma once
// Who a request acts as, after authentication and impersonation
// (k8s.io/apiserver's user.Info).

#include <string>
#include <vector>

namespace fluxcpp::devapiserver {

inline constexpr char kSystemMasters[] = "system:masters";
inline constexpr char kSystemAuthenticated[] = "system:authenticated";
inline constexpr char kSystemUnauthenticated[] = "system:unauthenticated";
inline constexpr char kAnonymousUser[] = "system:anonymous";

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;

  bool InGroup(const std::string& group) const {
    for (const std::string& g : groups) {
      if (g == group) return true;
    }
    return false;
  }
};

// The user a trusted in-process caller (or AlwaysAllow without credentials) acts as.
inline UserInfo AnonymousUser() { return {kAnonymousUser, "", {kSystemUnauthenticated}}; }

}  // namespace fluxcpp::devapiserver
