#include "libs/runtime/conditions.h"

#include <algorithm>

#include "libs/core/logger.h"

namespace fluxcpp::runtime::conditions {
namespace {

const object::Value* ConditionList(const object::Value& obj) {
  const object::Value* list = object::Find(obj, {"status", "conditions"});
  return list != nullptr && list->is_array() ? list : nullptr;
}

object::Value& MutableConditionList(object::Value& obj) {
  object::Value& list = object::Ensure(obj, {"status", "conditions"});
  if (!list.is_array()) list = object::Value::array();
  return list;
}

std::string Str(const object::Value& v, std::string_view key) {
  auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string TrimMessage(std::string_view msg) {
  if (msg.size() <= kMaxConditionMessageLength) return std::string(msg);
  size_t cut = kMaxConditionMessageLength - 3;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(msg[cut]) & 0xC0) == 0x80) --cut;
  return std::string(msg.substr(0, cut)) + "...";
}

int Weight(const std::string& type) {
  if (type == kStalledCondition) return 0;
  if (type == kReconcilingCondition) return 1;
  if (type == kReadyCondition) return 2;
  return -1;
}

}  // namespace

object::Value Condition::ToValue() const {
  object::Value v = object::Value::object();
  v["type"] = type;
  v["status"] = status;
  v["observedGeneration"] = observed_generation;
  v["lastTransitionTime"] = last_transition_time;
  v["reason"] = reason;
  v["message"] = message;
  return v;
}

Condition Condition::FromValue(const object::Value& v) {
  Condition c;
  if (!v.is_object()) return c;
  c.type = Str(v, "type");
  c.status = Str(v, "status");
  c.reason = Str(v, "reason");
  c.message = Str(v, "message");
  c.last_transition_time = Str(v, "lastTransitionTime");
  auto it = v.find("observedGeneration");
  if (it != v.end() && it->is_number_integer()) c.observed_generation = it->get<int64_t>();
  return c;
}

std::optional<Condition> Get(const object::Value& obj, std::string_view type) {
  const object::Value* list = ConditionList(obj);
  if (list == nullptr) return std::nullopt;
  for (const auto& c : *list) {
    if (c.is_object() && Str(c, "type") == type) return Condition::FromValue(c);
  }
  return std::nullopt;
}

std::vector<Condition> List(const object::Value& obj) {
  std::vector<Condition> out;
  if (const object::Value* list = ConditionList(obj)) {
    for (const auto& c : *list) out.push_back(Condition::FromValue(c));
  }
  return out;
}

bool Has(const object::Value& obj, std::string_view type) { return Get(obj, type).has_value(); }

static bool HasStatus(const object::Value& obj, std::string_view type, std::string_view status) {
  auto c = Get(obj, type);
  return c.has_value() && c->status == status;
}

bool IsTrue(const object::Value& obj, std::string_view type) { return HasStatus(obj, type, kConditionTrue); }
bool IsFalse(const object::Value& obj, std::string_view type) { return HasStatus(obj, type, kConditionFalse); }
bool IsUnknown(const object::Value& obj, std::string_view type) {
  return HasStatus(obj, type, kConditionUnknown);
}

std::string GetReason(const object::Value& obj, std::string_view type) {
  auto c = Get(obj, type);
  return c ? c->reason : std::string();
}

std::string GetMessage(const object::Value& obj, std::string_view type) {
  auto c = Get(obj, type);
  return c ? c->message : std::string();
}

bool IsObservedGeneration(const object::Value& obj, std::string_view type) {
  auto c = Get(obj, type);
  return c.has_value() && c->observed_generation == object::GetInt(obj, {"metadata", "generation"});
}

void Sort(object::Value& obj) {
  object::Value* list = object::FindMutable(obj, {"status", "conditions"});
  if (list == nullptr || !list->is_array()) return;
  std::vector<object::Value> items(list->begin(), list->end());
  std::stable_sort(items.begin(), items.end(), [](const object::Value& a, const object::Value& b) {
    Condition i = Condition::FromValue(a), j = Condition::FromValue(b);
    int w1 = Weight(i.type), w2 = Weight(j.type);
    if (w1 >= 0 && w2 >= 0) return w1 < w2;
    if (w1 >= 0 || w2 >= 0) return w1 >= 0;
    if (i.observed_generation == j.observed_generation) return i.type < j.type;
    return i.observed_generation > j.observed_generation;
  });
  *list = object::Value(items);
}

void Set(object::Value& obj, std::string_view type, std::string_view status, std::string_view reason,
         std::string_view message) {
  Condition next;
  next.type = std::string(type);
  next.status = std::string(status);
  next.reason = std::string(reason);
  next.message = TrimMessage(message);
  next.observed_generation = object::GetInt(obj, {"metadata", "generation"});

  object::Value& list = MutableConditionList(obj);
  bool exists = false;
  for (auto& slot : list) {
    if (!slot.is_object() || Str(slot, "type") != type) continue;
    exists = true;
    Condition cur = Condition::FromValue(slot);
    bool same_state = cur.status == next.status && cur.reason == next.reason && cur.message == next.message;
    next.last_transition_time =
        same_state && !cur.last_transition_time.empty() ? cur.last_transition_time : NowRfc3339();
    slot = next.ToValue();
    break;
  }
  if (!exists) {
    next.last_transition_time = NowRfc3339();
    list.push_back(next.ToValue());
  }
  Sort(obj);
}

void MarkTrue(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message) {
  Set(obj, type, kConditionTrue, reason, message);
}
void MarkFalse(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message) {
  Set(obj, type, kConditionFalse, reason, message);
}
void MarkUnknown(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message) {
  Set(obj, type, kConditionUnknown, reason, message);
}

void MarkReconciling(object::Value& obj, std::string_view reason, std::string_view message) {
  Remove(obj, kStalledCondition);
  MarkTrue(obj, kReconcilingCondition, reason, message);
}

void MarkStalled(object::Value& obj, std::string_view reason, std::string_view message) {
  Remove(obj, kReconcilingCondition);
  MarkTrue(obj, kStalledCondition, reason, message);
}

bool Remove(object::Value& obj, std::string_view type) {
  object::Value* list = object::FindMutable(obj, {"status", "conditions"});
  if (list == nullptr || !list->is_array()) return false;
  for (auto it = list->begin(); it != list->end(); ++it) {
    if (it->is_object() && Str(*it, "type") == type) {
      list->erase(it);
      return true;
    }
  }
  return false;
}

void SummarizeReady(object::Value& obj, const std::vector<SummaryCondition>& order,
                    std::string_view positive_type) {
  for (const SummaryCondition& sc : order) {
    auto c = Get(obj, sc.type);
    if (!c) continue;
    bool bad = (sc.polarity == Polarity::kNegative && c->status == kConditionTrue) ||
               (sc.polarity == Polarity::kBipolar && c->status == kConditionFalse);
    if (bad) {
      Set(obj, kReadyCondition, kConditionFalse, c->reason, c->message);
      return;
    }
  }
  auto positive = Get(obj, positive_type);
  if (!positive) return;
  Set(obj, kReadyCondition, positive->status, positive->reason, positive->message);
}

void SummarizeReady(object::Value& obj, const std::vector<std::string_view>& negative_types,
                    std::string_view positive_type) {
  std::vector<SummaryCondition> order;
  order.reserve(negative_types.size());
  for (std::string_view t : negative_types) order.push_back({t, Polarity::kNegative});
  SummarizeReady(obj, order, positive_type);
}

}  // namespace fluxcpp::runtime::conditions
