#pragma once
// StatusPatcher: Flux's "patch helper" for the status subresource.
//
// Snapshot the object when a reconcile starts, mutate a copy through the
// conditions helpers, and call Patch() on every exit path (an absl::Cleanup
// works well). Patch() computes the JSON merge patch between the snapshot's
// status and the object's status and sends it once, to the `status`
// subresource; when nothing changed no request is made. PatchNow() does the
// same mid-run (e.g. Reconciling=True at the start), and moves the snapshot.
//
//   StatusPatcher patcher(client, obj);          // obj: the copy being reconciled
//   absl::Cleanup patch = [&] { (void)patcher.Patch(obj, {.set_observed_generation = ok}); };
//   conditions::MarkReconciling(obj, kProgressingReason, "reconciliation in progress");
//   FLUX_RETURN_IF_ERROR(patcher.PatchNow(obj));
//
// Concurrency: the patch carries metadata.resourceVersion (of `obj`, which
// PatchNow/Patch and the finalizer helpers keep current), so the API server
// rejects it with a Conflict when the object changed meanwhile (e.g. a spec
// edit). The patcher then re-reads the object, rebases its own status
// changes onto the fresh status (conditions merged per type: ours win for
// the types we changed, others are kept) and retries, up to 5 times.
//
// Not thread-safe: one patcher per reconcile.

#include <string>

#include "absl/status/status.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::runtime {

struct StatusPatcherOptions {
  std::string field_manager;  // e.g. "gotk-source-controller"; optional
  int max_conflict_retries = 5;
};

struct PatchOptions {
  // Write status.observedGeneration = metadata.generation (Flux does so on
  // success, on a stalled result and on an "ignore" result).
  bool set_observed_generation = false;
  // Copy the reconcile.fluxcd.io/requestedAt annotation into
  // status.lastHandledReconcileAt (when the annotation is present).
  bool handle_reconcile_request = true;
};

class StatusPatcher {
 public:
  // `client` must outlive the patcher; `obj` is the state read at the start.
  StatusPatcher(kube::Client& client, const object::Value& obj, StatusPatcherOptions options = {});

  // Final patch. Updates `obj`'s status/resourceVersion from the server's answer.
  absl::Status Patch(object::Value& obj, const PatchOptions& options = {});
  // Intermediate patch (same mechanics, no observedGeneration/requestedAt handling).
  absl::Status PatchNow(object::Value& obj);

  // Requests sent so far (for tests and logs).
  int patches_sent() const { return patches_sent_; }

  // RFC 7386 merge patch turning `from` into `to` (null = remove a key;
  // arrays replaced whole). Empty object when they are equal.
  static object::Value CreateMergePatch(const object::Value& from, const object::Value& to);

 private:
  absl::Status PatchStatus(object::Value& obj);

  kube::Client& client_;
  StatusPatcherOptions options_;
  kube::GroupVersionKind gvk_;
  std::string ns_;
  std::string name_;
  object::Value before_status_;  // status as last known to be on the server
  int patches_sent_ = 0;
};

}  // namespace fluxcpp::runtime
