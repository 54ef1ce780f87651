#include "libs/kube/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/status_macros.h"
#include "libs/kube/exec_credential.h"
#include "libs/kube/string_view_compat.h"
#include "libs/object/yaml.h"

namespace fluxcpp::kube {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(ToAbsl(what), ": cannot read \"", path, "\""));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::string> DecodeBase64(const object::Value& value, std::string_view what) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return absl::ascii_isspace(c); }),
             text.end());
  std::string out;
  if (!absl::Base64Unescape(text, &out)) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig: ", ToAbsl(what), " is not valid base64"));
  }
  return out;
}

// The kubeconfig maps (clusters, users, contexts) by name, merged from one or
// more files: the first file to define a name wins, as in kubectl.
struct Kubeconfig {
  std::map<std::string, object::Value> clusters;
  std::map<std::string, object::Value> users;
  std::map<std::string, object::Value> contexts;
  std::string current_context;
};

void ResolvePath(object::Value& obj, const char* key, const std::string& base_dir) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return;
  std::string path = it->get<std::string>();
  if (path.empty() || base_dir.empty() || fs::path(path).is_absolute()) return;
  *it = (fs::path(base_dir) / path).lexically_normal().string();
}

void MergeNamed(const object::Value& doc, const char* list_key, const char* item_key, const std::string& base_dir,
                std::map<std::string, object::Value>& into) {
  const object::Value* list = object::Find(doc, {list_key});
  if (list == nullptr || !list->is_array()) return;
  for (const auto& entry : *list) {
    std::string name = object::GetString(entry, {"name"});
    if (name.empty() || into.count(name) > 0) continue;
    object::Value item = object::Value::object();
    if (const object::Value* inner = object::Find(entry, {item_key}); inner != nullptr && inner->is_object()) {
      item = *inner;
    }
    if (std::string_view(item_key) == "cluster") {
      ResolvePath(item, "certificate-authority", base_dir);
    } else if (std::string_view(item_key) == "user") {
      ResolvePath(item, "client-certificate", base_dir);
      ResolvePath(item, "client-key", base_dir);
      ResolvePath(item, "tokenFile", base_dir);
      // A command with a path separator is relative to the kubeconfig; a
      // bare name ("aws") is looked up on PATH.
      if (object::Value* exec = object::FindMutable(item, {"exec"}); exec != nullptr && exec->is_object()) {
        std::string command = object::GetString(*exec, {"command"});
        if (command.find('/') != std::string::npos) ResolvePath(*exec, "command", base_dir);
      }
    }
    into.emplace(std::move(name), std::move(item));
  }
}

absl::Status MergeDocument(std::string_view yaml_text, const std::string& base_dir, std::string_view origin,
                           Kubeconfig& into) {
  auto doc = object::ParseYaml(yaml_text);
  if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(origin), ": ", doc.status().message()));
  if (doc->is_null()) return absl::OkStatus();  // an empty file
  if (!doc->is_object()) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(origin), ": not a kubeconfig mapping"));
  MergeNamed(*doc, "clusters", "cluster", base_dir, into.clusters);
  MergeNamed(*doc, "users", "user", base_dir, into.users);
  MergeNamed(*doc, "contexts", "context", base_dir, into.contexts);
  if (into.current_context.empty()) into.current_context = object::GetString(*doc, {"current-context"});
  return absl::OkStatus();
}

absl::Status MergeFile(const std::string& path, Kubeconfig& into) {
  FLUX_ASSIGN_OR_RETURN(std::string text, ReadFile(path, "kubeconfig"));
  std::string dir = fs::absolute(fs::path(path)).parent_path().string();
  return MergeDocument(text, dir, path, into);
}

// PEM text from "<key>-data" (base64) or "<key>" (a file).
absl::StatusOr<std::string> PemFrom(const object::Value& obj, const std::string& key) {
  if (const object::Value* data = object::Find(obj, {key + "-data"}); data != nullptr && data->is_string() &&
                                                                       !data->get<std::string>().empty()) {
    return DecodeBase64(*data, key + "-data");
  }
  std::string file = object::GetString(obj, {key});
  if (!file.empty()) return ReadFile(file, absl::StrCat("kubeconfig ", key));
  return std::string();
}

