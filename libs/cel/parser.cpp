#include "libs/cel/parser.h"

#include <cctype>
#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/core/utf8.h"

namespace fluxcpp::cel {
namespace {

enum class Tok {
  kEof, kIdent, kQuotedIdent, kInt, kUint, kDouble, kString, kBytes,
  kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace,
  kDot, kComma, kColon, kQuestion,
  kPlus, kMinus, kStar, kSlash, kPercent,
  kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr, kNot, kIn,
  kTrue, kFalse, kNull,
};

struct Token {
  Tok kind = Tok::kEof;
  int pos = 0;
  std::string text;    // identifier name, decoded string/bytes
  uint64_t uval = 0;   // int/uint magnitude
  double dval = 0;
};

bool IsReserved(std::string_view s) {
  static const std::set<std::string_view> kReserved = {
      "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
      "loop", "package", "namespace", "return", "var", "void", "while"};
  return kReserved.count(s) > 0;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::string_view src, const ParseOptions& opts) : src_(src), opts_(opts) {}

  absl::StatusOr<std::unique_ptr<Expr>> Run() {
    if (src_.size() > opts_.max_size)
      return absl::InvalidArgumentError(absl::StrCat("expression size ", src_.size(),
                                                     " exceeds the limit of ", opts_.max_size, " bytes"));
    Advance();
    auto e = ParseExpr();
    if (!error_.empty()) return absl::InvalidArgumentError(error_);
    if (tok_.kind != Tok::kEof) {
      Fail(tok_.pos, "unexpected " + Describe(tok_));
      return absl::InvalidArgumentError(error_);
    }
    return e;
  }

 private:
  // ---- errors -------------------------------------------------------------
  std::string Where(int pos) const {
    int line = 1, col = 1;
    for (int i = 0; i < pos && i < static_cast<int>(src_.size()); ++i) {
      if (src_[i] == '\n') { ++line; col = 1; } else if ((static_cast<unsigned char>(src_[i]) & 0xC0) != 0x80) { ++col; }
    }
    return absl::StrCat(line, ":", col);
  }
  void Fail(int pos, const std::string& msg) {
    if (error_.empty()) error_ = "syntax error at " + Where(pos) + ": " + msg;
    tok_.kind = Tok::kEof;
    pos_ = src_.size();
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEof: return "end of input";
      case Tok::kIdent: return "identifier '" + t.text + "'";
      case Tok::kInt: case Tok::kUint: case Tok::kDouble: return "number";
      case Tok::kString: return "string literal";
      case Tok::kBytes: return "bytes literal";
      default: return "token";
    }
  }

