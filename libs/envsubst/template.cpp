#include "libs/envsubst/template.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/envsubst/glob.h"
#include "libs/envsubst/go_text.h"

namespace fluxcpp::envsubst {
namespace {

// ---------------------------------------------------------------- errors

absl::Status ErrBadSubstitution() { return absl::InvalidArgumentError("bad substitution"); }
absl::Status ErrMissingClosingBrace() {
  return absl::InvalidArgumentError("missing closing brace");
}
absl::Status ErrParseVariableName() {
  return absl::InvalidArgumentError("unable to parse variable name");
}
absl::Status ErrParseFuncSubstitution() {
  return absl::InvalidArgumentError("unable to parse substitution within function");
}
absl::Status ErrParseDefaultFunction() {
  return absl::InvalidArgumentError("unable to parse default function");
}

// ---------------------------------------------------------------- scanner
//
// A port of parse/scan.go. Go keeps one buffer and an index `pos`; skip()
// deletes the byte before pos without moving pos. We keep the same observable
// state as a gap buffer: `left_` is buf[:pos] and `right_` is buf[pos:]
// reversed, so skip() is O(1) and every read/unread/peek behaves as in Go,
// including unread() moving back by the width of the *last* read rune.

enum class Token { kIllegal, kEof, kIdent, kLbrack, kRbrack };

constexpr uint8_t kScanIdent = 1 << 0;
constexpr uint8_t kScanLbrack = 1 << 1;
constexpr uint8_t kScanRbrack = 1 << 2;
constexpr uint8_t kScanEscape = 1 << 3;

constexpr uint8_t kEscDollar = 1 << 0;
constexpr uint8_t kEscBackslash = 1 << 1;
constexpr uint8_t kEscAll = kEscDollar | kEscBackslash;

constexpr char32_t kEof = 0;  // Go's eof is rune(0): a NUL byte also ends input.

using AcceptFn = bool (*)(char32_t r, int64_t i);

bool AcceptRune(char32_t, int64_t) { return true; }
bool AcceptIdent(char32_t r, int64_t) {
  return gotext::IsLetter(r) || gotext::IsDigit(r) || r == '_';
}
bool AcceptColon(char32_t r, int64_t) { return r == ':'; }
bool AcceptOneHash(char32_t r, int64_t i) { return r == '#' && i == 1; }
bool AcceptNotClosing(char32_t r, int64_t) { return r != '}'; }
bool AcceptHashFunc(char32_t r, int64_t i) { return r == '#' && i < 3; }
bool AcceptPercentFunc(char32_t r, int64_t i) { return r == '%' && i < 3; }
bool AcceptDefaultFunc(char32_t r, int64_t i) {
  return (i == 1 && r == ':') || (i == 2 && (r == '=' || r == '-' || r == '?' || r == '+'));
}
bool AcceptReplaceFunc(char32_t r, int64_t i) {
  return (i == 1 && r == '/') || (i == 2 && (r == '/' || r == '#' || r == '%'));
}
bool AcceptOneEqual(char32_t r, int64_t i) { return i == 1 && r == '='; }
bool AcceptOneColon(char32_t r, int64_t i) { return i == 1 && r == ':'; }
bool RejectColonClose(char32_t r, int64_t) { return r != ':' && r != '}'; }
bool AcceptSlash(char32_t r, int64_t) { return r == '/'; }
bool AcceptNotSlash(char32_t r, int64_t) { return r != '/'; }
bool AcceptCasingFunc(char32_t r, int64_t i) { return (r == ',' || r == '^') && i < 3; }

class Scanner {
 public:
  explicit Scanner(std::string_view buf) : right_(buf.rbegin(), buf.rend()) {
    left_.reserve(buf.size());
  }

  AcceptFn accept = AcceptRune;
  uint8_t mode = 0;
  uint8_t escape_chars = 0;

  char32_t Read() {
    if (right_.empty()) {
      width_ = 0;
      return kEof;
    }
    char bytes[4];
    size_t n = 0;
    for (; n < 4 && n < right_.size(); ++n) bytes[n] = right_[right_.size() - 1 - n];
    gotext::DecodedRune d = gotext::DecodeRune(std::string_view(bytes, n));
    width_ = d.width;
    for (size_t i = 0; i < d.width; ++i) {
      left_.push_back(right_.back());
      right_.pop_back();
    }
    return d.rune;
  }

