// notification-controller (first cut): receives events from the other
// controllers over gRPC EventService and Flux's HTTP JSON, and logs them.

#include <cstdio>

#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/options.h"
#include "services/notification-controller/event_intake.h"

using namespace fluxcpp;

int main(int argc, char** argv) {
  FlagSet flags("notification-controller");
  runtime::ManagerOptions manager_options;
  manager_options.events_addr = ":9090";  // here: where events are received
  runtime::RegisterCommonFlags(flags, manager_options);
  std::string grpc_addr = ":9091";
  std::string receiver_addr = ":9292";
  Duration rate_limit_interval = std::chrono::minutes(5);
  flags.String("grpc-addr", &grpc_addr, "The address the gRPC EventService binds to (empty disables it).");
  flags.String("receiverAddr", &receiver_addr, "The address the webhook receiver endpoint binds to.");
  flags.DurationFlag("rate-limit-interval", &rate_limit_interval, "Interval in which rate limit has effect.");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    if (s.code() == absl::StatusCode::kCancelled) return 0;
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  Logger log({{"logger", "setup"}});
  if (absl::Status s = runtime::FinalizeOptions(manager_options); !s.ok()) {
    log.Error("invalid flags", {{"error", std::string(s.message())}});
    return 2;
  }
  manager_options.leader_election_id = runtime::LeaderElectionId("notification-controller", manager_options.watch_label_selector);
  auto manager = runtime::Manager::Create(manager_options);
  if (!manager.ok()) {
    log.Error("unable to create manager", {{"error", std::string(manager.status().message())}});
    return 1;
  }
  notification::EventIntake intake(Logger({{"controller", "event-server"}}));
  if (absl::Status s = intake.Start(grpc_addr, manager_options.events_addr); !s.ok()) {
    log.Error("unable to start the event server", {{"error", std::string(s.message())}});
    return 1;
  }
  log.Info("event server started", {{"grpc", grpc_addr}, {"http", manager_options.events_addr}});
  absl::Status run = (*manager)->Run();
  intake.Stop();
  if (!run.ok()) {
    log.Error("manager exited with an error", {{"error", std::string(run.message())}});
    return 1;
  }
  return 0;
}
