// dev-apiserver: a single-process Kubernetes API server for local runs and
// tests. See README.md.

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/authenticator.h"
#include "tools/dev-apiserver/authorizer.h"
#include "tools/dev-apiserver/certificate_authority.h"
#include "tools/dev-apiserver/garbage_collector.h"
#include "tools/dev-apiserver/kubeconfig.h"
#include "tools/dev-apiserver/object_meta.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/resource_registry.h"
#include "tools/dev-apiserver/store.h"
#include "tools/dev-apiserver/token_request.h"
#include "tools/dev-apiserver/workload_simulator.h"

using namespace fluxcpp;
using namespace fluxcpp::devapiserver;

namespace {

int Fail(const std::string& message) {
  Logger().Error(message);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:6443";
  std::string data_dir;
  std::string kubeconfig_out;
  std::string log_level = "info";
  std::string token;
  Duration watch_timeout = std::chrono::minutes(30);
  bool simulate_workloads = true;
  bool tls = true;
  std::string token_auth_file;
  std::string authorization_mode = "AlwaysAllow";
  std::string tls_dir;
  Duration simulate_delay = std::chrono::seconds(0);
  std::string sa_key_file;
  std::string sa_issuer = kDefaultServiceAccountIssuer;
  std::string api_audiences;
  FlagSet flags("dev-apiserver");
  flags.String("listen", &listen, "HOST:PORT to serve the Kubernetes API on (port 0 picks a free port)");
  flags.String("data-dir", &data_dir, "directory for the write-ahead log; empty keeps everything in memory");
  flags.String("kubeconfig-out", &kubeconfig_out, "write a kubeconfig for this server to this file");
  flags.String("log-level", &log_level, "log verbosity: trace, debug, info, error");
  flags.String("token", &token, "bearer token written to the kubeconfig (random when empty)");
  flags.DurationFlag("max-watch-timeout", &watch_timeout, "longest a watch stream stays open");
  flags.Bool("simulate-workloads", &simulate_workloads,
             "report Deployments, StatefulSets, DaemonSets, Jobs, Pods, PVCs as healthy once applied");
  flags.Bool("tls", &tls,
             "serve HTTPS with a self-signed CA (kept in --tls-dir, default <data-dir>/pki); the kubeconfig "
             "carries the CA, the admin token and an admin client certificate (context dev-cert). On by default; "
             "--tls=false serves plain HTTP");
  flags.String("tls-dir", &tls_dir, "where the CA (ca.crt, ca.key) is kept; default <data-dir>/pki");
  flags.String("token-auth-file", &token_auth_file,
               "CSV of bearer tokens: token,user,uid,\"group1,group2\" (kube's --token-auth-file)");
  flags.String("authorization-mode", &authorization_mode, "AlwaysAllow or RBAC");
  flags.DurationFlag("simulate-delay", &simulate_delay,
                     "how long simulated workloads take to become ready (or to fail)");
  flags.String("service-account-signing-key-file", &sa_key_file,
               "HMAC key for TokenRequest tokens (created when missing); servers sharing it accept each other's "
               "tokens. Default <data-dir>/sa-signing-key, or a random key without --data-dir");
  flags.String("service-account-issuer", &sa_issuer, "iss claim of issued service-account tokens");
  flags.String("api-audiences", &api_audiences,
               "comma-separated audiences a service-account token must name one of (default: the issuer)");
  absl::Status parsed = flags.Parse(argc, argv);
  if (absl::IsCancelled(parsed)) return 0;
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n%s", std::string(parsed.message()).c_str(), flags.Usage().c_str());
    return 2;
  }
  if (!Logger::SetLevel(log_level)) return Fail(absl::StrCat("unknown --log-level ", log_level));

  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port)) {
    return Fail(absl::StrCat("--listen must be HOST:PORT, got ", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  if (authorization_mode != "AlwaysAllow" && authorization_mode != "RBAC") {
    return Fail(absl::StrCat("--authorization-mode must be AlwaysAllow or RBAC, got ", authorization_mode));
  }
  bool rbac = authorization_mode == "RBAC";
  if (token.empty() && !data_dir.empty()) {
    // Reuse the admin token across restarts, so running clients keep working.
    std::FILE* f = std::fopen((data_dir + "/admin-token").c_str(), "r");
    if (f != nullptr) {
      char buf[128] = {0};
      if (std::fgets(buf, sizeof buf, f) != nullptr) token = std::string(absl::StripAsciiWhitespace(buf));
      std::fclose(f);
    }
  }
  if (token.empty()) {
    token = NewUid();
    if (!data_dir.empty()) {
      ::mkdir(data_dir.c_str(), 0755);
      std::FILE* f = std::fopen((data_dir + "/admin-token").c_str(), "w");
      if (f != nullptr) {
        std::fputs(token.c_str(), f);
        std::fclose(f);
      }
    }
  }
  ServiceAccountTokenOptions sa_options;
  if (sa_key_file.empty() && !data_dir.empty()) {
    ::mkdir(data_dir.c_str(), 0755);
    sa_key_file = data_dir + "/sa-signing-key";
  }
  if (!sa_key_file.empty()) {
    auto key = ServiceAccountTokens::LoadOrCreateKey(sa_key_file);
    if (!key.ok()) return Fail(std::string(key.status().message()));
    sa_options.signing_key = *key;
  } else {
    sa_options.signing_key = ServiceAccountTokens::RandomKey();
  }
  sa_options.issuer = sa_issuer;
  for (absl::string_view a : absl::StrSplit(api_audiences, ',', absl::SkipWhitespace())) {
    sa_options.api_audiences.emplace_back(absl::StripAsciiWhitespace(a));
  }
  ServiceAccountTokens sa_tokens(sa_options);
  AuthenticatorOptions auth_options;
  auth_options.service_account_tokens = &sa_tokens;
  auth_options.admin_token = token;
  auth_options.token_auth_file = token_auth_file;
  auth_options.reject_unknown_tokens = rbac;
  auto authenticator = Authenticator::Create(auth_options);
  if (!authenticator.ok()) return Fail(std::string(authenticator.status().message()));

  // Signals are handled on a dedicated thread; block them everywhere else.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Store::Options store_options;
  store_options.data_dir = data_dir;
  auto store = Store::Open(store_options);
  if (!store.ok()) return Fail(absl::StrCat("opening the store: ", store.status().message()));
  if (!data_dir.empty()) {
    Logger().Info("store opened", {{"dataDir", data_dir},
                                   {"records", std::to_string((*store)->ReplayedRecords())},
                                   {"truncatedBytes", std::to_string((*store)->TruncatedBytes())},
                                   {"resourceVersion", std::to_string((*store)->CurrentRv())}});
  }
  ResourceRegistry registry;
  ObjectService service(**store, registry);
  GarbageCollector gc(service);
  service.set_observer(&gc);
  if (absl::Status st = service.Bootstrap(); !st.ok()) return Fail(absl::StrCat("bootstrap: ", st.message()));
  gc.Start();
  WorkloadSimulator simulator(service);
  simulator.set_delay(absl::FromChrono(simulate_delay));
  if (simulate_workloads) simulator.Start();
  AlwaysAllowAuthorizer allow_all;
  RbacAuthorizer rbac_authorizer(**store);

  ApiServerOptions options;
  options.host = host;
  options.port = port;
  options.max_watch_timeout = absl::FromChrono(watch_timeout);
  options.authenticator = authenticator->get();
  options.authorizer = rbac ? static_cast<const Authorizer*>(&rbac_authorizer) : &allow_all;
  options.rbac = rbac;
  options.service_account_tokens = &sa_tokens;
  KubeconfigOptions kubeconfig{"", token, ""};
  if (tls) {
    if (tls_dir.empty() && !data_dir.empty()) tls_dir = data_dir + "/pki";
    auto ca = CertificateAuthority::LoadOrCreate(tls_dir);
    if (!ca.ok()) return Fail(absl::StrCat("TLS: ", ca.status().message()));
    std::vector<std::string> hosts = {"localhost", "127.0.0.1", "::1"};
    if (host != "0.0.0.0" && host != "::" && host != "localhost" && host != "127.0.0.1") hosts.push_back(host);
    auto serving = ca->IssueServing(hosts);
    if (!serving.ok()) return Fail(absl::StrCat("TLS: ", serving.status().message()));
    auto client = ca->IssueClient("admin", {kSystemMasters});
    if (!client.ok()) return Fail(absl::StrCat("TLS: ", client.status().message()));
    options.tls_cert_pem = serving->cert_pem;
    options.tls_key_pem = serving->key_pem;
    options.client_ca_pem = ca->ca_pem();
    kubeconfig.ca_pem = ca->ca_pem();
    kubeconfig.client_cert_pem = client->cert_pem;
    kubeconfig.client_key_pem = client->key_pem;
  }
  ApiServer server(options, service);
  auto bound = server.Bind();
  if (!bound.ok()) return Fail(std::string(bound.status().message()));
  std::string connect_host = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  if (connect_host.find(':') != std::string::npos) connect_host = "[" + connect_host + "]";
  std::string url = absl::StrCat(tls ? "https://" : "http://", connect_host, ":", *bound);
  kubeconfig.server = url;
  if (!kubeconfig_out.empty()) {
    if (absl::Status st = WriteKubeconfig(kubeconfig_out, kubeconfig); !st.ok()) {
      return Fail(std::string(st.message()));
    }
  }
  std::thread signal_thread([&server, signals]() {
    int sig = 0;
    sigwait(&signals, &sig);
    Logger().Info("shutting down", {{"signal", std::to_string(sig)}});
    server.Stop();
  });
  signal_thread.detach();
  Logger().Info("serving", {{"url", url}, {"kubeconfig", kubeconfig_out}, {"authorizationMode", authorization_mode}});
  absl::Status served = server.Serve();
  simulator.Stop();
  gc.Stop();
  if (!served.ok()) return Fail(std::string(served.message()));
  Logger().Info("stopped");
  // Every acknowledged write is already fsynced; connection threads that
  // outlived the shutdown grace period must not see the store destroyed.
  std::_Exit(0);
}
