#include "libs/apimachinery/field_selector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"

namespace fluxcpp::apimachinery {

using object::Value;

absl::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view std_text) {
  absl::string_view text(std_text.data(), std_text.size());
  FieldSelector sel;
  if (absl::StripAsciiWhitespace(text).empty()) return sel;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    Term term;
    size_t pos;
    if ((pos = part.find("!=")) != absl::string_view::npos) {
      term.negate = true;
      term.field = std::string(part.substr(0, pos));
      term.value = std::string(part.substr(pos + 2));
    } else if ((pos = part.find("==")) != absl::string_view::npos) {
      term.field = std::string(part.substr(0, pos));
      term.value = std::string(part.substr(pos + 2));
    } else if ((pos = part.find('=')) != absl::string_view::npos) {
      term.field = std::string(part.substr(0, pos));
      term.value = std::string(part.substr(pos + 1));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("invalid selector: '", text, "'; can't understand '", part, "'"));
    }
    term.field = std::string(absl::StripAsciiWhitespace(term.field));
    term.value = std::string(absl::StripAsciiWhitespace(term.value));
    if (term.field.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid selector: '", text, "'; empty field name"));
    }
    sel.terms_.push_back(std::move(term));
  }
  return sel;
}

std::string FieldValueAt(const Value& obj, std::string_view path) {
  const Value* cur = &obj;
  for (absl::string_view key : absl::StrSplit(absl::string_view(path.data(), path.size()), '.')) {
    if (!cur->is_object()) return "";
    auto it = cur->find(std::string(key));
    if (it == cur->end()) return "";
    cur = &*it;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_boolean()) return cur->get<bool>() ? "true" : "false";
  if (cur->is_number()) return cur->dump();
  return "";
}

bool FieldSelector::Matches(const Value& obj) const {
  for (const Term& term : terms_) {
    bool equal = FieldValueAt(obj, term.field) == term.value;
    if (equal == term.negate) return false;
  }
  return true;
}

const std::string* FieldSelector::RequiredValue(std::string_view field) const {
  for (const Term& term : terms_) {
    if (!term.negate && term.field == field) return &term.value;
  }
  return nullptr;
}

}  // namespace fluxcpp::apimachinery
