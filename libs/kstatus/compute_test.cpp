#include "libs/kstatus/compute.h"

#include <catch2/catch.hpp>

#include "libs/kstatus/field_util.h"
#include "libs/object/yaml.h"

namespace ks = fluxcpp::kstatus;
using fluxcpp::object::Value;

namespace {

Value Yaml(const char* text) {
  auto v = fluxcpp::object::ParseYaml(text);
  REQUIRE(v.ok());
  return *v;
}

ks::Result MustCompute(const Value& obj, absl::Time now = absl::Now()) {
  auto r = ks::Compute(obj, now);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("deletionTimestamp wins over everything") {
  auto r = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, generation: 2, deletionTimestamp: "2024-01-01T00:00:00Z"}
status: {observedGeneration: 1}
)"));
  CHECK(r.status == ks::Status::kTerminating);
  CHECK(r.message == "Resource scheduled for deletion");
  CHECK(r.conditions.empty());
}

TEST_CASE("generation not observed") {
  auto r = MustCompute(Yaml(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: a, generation: 3}
status: {observedGeneration: 2}
)"));
  CHECK(r.status == ks::Status::kInProgress);
  CHECK(r.message == "Widget generation is 3, but latest observed generation is 2");
  REQUIRE(r.conditions.size() == 1);
  CHECK(r.conditions[0] ==
        ks::Condition{"Reconciling", "True", "LatestGenerationNotObserved", r.message});
}

TEST_CASE("standard conditions on custom resources") {
  auto reconciling = MustCompute(Yaml(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: a}
status:
  conditions:
  - {type: Ready, status: "True"}
  - {type: Reconciling, status: "True", reason: Progressing, message: working}
)"));
  CHECK(reconciling.status == ks::Status::kInProgress);
  CHECK(reconciling.message == "working");

  auto stalled = MustCompute(Yaml(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: a}
status:
  conditions:
  - {type: Stalled, status: "True", reason: Broken, message: it broke}
)"));
  CHECK(stalled.status == ks::Status::kFailed);
  CHECK(stalled.message == "it broke");
  REQUIRE(stalled.conditions.size() == 1);
  CHECK(stalled.conditions[0].type == "Stalled");
  CHECK(stalled.conditions[0].reason == "Broken");
}

TEST_CASE("Ready condition of unknown kinds") {
  auto ready = MustCompute(Yaml(R"(
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: a, generation: 1}
status: {observedGeneration: 1, conditions: [{type: Ready, status: "True", reason: Succeeded}]}
)"));
  CHECK(ready.status == ks::Status::kCurrent);
  CHECK(ready.message == "Resource is Ready");

  auto not_ready = MustCompute(Yaml(R"(
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: a}
status: {conditions: [{type: Ready, status: "False", reason: GitOperationFailed, message: auth failed}]}
)"));
  CHECK(not_ready.status == ks::Status::kInProgress);
  CHECK(not_ready.message == "auth failed");
  CHECK(not_ready.conditions.at(0).reason == "GitOperationFailed");

  auto unknown = MustCompute(Yaml(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: a}
status: {conditions: [{type: Ready, status: "Unknown", reason: Progressing}]}
)"));
  CHECK(unknown.status == ks::Status::kInProgress);

  auto none = MustCompute(Yaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"));
  CHECK(none.status == ks::Status::kCurrent);
  CHECK(none.message == "Resource is current");
}

TEST_CASE("always-ready kinds") {
  for (const char* doc : {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
                          "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"}) {
    auto r = MustCompute(Yaml(doc));
    CHECK(r.status == ks::Status::kCurrent);
    CHECK(r.message == "Resource is always ready");
  }
}

TEST_CASE("Deployment rules and messages") {
  auto progressing = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1}
)"));
  CHECK(progressing.status == ks::Status::kInProgress);
  CHECK(progressing.message == "Available: 1/3");
  CHECK(progressing.conditions.at(0).reason == "LessAvailable");

  auto too_few = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 3}
status: {replicas: 1}
)"));
  CHECK(too_few.message == "Replicas: 1/3");

  auto deadline = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 1, progressDeadlineSeconds: 60}
