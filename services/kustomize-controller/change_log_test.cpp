#include "services/kustomize-controller/change_log.h"

#include <catch2/catch.hpp>

using namespace fluxcpp;
using namespace fluxcpp::kustomize_controller;

TEST_CASE("change-set log output: flat by default, grouped per action with GroupChangeLog",
          "[unit]") {
  ssa::ChangeSet set;
  set.entries = {{ssa::ObjectRef{"apps", "web", "apps", "Deployment", "v1"}, ssa::Action::kCreated},
                 {ssa::ObjectRef{"apps", "web", "", "Service", "v1"}, ssa::Action::kUnchanged},
                 {ssa::ObjectRef{"", "apps", "", "Namespace", "v1"}, ssa::Action::kUnchanged},
                 {ssa::ObjectRef{"apps", "cfg", "", "ConfigMap", "v1"}, ssa::Action::kSkipped}};
  CHECK(
      ChangeSetLogOutput(set, false) ==
      R"({"Deployment/apps/web":"created","Service/apps/web":"unchanged","Namespace/apps":"unchanged",)"
      R"("ConfigMap/apps/cfg":"skipped"})");
  CHECK(ChangeSetLogOutput(set, true) ==
        R"({"created":["Deployment/apps/web"],"unchanged":["Service/apps/web","Namespace/apps"],)"
        R"("skipped":["ConfigMap/apps/cfg"]})");
  CHECK(ChangeSetLogOutput(ssa::ChangeSet{}, true) == "{}");
}
