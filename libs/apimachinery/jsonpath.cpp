#include "libs/apimachinery/jsonpath.h"

#include <cctype>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::apimachinery {

using object::Value;

struct JsonPath::Step {
  enum class Kind { kField, kWildcard, kIndex, kFilter, kRecursive };
  Kind kind = Kind::kField;
  std::string name;  // kField / kRecursive
  long index = 0;    // kIndex
  // kFilter: @<relative> <op> <literal>; op "" means existence.
  std::vector<std::shared_ptr<const Step>> relative;
  std::string op;
  Value literal;
};

namespace {

using Step = JsonPath::Step;
using StepPtr = std::shared_ptr<const Step>;

bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' || c == '$';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::Status Error(std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid JSONPath \"", absl::string_view(text_.data(), text_.size()), "\": ", absl::string_view(why.data(), why.size())));
  }

  // Parses steps until `stop` (a char that ends the path) or the end.
  absl::StatusOr<std::vector<StepPtr>> Steps(std::string_view stops) {
    std::vector<StepPtr> steps;
    while (pos_ < text_.size() && stops.find(text_[pos_]) == std::string_view::npos) {
      char c = text_[pos_];
      if (c == ' ') {
        ++pos_;
        continue;
      }
      if (c == '.') {
        ++pos_;
        bool recursive = false;
        if (pos_ < text_.size() && text_[pos_] == '.') {
          recursive = true;
          ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '*') {
          ++pos_;
          auto s = std::make_shared<Step>();
          s->kind = Step::Kind::kWildcard;
          steps.push_back(s);
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == '[' && !recursive) continue;
        std::string name = Ident();
        if (name.empty()) {
          if (pos_ >= text_.size() || stops.find(text_[pos_]) != std::string_view::npos) continue;  // "." alone
          return Error("expected a field name after '.'");
        }
        auto s = std::make_shared<Step>();
        s->kind = recursive ? Step::Kind::kRecursive : Step::Kind::kField;
        s->name = std::move(name);
        steps.push_back(s);
      } else if (c == '[') {
        ++pos_;
        FLUX_ASSIGN_OR_RETURN(StepPtr s, Bracket());
        steps.push_back(std::move(s));
      } else if (c == '$' && steps.empty()) {
        ++pos_;
      } else if (IsIdentChar(c) && steps.empty()) {
        // Tolerate a leading bare name ("spec.x").
        auto s = std::make_shared<Step>();
        s->name = Ident();
        steps.push_back(s);
      } else {
        return Error(absl::StrCat("unexpected character '", std::string(1, c), "'"));
      }
    }
    return steps;
  }

  absl::StatusOr<std::vector<StepPtr>> Parse() {
    Skip();
    bool braced = pos_ < text_.size() && text_[pos_] == '{';
    if (braced) ++pos_;
    FLUX_ASSIGN_OR_RETURN(auto steps, Steps(braced ? "}" : ""));
    if (braced) {
      if (pos_ >= text_.size() || text_[pos_] != '}') return Error("unclosed '{'");
      ++pos_;
    }
    Skip();
    if (pos_ != text_.size()) return Error("unexpected trailing characters");
    return steps;
  }

 private:
  void Skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

  std::string Ident() {
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        out.push_back(text_[pos_ + 1]);
        pos_ += 2;
      } else if (IsIdentChar(c)) {
        out.push_back(c);
        ++pos_;
      } else {
        break;
      }
    }
    return out;
  }

  absl::StatusOr<std::string> Quoted() {
    char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out.push_back(text_[pos_++]);
    }
    if (pos_ >= text_.size()) return Error("unterminated string");
    ++pos_;
    return out;
  }

  absl::StatusOr<StepPtr> Bracket() {
    Skip();
    auto s = std::make_shared<Step>();
    if (pos_ >= text_.size()) return Error("unclosed '['");
    char c = text_[pos_];
    if (c == '*') {
      ++pos_;
      s->kind = Step::Kind::kWildcard;
    } else if (c == '\'' || c == '"') {
      FLUX_ASSIGN_OR_RETURN(s->name, Quoted());
      s->kind = Step::Kind::kField;
    } else if (c == '?') {
      ++pos_;
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != '(') return Error("expected '(' after '?'");
      ++pos_;
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != '@') return Error("filter must start with '@'");
      ++pos_;
      s->kind = Step::Kind::kFilter;
      FLUX_ASSIGN_OR_RETURN(s->relative, Steps("=!<>) "));
      Skip();
      for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
        if (text_.substr(pos_, op.size()) == op) {
          s->op = std::string(op);
          pos_ += op.size();
          break;
        }
      }
      if (!s->op.empty()) {
        Skip();
        if (pos_ >= text_.size()) return Error("expected a value in filter");
        if (text_[pos_] == '\'' || text_[pos_] == '"') {
          FLUX_ASSIGN_OR_RETURN(std::string str, Quoted());
          s->literal = str;
        } else {
          size_t start = pos_;
          while (pos_ < text_.size() && text_[pos_] != ')' && text_[pos_] != ' ') ++pos_;
          std::string raw(text_.substr(start, pos_ - start));
          if (raw == "true" || raw == "false") {
            s->literal = raw == "true";
          } else {
            char* end = nullptr;
            double d = std::strtod(raw.c_str(), &end);
            if (raw.empty() || *end != '\0') return Error(absl::StrCat("bad filter value ", raw));
            s->literal = d;
          }
        }
      }
      Skip();
      if (pos_ >= text_.size() || text_[pos_] != ')') return Error("expected ')' to close filter");
      ++pos_;
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() && (text_[pos_] == '-' || std::isdigit(static_cast<unsigned char>(text_[pos_])))) {
        ++pos_;
      }
      std::string raw(text_.substr(start, pos_ - start));
      if (raw.empty() || raw == "-") return Error("expected an index, '*', a quoted name or a filter in '[]'");
      s->kind = Step::Kind::kIndex;
      s->index = std::strtol(raw.c_str(), nullptr, 10);
    }
    Skip();
    if (pos_ >= text_.size() || text_[pos_] != ']') return Error("expected ']'");
    ++pos_;
    return StepPtr(s);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