  // ---- lexer --------------------------------------------------------------
  void SkipSpace() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  void Advance() {
    if (!error_.empty()) { tok_.kind = Tok::kEof; return; }
    SkipSpace();
    tok_ = Token();
    tok_.pos = static_cast<int>(pos_);
    if (pos_ >= src_.size()) return;
    char c = src_[pos_];
    char n = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    auto one = [&](Tok k, size_t len = 1) { tok_.kind = k; pos_ += len; };
    switch (c) {
      case '(': return one(Tok::kLParen);
      case ')': return one(Tok::kRParen);
      case '[': return one(Tok::kLBracket);
      case ']': return one(Tok::kRBracket);
      case '{': return one(Tok::kLBrace);
      case '}': return one(Tok::kRBrace);
      case ',': return one(Tok::kComma);
      case ':': return one(Tok::kColon);
      case '?': return one(Tok::kQuestion);
      case '+': return one(Tok::kPlus);
      case '-': return one(Tok::kMinus);
      case '*': return one(Tok::kStar);
      case '/': return one(Tok::kSlash);
      case '%': return one(Tok::kPercent);
      case '=':
        if (n == '=') return one(Tok::kEq, 2);
        break;
      case '!': return n == '=' ? one(Tok::kNe, 2) : one(Tok::kNot);
      case '<': return n == '=' ? one(Tok::kLe, 2) : one(Tok::kLt);
      case '>': return n == '=' ? one(Tok::kGe, 2) : one(Tok::kGt);
      case '&':
        if (n == '&') return one(Tok::kAnd, 2);
        break;
      case '|':
        if (n == '|') return one(Tok::kOr, 2);
        break;
      case '.':
        if (std::isdigit(static_cast<unsigned char>(n))) return LexNumber();
        return one(Tok::kDot);
      default: break;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return LexNumber();
    if ((c == 'r' || c == 'R' || c == 'b' || c == 'B') && (n == '"' || n == '\'')) {
      ++pos_;
      return LexString(c == 'r' || c == 'R', c == 'b' || c == 'B');
    }
    if ((c == 'r' || c == 'R' || c == 'b' || c == 'B') && pos_ + 2 < src_.size() &&
        (src_[pos_ + 2] == '"' || src_[pos_ + 2] == '\'')) {
      char c2 = n;
      bool raw = c == 'r' || c == 'R' || c2 == 'r' || c2 == 'R';
      bool bytes = c == 'b' || c == 'B' || c2 == 'b' || c2 == 'B';
      if (raw && bytes) {
        pos_ += 2;
        return LexString(true, true);
      }
    }
    if (c == '"' || c == '\'') return LexString(false, false);
    if (c == '`' && opts_.enable_quoted_identifiers) {
      size_t end = src_.find('`', pos_ + 1);
      if (end == std::string_view::npos) return Fail(static_cast<int>(pos_), "unterminated quoted identifier");
      std::string_view word = src_.substr(pos_ + 1, end - pos_ - 1);
      for (char ch : word)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-' || ch == '/' ||
              ch == ' '))
          return Fail(static_cast<int>(pos_), "invalid character in quoted identifier");
      if (word.empty()) return Fail(static_cast<int>(pos_), "empty quoted identifier");
      tok_.kind = Tok::kQuotedIdent;
      tok_.text = std::string(word);
      pos_ = end + 1;
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos_;
      while (pos_ < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
      std::string_view word = src_.substr(start, pos_ - start);
      if (word == "true") tok_.kind = Tok::kTrue;
      else if (word == "false") tok_.kind = Tok::kFalse;
      else if (word == "null") tok_.kind = Tok::kNull;
      else if (word == "in") tok_.kind = Tok::kIn;
      else { tok_.kind = Tok::kIdent; tok_.text = std::string(word); }
      return;
    }
    Fail(static_cast<int>(pos_), std::string("unexpected character '") + c + "'");
  }

