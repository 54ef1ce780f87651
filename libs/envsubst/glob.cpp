#include "libs/envsubst/glob.h"

#include "libs/envsubst/go_text.h"

namespace fluxcpp::envsubst {
namespace {

absl::Status BadPattern() { return absl::InvalidArgumentError("syntax error in pattern"); }

struct Chunk {
  bool star;
  std::string_view chunk;
  std::string_view rest;
};

Chunk ScanChunk(std::string_view pattern) {
  bool star = false;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  return {star, pattern.substr(0, i), pattern.substr(i)};
}

// getEsc: a possibly escaped character of a class.
absl::Status GetEsc(std::string_view& chunk, char32_t* r) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return BadPattern();
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return BadPattern();
  }
  gotext::DecodedRune d = gotext::DecodeRune(chunk);
  *r = d.rune;
  bool bad = d.rune == gotext::kRuneError && d.width == 1;
  chunk.remove_prefix(d.width);
  if (chunk.empty()) bad = true;
  return bad ? BadPattern() : absl::OkStatus();
}

struct ChunkMatch {
  bool ok = false;
  std::string_view rest;
};

// matchChunk: whether chunk matches the beginning of s.
absl::StatusOr<ChunkMatch> MatchChunk(std::string_view chunk, std::string_view s) {
  while (!chunk.empty()) {
    if (s.empty()) return ChunkMatch{};
    switch (chunk[0]) {
      case '[': {
        gotext::DecodedRune d = gotext::DecodeRune(s);
        s.remove_prefix(d.width);
        chunk.remove_prefix(1);
        bool not_negated = true;
        if (!chunk.empty() && chunk[0] == '^') {
          not_negated = false;
          chunk.remove_prefix(1);
        }
        bool match = false;
        int nrange = 0;
        while (true) {
          if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
            chunk.remove_prefix(1);
            break;
          }
          char32_t lo = 0;
          if (absl::Status st = GetEsc(chunk, &lo); !st.ok()) return st;
          char32_t hi = lo;
          if (chunk[0] == '-') {
            chunk.remove_prefix(1);
            if (absl::Status st = GetEsc(chunk, &hi); !st.ok()) return st;
          }
          if (lo <= d.rune && d.rune <= hi) match = true;
          ++nrange;
        }
        if (match != not_negated) return ChunkMatch{};
        break;
      }
      case '?': {
        s.remove_prefix(gotext::DecodeRune(s).width);
        chunk.remove_prefix(1);
        break;
      }
      case '\\':
        chunk.remove_prefix(1);
        if (chunk.empty()) return BadPattern();
        [[fallthrough]];
      default:
        if (chunk[0] != s[0]) return ChunkMatch{};
        s.remove_prefix(1);
        chunk.remove_prefix(1);
    }
  }
  return ChunkMatch{true, s};
}

}  // namespace

absl::StatusOr<bool> GlobMatch(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    Chunk c = ScanChunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) return true;  // trailing '*' matches the rest
    absl::StatusOr<ChunkMatch> m = MatchChunk(c.chunk, name);
    // The last chunk must exhaust the name, otherwise try the star.
    if (m.ok() && m->ok && (m->rest.empty() || !pattern.empty())) {
      name = m->rest;
      continue;
    }
    if (!m.ok()) return m.status();
    bool advanced = false;
    if (c.star) {
      for (size_t i = 0; i < name.size(); ++i) {
        absl::StatusOr<ChunkMatch> t = MatchChunk(c.chunk, name.substr(i + 1));
        if (t.ok() && t->ok) {
          if (pattern.empty() && !t->rest.empty()) continue;
          name = t->rest;
          advanced = true;
          break;
        }
        if (!t.ok()) return t.status();
      }
    }
    if (!advanced) return false;
  }
  return name.empty();
}

}  // namespace fluxcpp::envsubst
