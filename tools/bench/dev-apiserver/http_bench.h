#pragma once
// The dev-apiserver benchmark over real HTTP: starts a dev-apiserver process
// (plain HTTP, durable --data-dir, simulator off) and drives it with
// keep-alive cpp-httplib clients, as kubectl and the controllers do.
// Measures writes/s (POST of small ConfigMaps from `writers` connections),
// LIST of 10,000 objects (whole response received and parsed), and watch
// fan-out (`watchers` open watch streams, p99 from a create's start to the
// event line arriving on every stream). Prints one line per measurement.

#include <string>

namespace fluxcpp::devapiserver::bench {

struct HttpBenchOptions {
  std::string server_binary;  // path of dev-apiserver
  std::string dir;            // scratch directory (data dir, kubeconfig)
  int objects = 20000;
  int writers = 16;
  int watchers = 500;
  int events = 200;
};

// 0 on success; prints the failure and returns 1 otherwise.
int RunHttpBench(const HttpBenchOptions& options);

}  // namespace fluxcpp::devapiserver::bench