  void LexNumber() {
    size_t start = pos_;
    if (src_[pos_] == '0' && pos_ + 1 < src_.size() && (src_[pos_ + 1] == 'x' || src_[pos_ + 1] == 'X')) {
      pos_ += 2;
      size_t ds = pos_;
      while (pos_ < src_.size() && HexVal(src_[pos_]) >= 0) ++pos_;
      if (ds == pos_) return Fail(static_cast<int>(start), "invalid hex literal");
      std::string digits(src_.substr(ds, pos_ - ds));
      errno = 0;
      unsigned long long v = std::strtoull(digits.c_str(), nullptr, 16);
      if (errno == ERANGE) return Fail(static_cast<int>(start), "integer literal out of range");
      tok_.uval = v;
      return FinishInt(start);
    }
    bool is_double = false;
    while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
      is_double = true;
      ++pos_;
      while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_]))) ++pos_;
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
      if (p < src_.size() && std::isdigit(static_cast<unsigned char>(src_[p]))) {
        is_double = true;
        pos_ = p;
        while (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_]))) ++pos_;
      }
    }
    std::string text(src_.substr(start, pos_ - start));
    if (is_double) {
      tok_.kind = Tok::kDouble;
      tok_.dval = std::strtod(text.c_str(), nullptr);
      return;
    }
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE) return Fail(static_cast<int>(start), "integer literal out of range");
    tok_.uval = v;
    FinishInt(start);
  }

  void FinishInt(size_t start) {
    if (pos_ < src_.size() && (src_[pos_] == 'u' || src_[pos_] == 'U')) {
      ++pos_;
      tok_.kind = Tok::kUint;
    } else {
      tok_.kind = Tok::kInt;
    }
    if (pos_ < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_'))
      Fail(static_cast<int>(start), "invalid number literal");
  }

  void LexString(bool raw, bool bytes) {
    size_t start = pos_;
    char q = src_[pos_];
    bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q;
    pos_ += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (pos_ >= src_.size()) return Fail(static_cast<int>(start), "unterminated string literal");
      char c = src_[pos_];
      if (triple) {
        if (c == q && pos_ + 2 < src_.size() + 0 && src_[pos_ + 1] == q && src_[pos_ + 2] == q) {
          pos_ += 3;
          break;
        }
      } else {
        if (c == q) { ++pos_; break; }
        if (c == '\n' || c == '\r') return Fail(static_cast<int>(pos_), "newline in string literal");
      }
      if (c != '\\' || raw) {
        out.push_back(c);
        ++pos_;
        continue;
      }
      // Escape sequence.
      if (pos_ + 1 >= src_.size()) return Fail(static_cast<int>(pos_), "unterminated escape sequence");
      char e = src_[pos_ + 1];
      size_t esc = pos_;
      pos_ += 2;
      switch (e) {
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        case '`': out.push_back('`'); break;
        case '?': out.push_back('?'); break;
        case 'x': case 'X': {
          if (pos_ + 2 > src_.size() || HexVal(src_[pos_]) < 0 || HexVal(src_[pos_ + 1]) < 0)
            return Fail(static_cast<int>(esc), "invalid \\x escape");
          uint32_t v = HexVal(src_[pos_]) * 16 + HexVal(src_[pos_ + 1]);
          pos_ += 2;
          if (bytes) out.push_back(static_cast<char>(v)); else utf8::AppendRune(out, v);
          break;
        }
        case 'u': case 'U': {
          if (bytes) return Fail(static_cast<int>(esc), "\\u escape not allowed in bytes literal");
          size_t n = e == 'u' ? 4 : 8;
          if (pos_ + n > src_.size()) return Fail(static_cast<int>(esc), "invalid unicode escape");
          uint32_t v = 0;
          for (size_t i = 0; i < n; ++i) {
            int h = HexVal(src_[pos_ + i]);
            if (h < 0) return Fail(static_cast<int>(esc), "invalid unicode escape");
            v = v * 16 + h;
          }
          pos_ += n;
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return Fail(static_cast<int>(esc), "invalid unicode code point");
          utf8::AppendRune(out, v);
          break;
        }
        default:
          if (e >= '0' && e <= '3') {
            if (pos_ + 2 > src_.size() || src_[pos_] < '0' || src_[pos_] > '7' || src_[pos_ + 1] < '0' ||
                src_[pos_ + 1] > '7')
              return Fail(static_cast<int>(esc), "invalid octal escape");
            uint32_t v = (e - '0') * 64 + (src_[pos_] - '0') * 8 + (src_[pos_ + 1] - '0');
            pos_ += 2;
            if (bytes) out.push_back(static_cast<char>(v)); else utf8::AppendRune(out, v);
            break;
          }
          return Fail(static_cast<int>(esc), std::string("invalid escape sequence '\\") + e + "'");
      }
    }
    tok_.kind = bytes ? Tok::kBytes : Tok::kString;
    tok_.text = std::move(out);
  }

  // ---- grammar ------------------------------------------------------------
  bool Accept(Tok k) {
    if (tok_.kind != k) return false;
    Advance();
    return true;
  }
  bool Expect(Tok k, const char* what) {
    if (Accept(k)) return true;
    Fail(tok_.pos, std::string("expected ") + what + ", got " + Describe(tok_));
    return false;
  }

  struct DepthGuard {
    Parser* p;
    explicit DepthGuard(Parser* parser) : p(parser) { ++p->depth_; }
    ~DepthGuard() { --p->depth_; }
  };
  bool TooDeep() {
    if (depth_ > opts_.max_depth) {
      Fail(tok_.pos, absl::StrCat("expression nesting exceeds the limit of ", opts_.max_depth));
      return true;
    }
    return false;
  }

  static std::unique_ptr<Expr> Node(Expr::Type t, int pos) {
    auto e = std::make_unique<Expr>();
    e->type = t;
    e->position = pos;
    return e;
  }
  // Computes the height of a finished node; trees taller than twice the
  // nesting limit are rejected so evaluation recursion stays bounded.
  void Seal(Expr* e) {
    int h = e->target ? e->target->height : 0;
    for (const auto& a : e->args) h = std::max(h, a->height);
    e->height = h + 1;
    if (e->height > 2 * opts_.max_depth)
      Fail(e->position, absl::StrCat("expression nesting exceeds the limit of ", opts_.max_depth));
  }
  std::unique_ptr<Expr> Call(std::string fn, int pos, std::vector<std::unique_ptr<Expr>> args) {
    auto e = Node(Expr::Type::kCall, pos);
    e->name = std::move(fn);
    e->args = std::move(args);
    Seal(e.get());
    return e;
  }
  std::unique_ptr<Expr> Binary(std::string fn, int pos, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r) {
    std::vector<std::unique_ptr<Expr>> a;
    a.push_back(std::move(l));
    a.push_back(std::move(r));
    return Call(std::move(fn), pos, std::move(a));
  }
  std::unique_ptr<Expr> ErrorNode() { return Node(Expr::Type::kConst, tok_.pos); }

  std::unique_ptr<Expr> ParseExpr() {
    DepthGuard g(this);
    if (TooDeep()) return ErrorNode();
    auto cond = ParseOr();
    if (tok_.kind != Tok::kQuestion) return cond;
    int pos = tok_.pos;
    Advance();
    auto t = ParseOr();
    if (!Expect(Tok::kColon, "':'")) return ErrorNode();
    auto f = ParseExpr();
    std::vector<std::unique_ptr<Expr>> a;
    a.push_back(std::move(cond));
    a.push_back(std::move(t));
    a.push_back(std::move(f));
    return Call("_?_:_", pos, std::move(a));
  }

  // `a || b || c ...` and `&&` chains become balanced trees (as cel-go does),
  // so long chains do not nest deeply.
  std::unique_ptr<Expr> Balance(const char* fn, std::vector<std::unique_ptr<Expr>>& ops, std::vector<int>& pos,
                                size_t lo, size_t hi) {
    if (lo == hi) return std::move(ops[lo]);
    size_t mid = (lo + hi + 1) / 2;
    auto l = Balance(fn, ops, pos, lo, mid - 1);
    auto r = Balance(fn, ops, pos, mid, hi);
    return Binary(fn, pos[mid - 1], std::move(l), std::move(r));
  }

  std::unique_ptr<Expr> ParseOr() {
    std::vector<std::unique_ptr<Expr>> ops;
    std::vector<int> pos;
    ops.push_back(ParseAnd());
    while (tok_.kind == Tok::kOr && error_.empty()) {
      pos.push_back(tok_.pos);
      Advance();
      ops.push_back(ParseAnd());
    }
    return Balance("_||_", ops, pos, 0, ops.size() - 1);
  }

  std::unique_ptr<Expr> ParseAnd() {
    std::vector<std::unique_ptr<Expr>> ops;
    std::vector<int> pos;
    ops.push_back(ParseRelation());
    while (tok_.kind == Tok::kAnd && error_.empty()) {
      pos.push_back(tok_.pos);
      Advance();
      ops.push_back(ParseRelation());
    }
    return Balance("_&&_", ops, pos, 0, ops.size() - 1);
  }

  // Left-associative operator chains nest one level per operator.
  bool ChainTooLong(int n) {
    if (n + depth_ <= opts_.max_depth) return false;
    Fail(tok_.pos, absl::StrCat("expression nesting exceeds the limit of ", opts_.max_depth));
    return true;
  }

  std::unique_ptr<Expr> ParseRelation() {
    auto l = ParseAdd();
    for (int n = 1;; ++n) {
      if (!error_.empty() || ChainTooLong(n)) return l;
      const char* fn = nullptr;
      switch (tok_.kind) {
        case Tok::kEq: fn = "_==_"; break;
        case Tok::kNe: fn = "_!=_"; break;
        case Tok::kLt: fn = "_<_"; break;
        case Tok::kLe: fn = "_<=_"; break;
        case Tok::kGt: fn = "_>_"; break;
        case Tok::kGe: fn = "_>=_"; break;
        case Tok::kIn: fn = "@in"; break;
        default: return l;
      }
      int pos = tok_.pos;
      Advance();
      auto r = ParseAdd();
      l = Binary(fn, pos, std::move(l), std::move(r));
    }
  }

  std::unique_ptr<Expr> ParseAdd() {
    auto l = ParseMul();
    int n = 0;
    while ((tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus) && !ChainTooLong(++n)) {
      const char* fn = tok_.kind == Tok::kPlus ? "_+_" : "_-_";
      int pos = tok_.pos;
      Advance();
      auto r = ParseMul();
      l = Binary(fn, pos, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Expr> ParseMul() {
    auto l = ParseUnary();
    int n = 0;
    while ((tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash || tok_.kind == Tok::kPercent) &&
           !ChainTooLong(++n)) {
      const char* fn = tok_.kind == Tok::kStar ? "_*_" : (tok_.kind == Tok::kSlash ? "_/_" : "_%_");
      int pos = tok_.pos;
      Advance();
      auto r = ParseUnary();
      l = Binary(fn, pos, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Expr> ParseUnary() {
    if (tok_.kind == Tok::kMinus) {
      int pos = tok_.pos;
      Advance();
      // A single '-' directly before a number is part of the literal.
      if (tok_.kind == Tok::kInt || tok_.kind == Tok::kDouble) {
        auto lit = Node(Expr::Type::kConst, pos);
        if (tok_.kind == Tok::kDouble) {
          lit->constant = Value::Double(-tok_.dval);
        } else {
          if (tok_.uval > 9223372036854775808ULL) {
            Fail(pos, "integer literal out of range");
            return ErrorNode();
          }
          lit->constant = Value::Int(static_cast<int64_t>(0 - tok_.uval));
        }
        Advance();
        return ParsePostfix(std::move(lit));
      }
      int count = 1;
      while (tok_.kind == Tok::kMinus) { ++count; Advance(); }
      auto m = ParseMember();
      if (count % 2 == 0) return m;
      std::vector<std::unique_ptr<Expr>> a;
      a.push_back(std::move(m));
      return Call("-_", pos, std::move(a));
    }
    if (tok_.kind == Tok::kNot) {
      int pos = tok_.pos;
      int count = 0;
      while (tok_.kind == Tok::kNot) { ++count; Advance(); }
      auto m = ParseMember();
      if (count % 2 == 0) return m;
      std::vector<std::unique_ptr<Expr>> a;
      a.push_back(std::move(m));
      return Call("!_", pos, std::move(a));
    }
    return ParseMember();
  }

  std::unique_ptr<Expr> ParseMember() { return ParsePostfix(ParsePrimary()); }

  bool ParseArgs(std::vector<std::unique_ptr<Expr>>* args) {
    // '(' already consumed.
    if (Accept(Tok::kRParen)) return true;
    for (;;) {
      args->push_back(ParseExpr());
      if (Accept(Tok::kComma)) {
        continue;
      }
      return Expect(Tok::kRParen, "')'");
    }
  }

  std::unique_ptr<Expr> ParsePostfix(std::unique_ptr<Expr> e) {
    int chain = 0;
    for (;;) {
      if (!error_.empty()) return e;
      if (++chain > opts_.max_depth) {
        Fail(tok_.pos, absl::StrCat("expression nesting exceeds the limit of ", opts_.max_depth));
        return e;
      }
      if (tok_.kind == Tok::kDot) {
        int pos = tok_.pos;
        Advance();
        bool opt = false;
        if (tok_.kind == Tok::kQuestion) {
          if (!opts_.enable_optional_syntax) {
            Fail(tok_.pos, "unsupported syntax '.?'");
            return e;
          }
          opt = true;
          Advance();
        }
        if (tok_.kind != Tok::kIdent && tok_.kind != Tok::kQuotedIdent) {
          Fail(tok_.pos, "expected field name after '.', got " + Describe(tok_));
          return e;
        }
        bool quoted = tok_.kind == Tok::kQuotedIdent;
        std::string field = tok_.text;
        int fpos = tok_.pos;
        Advance();
        if (quoted && tok_.kind == Tok::kLParen) {
          Fail(tok_.pos, "quoted identifiers cannot name functions");
          return e;
        }
        if (opt) {
          auto name = Node(Expr::Type::kConst, fpos);
          name->constant = Value::String(field);
          e = Binary("_?._", pos, std::move(e), std::move(name));
          continue;
        }
        if (tok_.kind == Tok::kLParen) {
          Advance();
          std::vector<std::unique_ptr<Expr>> args;
          if (!ParseArgs(&args)) return e;
          e = MakeCall(std::move(field), fpos, std::move(e), std::move(args));
          continue;
        }
        auto sel = Node(Expr::Type::kSelect, pos);
        sel->name = std::move(field);
        sel->target = std::move(e);
        Seal(sel.get());
        e = std::move(sel);
        continue;
      }
      if (tok_.kind == Tok::kLBracket) {
        int pos = tok_.pos;
        Advance();
        bool opt = false;
        if (tok_.kind == Tok::kQuestion) {
          if (!opts_.enable_optional_syntax) {
            Fail(tok_.pos, "unsupported syntax '[?'");
            return e;
          }
          opt = true;
          Advance();
        }
        auto idx = ParseExpr();
        if (!Expect(Tok::kRBracket, "']'")) return e;
        e = Binary(opt ? "_[?_]" : "_[_]", pos, std::move(e), std::move(idx));
        continue;
      }
      return e;
    }
  }

  std::unique_ptr<Expr> ParsePrimary() {
    int pos = tok_.pos;
    switch (tok_.kind) {
      case Tok::kInt: {
        if (tok_.uval > static_cast<uint64_t>(INT64_MAX)) {
          Fail(pos, "integer literal out of range");
          return ErrorNode();
        }
        auto e = Node(Expr::Type::kConst, pos);
        e->constant = Value::Int(static_cast<int64_t>(tok_.uval));
        Advance();
        return e;
      }
      case Tok::kUint: {
        auto e = Node(Expr::Type::kConst, pos);
        e->constant = Value::Uint(tok_.uval);
        Advance();
        return e;
      }
      case Tok::kDouble: {
        auto e = Node(Expr::Type::kConst, pos);
        e->constant = Value::Double(tok_.dval);
        Advance();
        return e;
      }
      case Tok::kString: {
        auto e = Node(Expr::Type::kConst, pos);
        if (!utf8::IsValid(tok_.text)) {
          Fail(pos, "string literal is not valid UTF-8");
          return e;
        }
        e->constant = Value::String(std::move(tok_.text));
        Advance();
        return e;
      }
      case Tok::kBytes: {
        auto e = Node(Expr::Type::kConst, pos);
        e->constant = Value::Bytes(std::move(tok_.text));
        Advance();
        return e;
      }
      case Tok::kTrue:
      case Tok::kFalse: {
        auto e = Node(Expr::Type::kConst, pos);
        e->constant = Value::Bool(tok_.kind == Tok::kTrue);
        Advance();
        return e;
      }
      case Tok::kNull: {
        auto e = Node(Expr::Type::kConst, pos);
        Advance();
        return e;
      }
      case Tok::kLParen: {
        Advance();
        auto e = ParseExpr();
        Expect(Tok::kRParen, "')'");
        return e;
      }
      case Tok::kLBracket: {
        Advance();
        auto e = Node(Expr::Type::kList, pos);
        while (tok_.kind != Tok::kRBracket) {
          bool opt = false;
          if (tok_.kind == Tok::kQuestion) {
            if (!opts_.enable_optional_syntax) {
              Fail(tok_.pos, "unsupported syntax '?'");
              return e;
            }
            opt = true;
            Advance();
          }
          e->args.push_back(ParseExpr());
          e->optional_entries.push_back(opt);
          if (!error_.empty()) return e;
          if (!Accept(Tok::kComma)) break;
        }
        Expect(Tok::kRBracket, "']'");
        Seal(e.get());
        return e;
      }
      case Tok::kLBrace: {
        Advance();
        auto e = Node(Expr::Type::kMap, pos);
        while (tok_.kind != Tok::kRBrace) {
          bool opt = false;
          if (tok_.kind == Tok::kQuestion) {
            if (!opts_.enable_optional_syntax) {
              Fail(tok_.pos, "unsupported syntax '?'");
              return e;
            }
            opt = true;
            Advance();
          }
          e->args.push_back(ParseExpr());
          if (!Expect(Tok::kColon, "':'")) return e;
          e->args.push_back(ParseExpr());
          e->optional_entries.push_back(opt);
          if (!error_.empty()) return e;
          if (!Accept(Tok::kComma)) break;
        }
        Expect(Tok::kRBrace, "'}'");
        Seal(e.get());
        return e;
      }
      case Tok::kDot:
      case Tok::kIdent: {
        bool dot = Accept(Tok::kDot);
        if (tok_.kind != Tok::kIdent) {
          Fail(tok_.pos, "expected identifier, got " + Describe(tok_));
          return ErrorNode();
        }
        std::string name = tok_.text;
        if (IsReserved(name)) {
          Fail(tok_.pos, "reserved identifier '" + name + "'");
          return ErrorNode();
        }
        int ipos = tok_.pos;
        Advance();
        if (tok_.kind == Tok::kLParen) {
          Advance();
          std::vector<std::unique_ptr<Expr>> args;
          if (!ParseArgs(&args)) return ErrorNode();
          return MakeCall(dot ? "." + name : name, ipos, nullptr, std::move(args));
        }
        if (tok_.kind == Tok::kLBrace) {
          Fail(tok_.pos, "message construction '" + name + "{...}' is not supported");
          return ErrorNode();
        }
        auto e = Node(Expr::Type::kIdent, dot ? pos : ipos);
        e->name = std::move(name);
        e->leading_dot = dot;
        return e;
      }
      default:
        Fail(pos, "unexpected " + Describe(tok_));
        return ErrorNode();
    }
  }

  // Builds a call, expanding macros when the shape matches.
  std::unique_ptr<Expr> MakeCall(std::string fn, int pos, std::unique_ptr<Expr> target,
                                 std::vector<std::unique_ptr<Expr>> args) {
    if (!target && fn == "has" && args.size() == 1) {
      if (args[0]->type != Expr::Type::kSelect) {
        Fail(pos, "invalid argument to has() macro");
        return ErrorNode();
      }
      auto m = Node(Expr::Type::kMacro, pos);
      m->macro = MacroKind::kHas;
      m->target = std::move(args[0]);
      Seal(m.get());
      return m;
    }
    if (target) {
      MacroKind kind;
      bool macro = true;
      size_t n = args.size();
      if (fn == "all" && n == 2) kind = MacroKind::kAll;
      else if (fn == "exists" && n == 2) kind = MacroKind::kExists;
      else if (fn == "exists_one" && n == 2) kind = MacroKind::kExistsOne;
      else if (fn == "map" && n == 2) kind = MacroKind::kMap;
      else if (fn == "map" && n == 3) kind = MacroKind::kMapFilter;
      else if (fn == "filter" && n == 2) kind = MacroKind::kFilter;
      else if (fn == "optMap" && n == 2) kind = MacroKind::kOptMap;
      else if (fn == "optFlatMap" && n == 2) kind = MacroKind::kOptFlatMap;
      else macro = false;
      if (macro) {
        if (args[0]->type != Expr::Type::kIdent || args[0]->leading_dot) {
          Fail(args[0]->position, "argument must be a simple name");
          return ErrorNode();
        }
        auto m = Node(Expr::Type::kMacro, pos);
        m->macro = kind;
        m->name = args[0]->name;
        m->target = std::move(target);
        for (size_t i = 1; i < args.size(); ++i) m->args.push_back(std::move(args[i]));
        Seal(m.get());
        return m;
      }
    }
    auto c = Call(std::move(fn), pos, std::move(args));
    c->target = std::move(target);
    Seal(c.get());
    return c;
  }

  std::string_view src_;
  ParseOptions opts_;
  size_t pos_ = 0;
  Token tok_;
  std::string error_;
  int depth_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Expr>> Parse(std::string_view source, const ParseOptions& options) {
  Parser p(source, options);
  return p.Run();
}

}  // namespace fluxcpp::cel
