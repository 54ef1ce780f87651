#include "tools/dev-apiserver/kubeconfig.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::devapiserver {

std::string RenderKubeconfig(const KubeconfigOptions& o) {
  std::string cluster = absl::StrCat("    server: ", o.server, "\n");
  if (!o.ca_pem.empty()) {
    absl::StrAppend(&cluster, "    certificate-authority-data: ", absl::Base64Escape(o.ca_pem), "\n");
  }
  std::string cert_user, cert_context;
  if (!o.client_cert_pem.empty()) {
    cert_user = absl::StrCat("- name: admin-cert\n  user:\n    client-certificate-data: ",
                             absl::Base64Escape(o.client_cert_pem), "\n    client-key-data: ",
                             absl::Base64Escape(o.client_key_pem), "\n");
    cert_context = "- name: dev-cert\n  context:\n    cluster: dev\n    user: admin-cert\n    namespace: default\n";
  }
  return absl::StrCat(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: dev\n"
      "  cluster:\n",
      cluster,
      "users:\n"
      "- name: admin\n"
      "  user:\n"
      "    token: ",
      o.token,
      "\n",
      cert_user,
      "contexts:\n"
      "- name: dev\n"
      "  context:\n"
      "    cluster: dev\n"
      "    user: admin\n"
      "    namespace: default\n",
      cert_context,
      "current-context: dev\n"
      "preferences: {}\n");
}

absl::Status WriteKubeconfig(const std::string& path, const KubeconfigOptions& options) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
    out << RenderKubeconfig(options);
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::devapiserver
