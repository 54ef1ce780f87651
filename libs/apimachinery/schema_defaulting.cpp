#include "libs/apimachinery/schema_defaulting.h"

namespace fluxcpp::apimachinery {

using object::Value;

void ApplyStructuralDefaults(Value& obj, const Value& schema) {
  if (!schema.is_object()) return;
  if (obj.is_object()) {
    const Value* props = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) props = &*it;
    if (props != nullptr) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        const Value& sub = it.value();
        if (!sub.is_object()) continue;
        auto field = obj.find(it.key());
        bool nullable = sub.value("nullable", false);
        if (field != obj.end() && field->is_null() && !nullable) {
          obj.erase(field);
          field = obj.end();
        }
        if (field == obj.end()) {
          auto def = sub.find("default");
          if (def == sub.end()) continue;
          Value value = *def;
          ApplyStructuralDefaults(value, sub);
          obj[it.key()] = std::move(value);
        } else {
          ApplyStructuralDefaults(*field, sub);
        }
      }
    }
    if (auto ap = schema.find("additionalProperties"); ap != schema.end() && ap->is_object()) {
      for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (props != nullptr && props->contains(it.key())) continue;
        ApplyStructuralDefaults(it.value(), *ap);
      }
    }
  } else if (obj.is_array()) {
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (Value& e : obj) ApplyStructuralDefaults(e, *items);
    }
  }
}

}  // namespace fluxcpp::apimachinery