  void Unread() {
    for (size_t i = 0; i < width_ && !left_.empty(); ++i) {
      right_.push_back(left_.back());
      left_.pop_back();
    }
  }

  // Deletes the byte before the cursor; the cursor index stays, so it now
  // stands after the following byte (which was the escaped character).
  void Skip() {
    left_.pop_back();
    if (!right_.empty()) {
      left_.push_back(right_.back());
      right_.pop_back();
    }
  }

  char32_t Peek() {
    char32_t r = Read();
    Unread();
    return r;
  }

  std::string String() const {
    return start_ <= left_.size() ? left_.substr(start_) : std::string();
  }

  Token Scan() {
    start_ = left_.size();
    char32_t r = Read();
    if (r == kEof) return Token::kEof;
    if (ScanLbrack(r)) return Token::kLbrack;
    if (ScanRbrack(r)) return Token::kRbrack;
    if (ScanIdent(r)) return Token::kIdent;
    return Token::kIllegal;
  }

 private:
  int64_t Offset() const {
    return static_cast<int64_t>(left_.size()) - static_cast<int64_t>(start_);
  }

  bool ScanIdent(char32_t r) {
    if ((mode & kScanIdent) == 0) return false;
    if (ScanEscaped(r)) {
      Skip();
    } else if (!accept(r, Offset())) {
      return false;
    }
    while (true) {
      char32_t c = Read();
      if (c == kEof) {
        Unread();
        break;
      }
      if (ScanLbrack(c)) {
        Unread();
        Unread();
        break;
      }
      if (ScanEscaped(c)) {
        Skip();
        continue;
      }
      if (!accept(c, Offset())) {
        Unread();
        break;
      }
    }
    return true;
  }

  bool ScanLbrack(char32_t r) {
    if ((mode & kScanLbrack) == 0) return false;
    if (r == '$') {
      if (Read() == '{') return true;
      Unread();
    }
    return false;
  }

  bool ScanRbrack(char32_t r) const { return (mode & kScanRbrack) != 0 && r == '}'; }

  bool ScanEscaped(char32_t r) {
    if ((mode & kScanEscape) == 0) return false;
    if (r == '$' && (escape_chars & kEscDollar) != 0) {
      if (Peek() == '$') return true;
    }
    if (r == '\\' && (escape_chars & kEscBackslash) != 0) {
      char32_t next = Peek();
      return next == '/' || next == '\\';
    }
    return false;
  }

  std::string left_;
  std::string right_;  // reversed
  size_t start_ = 0;
  size_t width_ = 0;
};

// ---------------------------------------------------------------- parser
// A port of parse/parse.go.

Node Text(std::string value) {
  Node n;
  n.kind = Node::Kind::kText;
  n.value = std::move(value);
  return n;
}

Node Func(std::string param) {
  Node n;
  n.kind = Node::Kind::kFunc;
  n.param = std::move(param);
  return n;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  // parseAny, iteratively: Go builds right-nested ListNodes, we flatten them.
  absl::StatusOr<Node> ParseAny() {
    std::vector<Node> seq;
    while (true) {
      s_.accept = AcceptRune;
      s_.mode = kScanIdent | kScanLbrack | kScanEscape;
      s_.escape_chars = kEscDollar;
      Token tok = s_.Scan();
      if (tok == Token::kIdent) {
        seq.push_back(Text(s_.String()));
      } else if (tok == Token::kEof) {
        break;
      } else if (tok == Token::kLbrack) {
        FLUX_ASSIGN_OR_RETURN(Node fn, ParseFunc());
        seq.push_back(std::move(fn));
      } else {
        return ErrBadSubstitution();
      }
    }
    if (seq.empty()) return Text("");
    if (seq.size() == 1) return std::move(seq.front());
    Node list;
    list.kind = Node::Kind::kList;
    list.nodes = std::move(seq);
    return list;
  }

 private:
  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    int& depth;
  };

  absl::StatusOr<Node> ParseFunc() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxNesting)
      return absl::InvalidArgumentError("bad substitution: nesting too deep");
    s_.escape_chars = kEscAll;
    if (s_.Peek() == '#') return ParseLenFunc();