absl::StatusOr<Config> Build(const Kubeconfig& kc, const LoadOptions& options) {
  std::string context_name = options.context.empty() ? kc.current_context : options.context;
  if (context_name.empty()) {
    return absl::FailedPreconditionError("kubeconfig: no current-context is set and no context was chosen");
  }
  auto ctx_it = kc.contexts.find(context_name);
  if (ctx_it == kc.contexts.end()) {
    return absl::NotFoundError(absl::StrCat("kubeconfig: context \"", context_name, "\" not found"));
  }
  const object::Value& ctx = ctx_it->second;
  std::string cluster_name = object::GetString(ctx, {"cluster"});
  auto cluster_it = kc.clusters.find(cluster_name);
  if (cluster_it == kc.clusters.end()) {
    return absl::NotFoundError(absl::StrCat("kubeconfig: cluster \"", cluster_name, "\" of context \"",
                                            context_name, "\" not found"));
  }
  const object::Value& cluster = cluster_it->second;

  Config config;
  config.default_namespace = object::GetString(ctx, {"namespace"});
  config.server = object::GetString(cluster, {"server"});
  if (config.server.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig: cluster \"", cluster_name, "\" has no server"));
  }
  config.insecure_skip_tls_verify = object::GetBool(cluster, {"insecure-skip-tls-verify"});
  FLUX_ASSIGN_OR_RETURN(config.ca_pem, PemFrom(cluster, "certificate-authority"));

  std::string user_name = object::GetString(ctx, {"user"});
  if (user_name.empty()) return config;  // anonymous
  auto user_it = kc.users.find(user_name);
  if (user_it == kc.users.end()) {
    return absl::NotFoundError(
        absl::StrCat("kubeconfig: user \"", user_name, "\" of context \"", context_name, "\" not found"));
  }
  const object::Value& user = user_it->second;
  FLUX_ASSIGN_OR_RETURN(config.client_cert_pem, PemFrom(user, "client-certificate"));
  FLUX_ASSIGN_OR_RETURN(config.client_key_pem, PemFrom(user, "client-key"));
  config.bearer_token = object::GetString(user, {"token"});
  if (config.bearer_token.empty()) {
    std::string token_file = object::GetString(user, {"tokenFile"});
    if (!token_file.empty()) {
      FLUX_ASSIGN_OR_RETURN(std::string token, ReadFile(token_file, "kubeconfig tokenFile"));
      config.bearer_token = std::string(absl::StripAsciiWhitespace(token));
      config.bearer_token_file = token_file;
    }
  }
  config.username = object::GetString(user, {"username"});
  config.password = object::GetString(user, {"password"});
  // kubectl's --as / --as-group, stored in the kubeconfig user.
  config.impersonate_user = object::GetString(user, {"as"});
  if (const object::Value* groups = object::Find(user, {"as-groups"}); groups && groups->is_array()) {
    for (const auto& g : *groups) {
      if (g.is_string()) config.impersonate_groups.push_back(g.get<std::string>());
    }
  }

  if (const object::Value* exec = object::Find(user, {"exec"}); exec != nullptr && exec->is_object()) {
    if (!options.allow_exec) {
      return absl::PermissionDeniedError(absl::StrCat(
          "kubeconfig user \"", user_name,
          "\" uses an exec credential plugin: exec plugins are disabled; use --insecure-kubeconfig-exec to allow "
          "them"));
    }
    // A static credential takes precedence over the plugin, as in client-go.
    if (config.bearer_token.empty() && config.client_cert_pem.empty()) {
      // spec.cluster of the exec info (sent with provideClusterInfo: true).
      object::Value exec_cluster = {{"server", config.server}};
      if (!config.ca_pem.empty()) exec_cluster["certificate-authority-data"] = absl::Base64Escape(config.ca_pem);
      if (config.insecure_skip_tls_verify) exec_cluster["insecure-skip-tls-verify"] = true;
      for (const char* key : {"tls-server-name", "proxy-url"}) {
        if (std::string v = object::GetString(cluster, {key}); !v.empty()) exec_cluster[key] = v;
      }
      if (const object::Value* exts = object::Find(cluster, {"extensions"}); exts != nullptr && exts->is_array()) {
        for (const auto& ext : *exts) {
          if (object::GetString(ext, {"name"}) == "client.authentication.k8s.io/exec") {
            if (const object::Value* ext_config = object::Find(ext, {"extension"})) exec_cluster["config"] = *ext_config;
          }
        }
      }
      auto source = std::make_shared<ExecCredentialSource>(*exec, std::move(exec_cluster), user_name);
      // Run once now, so that a broken plugin fails loading.
      FLUX_ASSIGN_OR_RETURN(ExecCredential cred, source->Get());
      config.bearer_token = cred.token;
      config.client_cert_pem = cred.client_certificate_pem;
      config.client_key_pem = cred.client_key_pem;
      config.exec_credentials = std::move(source);
    }
  }
  if (const object::Value* provider = object::Find(user, {"auth-provider"}); provider != nullptr &&
                                                                             provider->is_object()) {
    if (!options.allow_exec) {
      return absl::PermissionDeniedError(absl::StrCat(
          "kubeconfig user \"", user_name,
          "\" uses an auth-provider plugin: auth-provider plugins are disabled; use --insecure-kubeconfig-exec to "
          "allow them"));
    }
    if (config.bearer_token.empty()) {
      std::string token = object::GetString(*provider, {"config", "id-token"});
      if (token.empty()) token = object::GetString(*provider, {"config", "access-token"});
      if (token.empty()) {
        return absl::UnimplementedError(absl::StrCat("kubeconfig user \"", user_name, "\": auth-provider \"",
                                                     object::GetString(*provider, {"name"}),
                                                     "\" is not supported; use a token or an exec plugin"));
      }
      config.bearer_token = token;
    }
  }
  return config;
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