void Apply(const std::vector<StepPtr>& steps, size_t i, const Value* cur, std::vector<const Value*>& out);

void Recurse(const std::string& name, const Value* cur, std::vector<const Value*>& found) {
  if (cur->is_object()) {
    for (auto it = cur->begin(); it != cur->end(); ++it) {
      if (it.key() == name) found.push_back(&it.value());
      Recurse(name, &it.value(), found);
    }
  } else if (cur->is_array()) {
    for (const Value& v : *cur) Recurse(name, &v, found);
  }
}

bool Compare(const Value& have, const std::string& op, const Value& want) {
  if (op == "==" || op == "!=") {
    bool eq;
    if (have.is_number() && want.is_number()) {
      eq = have.get<double>() == want.get<double>();
    } else {
      eq = have == want;
    }
    return op == "==" ? eq : !eq;
  }
  if (!have.is_number() || !want.is_number()) return false;
  double a = have.get<double>(), b = want.get<double>();
  if (op == "<") return a < b;
  if (op == ">") return a > b;
  if (op == "<=") return a <= b;
  return a >= b;
}

bool FilterMatches(const Step& step, const Value& element) {
  std::vector<const Value*> hits;
  Apply(step.relative, 0, &element, hits);
  if (step.op.empty()) {
    for (const Value* h : hits) {
      if (!h->is_null() && !(h->is_boolean() && !h->get<bool>())) return true;
    }
    return false;
  }
  for (const Value* h : hits) {
    if (Compare(*h, step.op, step.literal)) return true;
  }
  return false;
}

void Apply(const std::vector<StepPtr>& steps, size_t i, const Value* cur, std::vector<const Value*>& out) {
  if (i == steps.size()) {
    out.push_back(cur);
    return;
  }
  const Step& step = *steps[i];
  switch (step.kind) {
    case Step::Kind::kField:
      if (cur->is_object()) {
        auto it = cur->find(step.name);
        if (it != cur->end()) Apply(steps, i + 1, &*it, out);
      }
      break;
    case Step::Kind::kWildcard:
      if (cur->is_object() || cur->is_array()) {
        for (auto it = cur->begin(); it != cur->end(); ++it) Apply(steps, i + 1, &*it, out);
      }
      break;
    case Step::Kind::kIndex:
      if (cur->is_array()) {
        long n = static_cast<long>(cur->size());
        long idx = step.index < 0 ? n + step.index : step.index;
        if (idx >= 0 && idx < n) Apply(steps, i + 1, &(*cur)[static_cast<size_t>(idx)], out);
      }
      break;
    case Step::Kind::kFilter:
      if (cur->is_array()) {
        for (const Value& e : *cur) {
          if (FilterMatches(step, e)) Apply(steps, i + 1, &e, out);
        }
      }
      break;
    case Step::Kind::kRecursive: {
      std::vector<const Value*> found;
      Recurse(step.name, cur, found);
      for (const Value* f : found) Apply(steps, i + 1, f, out);
      break;
    }
  }
}

}  // namespace

absl::StatusOr<JsonPath> JsonPath::Parse(std::string_view expression) {
  Parser parser(expression);
  FLUX_ASSIGN_OR_RETURN(auto steps, parser.Parse());
  JsonPath path;
  path.steps_ = std::move(steps);
  return path;
}

std::vector<const Value*> JsonPath::Evaluate(const Value& root) const {
  std::vector<const Value*> out;
  Apply(steps_, 0, &root, out);
  return out;
}

std::string JsonPathResultToString(const Value& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace fluxcpp::apimachinery