status:
  replicas: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: too slow}
)"));
  CHECK(deadline.status == ks::Status::kFailed);
  CHECK(deadline.message == "Progress deadline exceeded");
  CHECK(deadline.conditions.at(0) ==
        ks::Condition{"Stalled", "True", "ProgressDeadlineExceeded", "too slow"});

  auto extra = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 1}
status: {replicas: 3, updatedReplicas: 1}
)"));
  CHECK(extra.message == "Pending termination: 2");

  auto current = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 3}
status:
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3
  conditions: [{type: Available, status: "True"}]
)"));
  CHECK(current.status == ks::Status::kCurrent);
  CHECK(current.message == "Deployment is available. Replicas: 3");

  auto not_available = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {replicas: 1}
status: {replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1}
)"));
  CHECK(not_available.message == "Deployment not Available");

  auto extensions = MustCompute(Yaml(R"(
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: d}
status: {replicas: 0}
)"));
  CHECK(extensions.message == "Replicas: 0/1");
}

TEST_CASE("StatefulSet rules") {
  auto on_delete = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {updateStrategy: {type: OnDelete}}
)"));
  CHECK(on_delete.status == ks::Status::kCurrent);
  CHECK(on_delete.message == "StatefulSet is using the ondelete update strategy");

  auto partition = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {replicas: 4, updateStrategy: {rollingUpdate: {partition: 2}}}
status: {replicas: 4, readyReplicas: 4, updatedReplicas: 1}
)"));
  CHECK(partition.message == "updated: 1/2");
  CHECK(partition.conditions.at(0).reason == "PartitionRollout");

  auto revision = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {replicas: 1}
status: {replicas: 1, readyReplicas: 1, currentReplicas: 1, currentRevision: a, updateRevision: b}
)"));
  CHECK(revision.message == "Waiting for updated revision to match current");
}

TEST_CASE("DaemonSet requires generation fields") {
  auto r = MustCompute(Yaml("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\n"));
  CHECK(r.status == ks::Status::kInProgress);
  CHECK(r.message == "DaemonSet metadata.generation not found");
  CHECK(r.conditions.at(0).reason == "NoGeneration");

  auto ok = MustCompute(Yaml(R"(
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, generation: 1}
status: {observedGeneration: 1, desiredNumberScheduled: 2, currentNumberScheduled: 2,
         updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 2}
)"));
  CHECK(ok.status == ks::Status::kCurrent);
  CHECK(ok.message == "All replicas scheduled as expected. Replicas: 2");
}

TEST_CASE("Pod rules") {
  auto crash = MustCompute(Yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  phase: Running
  containerStatuses:
  - {name: app, state: {waiting: {reason: CrashLoopBackOff}}}
  - {name: side, state: {running: {}}}
  - {name: other, state: {waiting: {reason: CrashLoopBackOff}}}
)"));
  CHECK(crash.status == ks::Status::kFailed);
  CHECK(crash.message == "Containers in CrashLoop state: app,other");

  absl::Time created;
  std::string err;
  REQUIRE(absl::ParseTime(absl::RFC3339_full, "2025-01-01T00:00:00Z", &created, &err));
  Value pending = Yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, creationTimestamp: "2025-01-01T00:00:00Z"}
status:
  phase: Pending
  conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]
)");
  CHECK(MustCompute(pending, created + absl::Seconds(14)).status == ks::Status::kInProgress);
  auto late = MustCompute(pending, created + absl::Seconds(16));
  CHECK(late.status == ks::Status::kFailed);
  CHECK(late.message == "Pod could not be scheduled");

  auto unknown_phase = ks::Compute(
      Yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Unknown}\n"));
  REQUIRE_FALSE(unknown_phase.ok());
  CHECK(unknown_phase.status().message() == "unknown phase Unknown");
}

