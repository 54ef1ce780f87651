#include "libs/runtime/status_patcher.h"

#include <catch2/catch.hpp>

#include "libs/runtime/conditions.h"
#include "libs/runtime/finalizers.h"
#include "libs/runtime/object_meta.h"
#include "libs/runtime/testing/fake_client.h"

namespace fluxcpp::runtime {
namespace {

const kube::GroupVersionKind kGitRepo{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

object::Value CreateRepo(testing::FakeClient& client, const std::string& name = "podinfo") {
  object::Value repo = {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                        {"kind", "GitRepository"},
                        {"metadata", {{"name", name}, {"namespace", "flux-system"}}},
                        {"spec", {{"url", "https://github.com/stefanprodan/podinfo"}}}};
  auto created = client.Create(repo);
  REQUIRE(created.ok());
  // Seed a status as the CRD default would.
  auto patched = client.Patch(kGitRepo, "flux-system", name, kube::PatchType::kMerge,
                              {{"status", {{"observedGeneration", -1}}}}, {}, "status");
  REQUIRE(patched.ok());
  return *patched;
}

TEST_CASE("CreateMergePatch produces RFC 7386 patches", "[status_patcher]") {
  object::Value from = {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}, {"e", {1, 2}}, {"gone", true}};
  object::Value to = {{"a", 1}, {"b", {{"c", 2}, {"d", 4}}}, {"e", {1, 2, 3}}, {"new", "x"}};
  object::Value patch = StatusPatcher::CreateMergePatch(from, to);
  REQUIRE(patch == object::Value({{"gone", nullptr}, {"b", {{"d", 4}}}, {"e", {1, 2, 3}}, {"new", "x"}}));
  REQUIRE(StatusPatcher::CreateMergePatch(to, to).empty());
  object::Value applied = from;
  applied.merge_patch(patch);
  REQUIRE(applied == to);
}

TEST_CASE("StatusPatcher writes once, only when something changed", "[status_patcher]") {
  testing::FakeClient client;
  object::Value obj = CreateRepo(client);
  int before = client.status_patches();

  SECTION("no change, no request") {
    StatusPatcher patcher(client, obj);
    REQUIRE(patcher.Patch(obj, {.handle_reconcile_request = true}).ok());
    REQUIRE(patcher.patches_sent() == 0);
    REQUIRE(client.status_patches() == before);
  }
  SECTION("conditions, observedGeneration and lastHandledReconcileAt") {
    obj["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"] = "2024-05-01T10:00:00Z";
    StatusPatcher patcher(client, obj);
    conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored artifact");
    conditions::SummarizeReady(obj, SourceReadySummaryOrder(), kArtifactInStorageCondition);
    REQUIRE(patcher.Patch(obj, {.set_observed_generation = true}).ok());
    REQUIRE(patcher.patches_sent() == 1);
    REQUIRE(client.status_patches() == before + 1);
    auto stored = client.Get(kGitRepo, "flux-system", "podinfo");
    REQUIRE(stored.ok());
    REQUIRE(object::GetInt(*stored, {"status", "observedGeneration"}) == 1);
    REQUIRE(object::GetString(*stored, {"status", "lastHandledReconcileAt"}) == "2024-05-01T10:00:00Z");
    REQUIRE(conditions::IsTrue(*stored, kReadyCondition));
    REQUIRE(ResourceVersionOf(obj) == ResourceVersionOf(*stored));
    // A second Patch with nothing new is free.
    REQUIRE(patcher.Patch(obj, {.set_observed_generation = true}).ok());
    REQUIRE(patcher.patches_sent() == 1);
  }
  SECTION("PatchNow moves the snapshot; removed fields become nulls") {
    StatusPatcher patcher(client, obj);
    conditions::MarkReconciling(obj, kProgressingReason, "reconciliation in progress");
    obj["status"]["artifact"] = {{"revision", "main@sha1:1"}};
    REQUIRE(patcher.PatchNow(obj).ok());
    REQUIRE(patcher.patches_sent() == 1);
    conditions::Remove(obj, kReconcilingCondition);
    obj["status"].erase("artifact");
    REQUIRE(patcher.Patch(obj).ok());
    REQUIRE(patcher.patches_sent() == 2);
    auto stored = client.Get(kGitRepo, "flux-system", "podinfo");
    REQUIRE_FALSE(conditions::Has(*stored, kReconcilingCondition));
    REQUIRE(object::Find(*stored, {"status", "artifact"}) == nullptr);
  }
}

TEST_CASE("StatusPatcher rebases onto the latest object on conflict", "[status_patcher]") {
  testing::FakeClient client;
  object::Value obj = CreateRepo(client);
  StatusPatcher patcher(client, obj);
  conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored");

  // Meanwhile: a spec edit and another writer's condition.
  REQUIRE(client.Patch(kGitRepo, "flux-system", "podinfo", kube::PatchType::kMerge,
                       {{"spec", {{"interval", "5m"}}}})
              .ok());
  object::Value other = *client.Get(kGitRepo, "flux-system", "podinfo");
  conditions::MarkTrue(other, "Foreign", "Because", "someone else");
  REQUIRE(client.Patch(kGitRepo, "flux-system", "podinfo", kube::PatchType::kMerge,
                       {{"status", {{"conditions", other["status"]["conditions"]}}}}, {}, "status")
              .ok());

  REQUIRE(patcher.Patch(obj).ok());
  REQUIRE(patcher.patches_sent() == 2);  // conflict, then success
  auto stored = client.Get(kGitRepo, "flux-system", "podinfo");
  REQUIRE(conditions::IsTrue(*stored, kArtifactInStorageCondition));
  REQUIRE(conditions::IsTrue(*stored, "Foreign"));
  REQUIRE(object::GetInt(*stored, {"metadata", "generation"}) == 2);
}

TEST_CASE("StatusPatcher treats a vanished object as done", "[status_patcher]") {
  testing::FakeClient client;
  object::Value obj = CreateRepo(client);
  StatusPatcher patcher(client, obj);
  REQUIRE(client.Delete(kGitRepo, "flux-system", "podinfo").ok());
  conditions::MarkTrue(obj, kReadyCondition, kSucceededReason, "x");
  REQUIRE(patcher.Patch(obj).ok());
}

TEST_CASE("Finalizers are added and removed safely", "[finalizers]") {
  testing::FakeClient client;
  object::Value obj = CreateRepo(client);
  REQUIRE_FALSE(HasFinalizer(obj, kFluxFinalizer));
  REQUIRE(AddFinalizer(client, obj).ok());
  REQUIRE(HasFinalizer(obj, kFluxFinalizer));
  int patches = client.calls("patch");
  REQUIRE(AddFinalizer(client, obj).ok());  // already there: no request
  REQUIRE(client.calls("patch") == patches);

  // A concurrent edit of the list is preserved (conflict → re-read → retry).
  REQUIRE(client.Patch(kGitRepo, "flux-system", "podinfo", kube::PatchType::kMerge,
                       {{"metadata", {{"finalizers", {"finalizers.fluxcd.io", "example.com/other"}}}}})
              .ok());
  REQUIRE(AddFinalizer(client, obj, "example.com/third").ok());
  auto stored = client.Get(kGitRepo, "flux-system", "podinfo");
  REQUIRE((*stored)["metadata"]["finalizers"] ==
          object::Value({"finalizers.fluxcd.io", "example.com/other", "example.com/third"}));

  // Deletion: finalizers block it; adding is refused; removing the last one deletes.
  REQUIRE(client.Delete(kGitRepo, "flux-system", "podinfo").ok());
  obj = *client.Get(kGitRepo, "flux-system", "podinfo");
  REQUIRE(absl::IsFailedPrecondition(AddFinalizer(client, obj, "example.com/late")));
  REQUIRE(RemoveFinalizer(client, obj, "example.com/other").ok());
  REQUIRE(RemoveFinalizer(client, obj, "example.com/third").ok());
  REQUIRE(RemoveFinalizer(client, obj).ok());
  REQUIRE(absl::IsNotFound(client.Get(kGitRepo, "flux-system", "podinfo").status()));
  REQUIRE(RemoveFinalizer(client, obj).ok());  // gone: fine
}

}  // namespace
}  // namespace fluxcpp::runtime
