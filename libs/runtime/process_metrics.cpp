#include "libs/runtime/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fluxcpp::runtime {
namespace {

struct ProcStat {
  double utime_ticks = 0, stime_ticks = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  bool ok = false;
};

ProcStat ReadProcStat() {
  ProcStat out;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return out;
  // The command name (field 2) may contain spaces; fields resume after ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  std::string tok;
  while (rest >> tok) f.push_back(tok);
  if (f.size() < 22) return out;
  out.utime_ticks = std::stod(f[11]);   // field 14
  out.stime_ticks = std::stod(f[12]);   // field 15
  out.start_ticks = std::stod(f[19]);   // field 22
  out.vsize = std::stod(f[20]);         // field 23
  out.rss_pages = std::stod(f[21]);     // field 24
  out.ok = true;
  return out;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

int OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the fd of the directory stream itself
}

}  // namespace

void RegisterProcessMetrics(MetricsRegistry& registry) {
  auto cpu = registry.AddCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
                 .WithLabels({});
  auto rss = registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.").WithLabels({});
  auto vsz = registry.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").WithLabels({});
  auto start = registry
                   .AddGauge("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds.")
                   .WithLabels({});
  auto open_fds = registry.AddGauge("process_open_fds", "Number of open file descriptors.").WithLabels({});
  auto max_fds = registry.AddGauge("process_max_fds", "Maximum number of open file descriptors.").WithLabels({});
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const double boot = BootTimeSeconds();
  registry.AddCollectHook([=] {
    ProcStat st = ReadProcStat();
    if (st.ok) {
      cpu->Set((st.utime_ticks + st.stime_ticks) / ticks);
      rss->Set(st.rss_pages * page);
      vsz->Set(st.vsize);
      start->Set(boot + st.start_ticks / ticks);
    }
    open_fds->Set(OpenFds());
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) max_fds->Set(static_cast<double>(lim.rlim_cur));
  });
}

}  // namespace fluxcpp::runtime