TEST_CASE("PVC, Service, PDB, Job and CRD rules") {
  CHECK(MustCompute(Yaml("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: "
                         "c}\nstatus: {phase: Pending}\n"))
            .message == "PVC is not Bound. phase: Pending");
  CHECK(
      MustCompute(
          Yaml("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer}\n"))
          .message == "ClusterIP not set. Service type: LoadBalancer");
  CHECK(MustCompute(Yaml("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")).message ==
        "Service is ready");
  CHECK(MustCompute(Yaml("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"))
            .message == "AllowedDisruptions has been computed.");

  auto job_running = MustCompute(Yaml(R"(
apiVersion: batch/v1
kind: Job
metadata: {name: j}
status: {startTime: "2025-01-01T00:00:00Z", active: 1}
)"));
  // kstatus' own Job rule: a started Job is Current (Flux overrides this, see flux_job.h).
  CHECK(job_running.status == ks::Status::kCurrent);
  CHECK(job_running.message == "Job in progress. success:0, active: 1, failed: 0");

  auto crd = MustCompute(Yaml(R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
status:
  conditions:
  - {type: NamesAccepted, status: "False", reason: MultipleNamesNotAllowed, message: clash}
)"));
  CHECK(crd.status == ks::Status::kFailed);
  CHECK(crd.message == "clash");
  CHECK(crd.conditions.at(0).reason == "MultipleNamesNotAllowed");
}

TEST_CASE("malformed fields are errors as upstream") {
  auto bad_generation =
      ks::Compute(Yaml("apiVersion: v1\nkind: Widget\nmetadata: {name: a, generation: \"1\"}\n"));
  REQUIRE_FALSE(bad_generation.ok());
  CHECK(bad_generation.status().message() ==
        "looking up metadata.generation from resource: .metadata.generation accessor error: 1 is "
        "of the type "
        "string, expected int64");

  auto bad_conditions = ks::Compute(
      Yaml("apiVersion: v1\nkind: Widget\nmetadata: {name: a}\nstatus: {conditions: x}\n"));
  CHECK_FALSE(bad_conditions.ok());

  // A float observedGeneration cannot be compared: error, like NestedInt64.
  auto float_gen =
      ks::Compute(Yaml("apiVersion: v1\nkind: Widget\nmetadata: {name: a, generation: 1}\nstatus: "
                       "{observedGeneration: 1.5}\n"));
  CHECK_FALSE(float_gen.ok());

  // A null status is "not found" for the generation check.
  auto null_status = ks::Compute(
      Yaml("apiVersion: v1\nkind: Widget\nmetadata: {name: a, generation: 1}\nstatus:\n"));
  REQUIRE(null_status.ok());
  CHECK(null_status->status == ks::Status::kCurrent);
}

TEST_CASE("Augment adds and updates standard conditions") {
  absl::Time now = absl::FromUnixSeconds(1735689600);  // 2025-01-01T00:00:00Z
  Value obj = Yaml(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: a, generation: 2}
status:
  observedGeneration: 1
  conditions:
  - {type: Reconciling, status: "False", reason: Old}
)");
  REQUIRE(ks::Augment(obj, now).ok());
  const Value& conds = obj["status"]["conditions"];
  REQUIRE(conds.size() == 1);
  CHECK(conds[0]["status"] == "True");
  CHECK(conds[0]["reason"] == "LatestGenerationNotObserved");
  CHECK(conds[0]["lastTransitionTime"] == "2025-01-01T00:00:00Z");
  CHECK(conds[0]["lastUpdateTime"] == "2025-01-01T00:00:00Z");
}

TEST_CASE("field helpers") {
  Value obj = Yaml("a: {b: 3, f: 1.5, s: str}\napiVersion: apps/v1\n");
  CHECK(ks::GetIntField(obj, ".a.b", -1) == 3);
  CHECK(ks::GetIntField(obj, "a.b", -1) == 3);
  CHECK(ks::GetIntField(obj, ".a.f", -1) == -1);
  CHECK(ks::GetIntField(obj, ".a.s.x", -1) == -1);
  CHECK(ks::GetStringField(obj, ".a.s", "d") == "str");
  CHECK(ks::GetStringField(obj, ".a.b", "d") == "d");
  CHECK(ks::GroupOf(obj) == "apps");
}
