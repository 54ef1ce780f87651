#include "services/kustomize-controller/history.h"

#include <chrono>

#include "libs/core/logger.h"

namespace fluxcpp::kustomize_controller {

void RecordHistory(object::Value& obj, const std::string& digest, const std::string& revision,
                   const std::string& origin_revision, const std::string& status, Duration took) {
  object::Value& history = object::Ensure(obj, {"status", "history"});
  if (!history.is_array()) history = object::Value::array();
  std::string now = NowRfc3339();
  object::Value entry;
  for (auto it = history.begin(); it != history.end(); ++it) {
    if (object::GetString(*it, {"digest"}) == digest && object::GetString(*it, {"lastReconciledStatus"}) == status) {
      entry = *it;
      history.erase(it);
      break;
    }
  }
  if (entry.is_null()) entry = {{"digest", digest}, {"firstReconciled", now}, {"totalReconciliations", 0}};
  entry["lastReconciled"] = now;
  entry["lastReconciledDuration"] = FormatGoDuration(std::chrono::duration_cast<std::chrono::milliseconds>(took));
  entry["lastReconciledStatus"] = status;
  entry["totalReconciliations"] = object::GetInt(entry, {"totalReconciliations"}) + 1;
  entry["metadata"] = {{"revision", revision}};
  if (!origin_revision.empty()) entry["metadata"]["originRevision"] = origin_revision;
  history.insert(history.begin(), entry);
  while (history.size() > 5) history.erase(history.end() - 1);
}

}  // namespace fluxcpp::kustomize_controller