    s_.accept = AcceptIdent;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrParseVariableName();
    std::string name = s_.String();

    switch (s_.Peek()) {
      case ':':
        return ParseDefaultOrSubstr(std::move(name));
      case '=':
        return ParseDefaultFunc(std::move(name));
      case ',':
      case '^':
        return ParseCasingFunc(std::move(name));
      case '/':
        return ParseReplaceFunc(std::move(name));
      case '#':
        return ParseRemoveFunc(std::move(name), AcceptHashFunc);
      case '%':
        return ParseRemoveFunc(std::move(name), AcceptPercentFunc);
      default:
        break;
    }
    s_.accept = AcceptIdent;
    s_.mode = kScanRbrack;
    if (s_.Scan() == Token::kRbrack) return Func(std::move(name));
    return ErrMissingClosingBrace();
  }

  absl::StatusOr<Node> ParseParam(AcceptFn accept, uint8_t mode) {
    s_.accept = accept;
    s_.mode = mode | kScanLbrack;
    switch (s_.Scan()) {
      case Token::kLbrack:
        return ParseFunc();
      case Token::kIdent:
      case Token::kRbrack:
        return Text(s_.String());
      default:
        return ErrParseFuncSubstitution();
    }
  }

  absl::StatusOr<Node> ParseDefaultOrSubstr(std::string name) {
    // As in Go: read ':', peek, then unread by the width of the *peeked* rune.
    s_.Read();
    char32_t r = s_.Peek();
    s_.Unread();
    if (r == '=' || r == '-' || r == '?' || r == '+') return ParseDefaultFunc(std::move(name));
    return ParseSubstrFunc(std::move(name));
  }

  absl::StatusOr<Node> ParseSubstrFunc(std::string name) {
    Node node = Func(std::move(name));
    s_.accept = AcceptOneColon;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.name = s_.String();

    FLUX_ASSIGN_OR_RETURN(Node position, ParseParam(RejectColonClose, kScanIdent));
    node.args.push_back(std::move(position));

    s_.accept = AcceptColon;
    s_.mode = kScanIdent | kScanRbrack;
    Token tok = s_.Scan();
    if (tok == Token::kRbrack) return node;
    if (tok != Token::kIdent) return ErrBadSubstitution();

    FLUX_ASSIGN_OR_RETURN(Node length, ParseParam(AcceptNotClosing, kScanIdent));
    node.args.push_back(std::move(length));
    FLUX_RETURN_IF_ERROR(ConsumeRbrack());
    return node;
  }

  absl::StatusOr<Node> ParseRemoveFunc(std::string name, AcceptFn accept) {
    Node node = Func(std::move(name));
    s_.accept = accept;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.name = s_.String();

    FLUX_ASSIGN_OR_RETURN(Node pattern, ParseParam(AcceptNotClosing, kScanIdent));
    node.args.push_back(std::move(pattern));
    FLUX_RETURN_IF_ERROR(ConsumeRbrack());
    return node;
  }

  absl::StatusOr<Node> ParseReplaceFunc(std::string name) {
    Node node = Func(std::move(name));
    s_.accept = AcceptReplaceFunc;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.name = s_.String();

    FLUX_ASSIGN_OR_RETURN(Node pattern, ParseParam(AcceptNotSlash, kScanIdent | kScanEscape));
    node.args.push_back(std::move(pattern));

    s_.accept = AcceptSlash;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();

    if (s_.Peek() == '}') {
      FLUX_RETURN_IF_ERROR(ConsumeRbrack());
      return node;
    }
    FLUX_ASSIGN_OR_RETURN(Node replacement, ParseParam(AcceptNotClosing, kScanIdent | kScanEscape));
    node.args.push_back(std::move(replacement));
    FLUX_RETURN_IF_ERROR(ConsumeRbrack());
    return node;
  }

  absl::StatusOr<Node> ParseDefaultFunc(std::string name) {
    Node node = Func(std::move(name));
    s_.accept = AcceptDefaultFunc;
    if (s_.Peek() == '=') s_.accept = AcceptOneEqual;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrParseDefaultFunction();
    node.name = s_.String();

    while (true) {
      if (s_.Peek() == '}') {
        FLUX_RETURN_IF_ERROR(ConsumeRbrack());
        return node;
      }
      FLUX_ASSIGN_OR_RETURN(Node part, ParseParam(AcceptNotClosing, kScanIdent));
      node.args.push_back(std::move(part));
    }
  }

  absl::StatusOr<Node> ParseCasingFunc(std::string name) {
    Node node = Func(std::move(name));
    s_.accept = AcceptCasingFunc;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.name = s_.String();
    FLUX_RETURN_IF_ERROR(ConsumeRbrack());
    return node;
  }

  absl::StatusOr<Node> ParseLenFunc() {
    Node node = Func("");
    s_.accept = AcceptOneHash;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.name = s_.String();

    s_.accept = AcceptIdent;
    s_.mode = kScanIdent;
    if (s_.Scan() != Token::kIdent) return ErrBadSubstitution();
    node.param = s_.String();
    FLUX_RETURN_IF_ERROR(ConsumeRbrack());
    return node;
  }

  absl::Status ConsumeRbrack() {
    s_.mode = kScanRbrack;
    if (s_.Scan() != Token::kRbrack) return ErrBadSubstitution();
    return absl::OkStatus();
  }

  Scanner s_;
  int depth_ = 0;
};

