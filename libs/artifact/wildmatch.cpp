#include "libs/artifact/wildmatch.h"

#include <cctype>
#include <string>
#include <vector>

namespace fluxcpp::artifact {
namespace {

// Result codes of the recursive matcher, as in git's wildmatch.c: the abort
// codes let an outer '*' stop trying further positions early.
enum Result { kMatch = 0, kNoMatch = 1, kAbortAll = -1, kAbortToStarStar = -2 };

bool IsGlobSpecial(unsigned char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool ClassMatches(std::string_view cls, unsigned char c) {
  if (cls == "alnum") return std::isalnum(c);
  if (cls == "alpha") return std::isalpha(c);
  if (cls == "blank") return c == ' ' || c == '\t';
  if (cls == "cntrl") return std::iscntrl(c);
  if (cls == "digit") return std::isdigit(c);
  if (cls == "graph") return std::isgraph(c);
  if (cls == "lower") return std::islower(c);
  if (cls == "print") return std::isprint(c);
  if (cls == "punct") return std::ispunct(c);
  if (cls == "space") return std::isspace(c);
  if (cls == "upper") return std::isupper(c);
  if (cls == "xdigit") return std::isxdigit(c);
  return false;
}

bool IsKnownClass(std::string_view cls) {
  static constexpr std::string_view kClasses[] = {"alnum", "alpha", "blank", "cntrl",
                                                  "digit", "graph", "lower", "print",
                                                  "punct", "space", "upper", "xdigit"};
  for (auto k : kClasses) {
    if (cls == k) return true;
  }
  return false;
}

// Shared state of one Wildmatch call. git's algorithm backtracks over every
// '*' and can go exponential on rules like "**/**/**/.../x" (rules come from
// untrusted repositories), so results of recursive calls are memoised per
// (pattern position, text position): the result is a pure function of both.
struct Matcher {
  const unsigned char* pattern_start;
  const unsigned char* text_start;
  size_t text_len;
  size_t pattern_len;
  unsigned flags;
  std::vector<signed char> memo;  // result + 3; 0 = unknown; allocated lazily

  int Call(const unsigned char* p, const unsigned char* text);
  int DoWild(const unsigned char* p, const unsigned char* text);
};

int Matcher::Call(const unsigned char* p, const unsigned char* text) {
  if (memo.empty()) memo.assign((pattern_len + 1) * (text_len + 1), 0);
  size_t key = static_cast<size_t>(p - pattern_start) * (text_len + 1) +
               static_cast<size_t>(text - text_start);
  if (memo[key] != 0) return memo[key] - 3;
  int result = DoWild(p, text);
  memo[key] = static_cast<signed char>(result + 3);
  return result;
}

// Both strings are NUL-terminated copies, so indexing one past a character is safe.
int Matcher::DoWild(const unsigned char* p, const unsigned char* text) {
  const bool pathname = (flags & kWildmatchPathname) != 0;
  for (; *p != '\0'; ++text, ++p) {
    unsigned char p_ch = *p;
    unsigned char t_ch = *text;
    if (t_ch == '\0' && p_ch != '*') return kAbortAll;
    switch (p_ch) {
      case '\\':
        // Literal match with the next character (a trailing '\' never matches).
        p_ch = *++p;
        [[fallthrough]];
      default:
        if (t_ch != p_ch) return kNoMatch;
        continue;
      case '?':
        if (pathname && t_ch == '/') return kNoMatch;
        continue;
      case '*': {
        bool match_slash;
        if (*++p == '*') {
          // The character before "**" (p points at the second '*').
          const bool at_component_start = (p - pattern_start) < 2 || p[-2] == '/';
          while (*++p == '*') {
          }
          if (at_component_start && (*p == '\0' || *p == '/' || (p[0] == '\\' && p[1] == '/'))) {
            // "**/" may match nothing: try the rest against the current text.
            if (p[0] == '/' && Call(p + 1, text) == kMatch) return kMatch;
            match_slash = true;
          } else {
            match_slash = !pathname;
          }
        } else {
          match_slash = !pathname;
        }
        if (*p == '\0') {
          // Trailing "**" matches everything; a trailing "*" only within one component.
          if (!match_slash) {
            for (const unsigned char* t = text; *t; ++t) {
              if (*t == '/') return kNoMatch;
            }
          }
          return kMatch;
        }
        if (!match_slash && *p == '/') {
          // A single '*' followed by '/' matches up to the next slash.
          const unsigned char* slash = text;
          while (*slash != '\0' && *slash != '/') ++slash;
          if (*slash == '\0') return kNoMatch;
          text = slash;
          break;  // the slash is consumed by the for loop
        }
        while (true) {
          if (t_ch == '\0') break;
          // Fast-forward to the next occurrence of a literal that follows '*'.
          if (!IsGlobSpecial(*p)) {
            p_ch = *p;
            while ((t_ch = *text) != '\0' && (match_slash || t_ch != '/')) {
              if (t_ch == p_ch) break;
              ++text;
            }
            if (t_ch != p_ch) return match_slash ? kAbortAll : kAbortToStarStar;
          }
          int matched = Call(p, text);
          if (matched != kNoMatch) {
            if (!match_slash || matched != kAbortToStarStar) return matched;
          } else if (!match_slash && t_ch == '/') {
            return kAbortToStarStar;
          }
          t_ch = *++text;
        }
        return kAbortAll;
      }
      case '[': {
        p_ch = *++p;
        if (p_ch == '^') p_ch = '!';
        const bool negated = p_ch == '!';
        if (negated) p_ch = *++p;
        unsigned char prev_ch = 0;
        bool matched = false;
        do {
          if (p_ch == '\0') return kAbortAll;
          if (p_ch == '\\') {
            p_ch = *++p;
            if (p_ch == '\0') return kAbortAll;
            if (t_ch == p_ch) matched = true;
          } else if (p_ch == '-' && prev_ch && p[1] && p[1] != ']') {
            p_ch = *++p;
            if (p_ch == '\\') {
              p_ch = *++p;
              if (p_ch == '\0') return kAbortAll;
            }
            if (t_ch <= p_ch && t_ch >= prev_ch) matched = true;
            p_ch = 0;  // so prev_ch becomes 0
          } else if (p_ch == '[' && p[1] == ':') {
            const unsigned char* s = p += 2;
            for (; (p_ch = *p) != '\0' && p_ch != ']'; ++p) {
            }
            if (p_ch == '\0') return kAbortAll;
            long i = p - s - 1;
            if (i < 0 || p[-1] != ':') {
              // No ":]": treat "[" as a normal member.
              p = s - 2;
              p_ch = '[';
              if (t_ch == p_ch) matched = true;
              continue;
            }
            std::string_view cls(reinterpret_cast<const char*>(s), static_cast<size_t>(i));
            if (!IsKnownClass(cls)) return kAbortAll;  // malformed [:class:]
            if (ClassMatches(cls, t_ch)) matched = true;
            p_ch = 0;
          } else if (t_ch == p_ch) {
            matched = true;
          }
        } while (prev_ch = p_ch, (p_ch = *++p) != ']');
        if (matched == negated || (pathname && t_ch == '/')) return kNoMatch;
        continue;
      }
    }
  }
  return *text != '\0' ? kNoMatch : kMatch;
}

}  // namespace

bool Wildmatch(std::string_view pattern, std::string_view text, unsigned flags) {
  // Work on NUL-terminated copies: the algorithm peeks one character ahead.
  // Embedded NULs cannot occur in paths; a pattern NUL simply ends it.
  std::string p(pattern), t(text);
  Matcher m{reinterpret_cast<const unsigned char*>(p.c_str()),
            reinterpret_cast<const unsigned char*>(t.c_str()),
            t.size(),
            p.size(),
            flags,
            {}};
  return m.DoWild(m.pattern_start, m.text_start) == kMatch;
}

}  // namespace fluxcpp::artifact