absl::StatusOr<Config> ParseKubeconfig(std::string_view yaml_text, const LoadOptions& options) {
  Kubeconfig kc;
  FLUX_RETURN_IF_ERROR(MergeDocument(yaml_text, options.base_dir, "kubeconfig", kc));
  return Build(kc, options);
}

absl::StatusOr<Config> InClusterConfig(const std::string& service_account_dir) {
  std::string host = Getenv("KUBERNETES_SERVICE_HOST");
  std::string port = Getenv("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return absl::FailedPreconditionError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  Config config;
  config.server = host.find(':') != std::string::npos ? absl::StrCat("https://[", host, "]:", port)
                                                      : absl::StrCat("https://", host, ":", port);
  std::string token_file = service_account_dir + "/token";
  FLUX_ASSIGN_OR_RETURN(std::string token, ReadFile(token_file, "in-cluster service account token"));
  config.bearer_token = std::string(absl::StripAsciiWhitespace(token));
  config.bearer_token_file = token_file;
  if (auto ca = ReadFile(service_account_dir + "/ca.crt", "in-cluster CA"); ca.ok()) config.ca_pem = *ca;
  if (auto ns = ReadFile(service_account_dir + "/namespace", "in-cluster namespace"); ns.ok()) {
    config.default_namespace = std::string(absl::StripAsciiWhitespace(*ns));
  }
  return config;
}

absl::StatusOr<Config> LoadConfig(const LoadOptions& options) {
  Kubeconfig kc;
  if (!options.kubeconfig_path.empty()) {
    FLUX_RETURN_IF_ERROR(MergeFile(options.kubeconfig_path, kc));
    return Build(kc, options);
  }
  std::string env = Getenv("KUBECONFIG");
  if (!env.empty()) {
    bool any = false;
    for (absl::string_view part : absl::StrSplit(env, ':', absl::SkipEmpty())) {
      std::string path(part);
      if (!FileExists(path)) continue;  // kubectl skips missing entries
      FLUX_RETURN_IF_ERROR(MergeFile(path, kc));
      any = true;
    }
    if (any) return Build(kc, options);
  }
  if (!Getenv("KUBERNETES_SERVICE_HOST").empty() && !Getenv("KUBERNETES_SERVICE_PORT").empty()) {
    return InClusterConfig();
  }
  std::string home = Getenv("HOME");
  if (!home.empty() && FileExists(home + "/.kube/config")) {
    FLUX_RETURN_IF_ERROR(MergeFile(home + "/.kube/config", kc));
    return Build(kc, options);
  }
  return absl::FailedPreconditionError(
      "no Kubernetes configuration found: use --kubeconfig, set KUBECONFIG, run in a cluster or create "
      "~/.kube/config");
}

}  // namespace fluxcpp::kube