// ---------------------------------------------------------------- functions
// A port of funcs.go; all lengths and offsets are in bytes, as in Go.

std::string ToLen(const std::string& s) { return std::to_string(s.size()); }

std::string ToUpperFirst(const std::string& s) {
  if (s.empty()) return s;
  gotext::DecodedRune d = gotext::DecodeRune(s);
  std::string out;
  gotext::AppendRune(out, gotext::ToUpper(d.rune));
  out.append(s, d.width, std::string::npos);
  return out;
}

std::string ToLowerFirst(const std::string& s) {
  if (s.empty()) return s;
  gotext::DecodedRune d = gotext::DecodeRune(s);
  std::string out;
  gotext::AppendRune(out, gotext::ToLower(d.rune));
  out.append(s, d.width, std::string::npos);
  return out;
}

std::string ToDefault(const std::string& s, const std::vector<std::string>& args) {
  if (s.empty() && !args.empty()) {
    std::string joined;
    for (const std::string& a : args) joined += a;
    return joined;
  }
  return s;
}

absl::StatusOr<std::string> ToSubstr(const std::string& s, const std::vector<std::string>& args) {
  if (args.empty()) return s;
  const int64_t len = static_cast<int64_t>(s.size());
  long long parsed = 0;
  if (!gotext::Atoi(args[0], &parsed)) return s;  // bash keeps the value
  int64_t pos = parsed;
  if (pos < 0) {
    pos = len + pos;
    if (pos < 0) pos = 0;
  }
  if (args.size() == 1) return pos < len ? s.substr(pos) : std::string();

  long long length = 0;
  if (!gotext::Atoi(args[1], &length)) return s;
  // Go's int addition wraps.
  int64_t end = static_cast<int64_t>(static_cast<uint64_t>(pos) + static_cast<uint64_t>(length));
  if (end >= len) return pos < len ? s.substr(pos) : std::string();
  // Go panics on s[pos:end] here; report its runtime error text.
  if (end < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("runtime error: slice bounds out of range [:", end, "]"));
  if (end < pos) {
    return absl::InvalidArgumentError(
        absl::StrCat("runtime error: slice bounds out of range [", pos, ":", end, "]"));
  }
  return s.substr(pos, end - pos);
}

std::string ReplaceAll(const std::string& s, const std::vector<std::string>& args) {
  if (args.empty()) return s;
  return gotext::Replace(s, args[0], args.size() > 1 ? args[1] : "", -1);
}

std::string ReplaceFirst(const std::string& s, const std::vector<std::string>& args) {
  if (args.empty()) return s;
  return gotext::Replace(s, args[0], args.size() > 1 ? args[1] : "", 1);
}

std::string ReplacePrefix(const std::string& s, const std::vector<std::string>& args) {
  if (args.size() != 2) return s;
  if (s.compare(0, args[0].size(), args[0]) == 0 && s.size() >= args[0].size()) {
    return gotext::Replace(s, args[0], args[1], 1);
  }
  return s;
}

