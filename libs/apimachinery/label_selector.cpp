#include "libs/apimachinery/label_selector.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  bool Consume(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_, token.size()) == token) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && IsKeyChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // Consumes the word `w` only when followed by a non-key character.
  bool ConsumeKeyword(std::string_view w) {
    SkipSpace();
    if (text_.substr(pos_, w.size()) != w) return false;
    size_t end = pos_ + w.size();
    if (end < text_.size() && IsKeyChar(text_[end])) return false;
    pos_ = end;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool ValidKey(const std::string& key) {
  if (key.empty() || key.size() > 316) return false;
  return std::all_of(key.begin(), key.end(), IsKeyChar);
}

absl::Status Bad(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("unable to parse requirement: ", absl::string_view(why.data(), why.size()), " in \"", absl::string_view(text.data(), text.size()), "\""));
}

bool IsInteger(const std::string& s, long long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtoll(s.c_str(), &end, 10);
  return end != nullptr && *end == '\0';
}

std::string OpString(LabelSelector::Op op) {
  switch (op) {
    case LabelSelector::Op::kEquals: return "=";
    case LabelSelector::Op::kNotEquals: return "!=";
    case LabelSelector::Op::kIn: return " in ";
    case LabelSelector::Op::kNotIn: return " notin ";
    case LabelSelector::Op::kGreaterThan: return ">";
    case LabelSelector::Op::kLessThan: return "<";
    default: return "";
  }
}

}  // namespace

absl::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector sel;
  Lexer lex(text);
  if (lex.AtEnd()) return sel;
  while (true) {
    Requirement req;
    if (lex.Consume("!")) {
      req.key = lex.Word();
      if (!ValidKey(req.key)) return Bad(text, "invalid label key");
      req.op = Op::kDoesNotExist;
    } else {
      req.key = lex.Word();
      if (!ValidKey(req.key)) return Bad(text, "invalid label key");
      if (lex.Consume("==") || lex.Consume("=")) {
        req.op = Op::kEquals;
        req.values.push_back(lex.Word());
      } else if (lex.Consume("!=")) {
        req.op = Op::kNotEquals;
        req.values.push_back(lex.Word());
      } else if (lex.Consume(">")) {
        req.op = Op::kGreaterThan;
        req.values.push_back(lex.Word());
      } else if (lex.Consume("<")) {
        req.op = Op::kLessThan;
        req.values.push_back(lex.Word());
      } else if (lex.ConsumeKeyword("notin")) {
        req.op = Op::kNotIn;
      } else if (lex.ConsumeKeyword("in")) {
        req.op = Op::kIn;
      } else {
        req.op = Op::kExists;
      }
      if (req.op == Op::kIn || req.op == Op::kNotIn) {
        if (!lex.Consume("(")) return Bad(text, "expected '(' after set operator");
        if (!lex.Consume(")")) {
          while (true) {
            req.values.push_back(lex.Word());
            if (lex.Consume(")")) break;
            if (!lex.Consume(",")) return Bad(text, "expected ',' or ')' in value set");
          }
        }
        if (req.values.empty()) return Bad(text, "for 'in', 'notin' operators, values set can't be empty");
      }
      if (req.op == Op::kGreaterThan || req.op == Op::kLessThan) {
        long long n;
        if (!IsInteger(req.values[0], &n)) {
          return Bad(text, "for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
    }
    sel.requirements_.push_back(std::move(req));
    if (lex.AtEnd()) break;
    if (!lex.Consume(",")) return Bad(text, "expected ','");
  }
  return sel;
}

absl::StatusOr<LabelSelector> LabelSelector::FromObject(const Value& selector) {
  LabelSelector sel;
  if (!selector.is_object()) return sel;
  if (auto it = selector.find("matchLabels"); it != selector.end() && it->is_object()) {
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      if (!kv.value().is_string()) return absl::InvalidArgumentError("matchLabels values must be strings");
      sel.requirements_.push_back({kv.key(), Op::kEquals, {kv.value().get<std::string>()}});
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && it->is_array()) {
    for (const Value& expr : *it) {
      Requirement req;
      req.key = expr.value("key", "");
      std::string op = expr.value("operator", "");
      if (op == "In") {
        req.op = Op::kIn;
      } else if (op == "NotIn") {
        req.op = Op::kNotIn;
      } else if (op == "Exists") {
        req.op = Op::kExists;
      } else if (op == "DoesNotExist") {
        req.op = Op::kDoesNotExist;
      } else {
        return absl::InvalidArgumentError(absl::StrCat("\"", op, "\" is not a valid label selector operator"));
      }
      if (auto values = expr.find("values"); values != expr.end() && values->is_array()) {
        for (const Value& v : *values) {
          if (v.is_string()) req.values.push_back(v.get<std::string>());
        }
      }
      if ((req.op == Op::kIn || req.op == Op::kNotIn) && req.values.empty()) {
        return absl::InvalidArgumentError("for 'in', 'notin' operators, values set can't be empty");
      }
      sel.requirements_.push_back(std::move(req));
    }
  }
  return sel;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const Requirement& req : requirements_) {
    auto it = labels.find(req.key);
    bool has = it != labels.end();
    auto in_values = [&] {
      return has && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    };
    switch (req.op) {
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kDoesNotExist:
        if (has) return false;
        break;
      case Op::kEquals:
      case Op::kIn:
        if (!in_values()) return false;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        if (in_values()) return false;
        break;
      case Op::kGreaterThan:
      case Op::kLessThan: {
        long long have, want;
        if (!has || !IsInteger(it->second, &have) || !IsInteger(req.values[0], &want)) return false;
        if (req.op == Op::kGreaterThan ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::vector<std::string> parts;
  for (const Requirement& req : requirements_) {
    switch (req.op) {
      case Op::kExists:
        parts.push_back(req.key);
        break;
      case Op::kDoesNotExist:
        parts.push_back("!" + req.key);
        break;
      case Op::kIn:
      case Op::kNotIn: {
        std::vector<std::string> sorted = req.values;
        std::sort(sorted.begin(), sorted.end());
        parts.push_back(absl::StrCat(req.key, OpString(req.op), "(", absl::StrJoin(sorted, ","), ")"));
        break;
      }
      default:
        parts.push_back(absl::StrCat(req.key, OpString(req.op), req.values[0]));
    }
  }
  return absl::StrJoin(parts, ",");
}

Labels LabelsOf(const Value& obj) {
  Labels out;
  const Value* labels = object::Find(obj, {"metadata", "labels"});
  if (labels == nullptr || !labels->is_object()) return out;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace fluxcpp::apimachinery