std::string ReplaceSuffix(const std::string& s, const std::vector<std::string>& args) {
  if (args.size() != 2) return s;
  const std::string& suffix = args[0];
  if (s.size() >= suffix.size() &&
      s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return s.substr(0, s.size() - suffix.size()) + args[1];
  }
  return s;
}

std::string TrimShortest(const std::string& s, const std::string& pattern) {
  std::string shortest;
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view candidate(s.data(), s.size() - i);
    absl::StatusOr<bool> m = GlobMatch(pattern, candidate);
    if (!m.ok()) return s;
    if (*m) shortest = std::string(candidate);
  }
  if (!shortest.empty()) return s.substr(shortest.size());
  return s;
}

std::string TrimLongest(const std::string& s, const std::string& pattern) {
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view candidate(s.data(), s.size() - i);
    absl::StatusOr<bool> m = GlobMatch(pattern, candidate);
    if (!m.ok()) return s;
    if (*m) return s.substr(candidate.size());
  }
  return s;
}

std::string Reverse(const std::string& s) {
  std::vector<char32_t> runes = gotext::ToRunes(s);
  std::reverse(runes.begin(), runes.end());
  return gotext::FromRunes(runes);
}

bool IsDefaultOp(const std::string& name) {
  return name == "-" || name == "+" || name == "=" || name == "?" || name == ":-" || name == ":+" ||
         name == ":=" || name == ":?";
}

// lookupFunc(name, len(args)) applied to the value.
absl::StatusOr<std::string> Apply(const std::string& name, const std::string& v,
                                  const std::vector<std::string>& args) {
  if (name == ",") return ToLowerFirst(v);
  if (name == ",,") return gotext::StringToLower(v);
  if (name == "^") return ToUpperFirst(v);
  if (name == "^^") return gotext::StringToUpper(v);
  if (name == "#") {
    if (args.empty()) return ToLen(v);
    return TrimShortest(v, args[0]);
  }
  if (name == "##") return args.empty() ? v : TrimLongest(v, args[0]);
  if (name == "%") return args.empty() ? v : Reverse(TrimShortest(Reverse(v), Reverse(args[0])));
  if (name == "%%") return args.empty() ? v : Reverse(TrimLongest(Reverse(v), Reverse(args[0])));
  if (name == ":") return ToSubstr(v, args);
  if (name == "/#") return ReplacePrefix(v, args);
  if (name == "/%") return ReplaceSuffix(v, args);
  if (name == "/") return ReplaceFirst(v, args);
  if (name == "//") return ReplaceAll(v, args);
  // "", "=", ":=", ":-", ":?", ":+", "-", "+" and unknown names (e.g. ",^").
  return ToDefault(v, args);
}

absl::Status Eval(const Node& node, const Mapping& mapping, std::string& out) {
  switch (node.kind) {
    case Node::Kind::kText:
      out += node.value;
      return absl::OkStatus();
    case Node::Kind::kList:
      for (const Node& n : node.nodes) FLUX_RETURN_IF_ERROR(Eval(n, mapping, out));
      return absl::OkStatus();
    case Node::Kind::kFunc: {
      std::vector<std::string> args;
      args.reserve(node.args.size());
      for (const Node& a : node.args) {
        std::string buf;
        FLUX_RETURN_IF_ERROR(Eval(a, mapping, buf));
        args.push_back(std::move(buf));
      }
      std::optional<std::string> value = mapping(node.param);
      if (!value.has_value() && !IsDefaultOp(node.name)) {
        return absl::NotFoundError(
            absl::StrCat("variable not set (strict mode): \"", node.param, "\""));
      }
      FLUX_ASSIGN_OR_RETURN(std::string rendered, Apply(node.name, value.value_or(""), args));
      out += rendered;
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Node> Parse(std::string_view text) { return Parser(text).ParseAny(); }

absl::StatusOr<std::string> Execute(const Node& root, const Mapping& mapping) {
  std::string out;
  FLUX_RETURN_IF_ERROR(Eval(root, mapping, out));
  return out;
}

}  // namespace fluxcpp::envsubst
