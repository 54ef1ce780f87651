#include "libs/core/logger.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace fluxcpp {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_console{false};
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string FormatTime(bool millis) {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  if (millis) {
    int ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
    char frac[8];
    std::snprintf(frac, sizeof(frac), ".%03d", ms);
    out += frac;
  }
  out += "Z";
  return out;
}

}  // namespace

bool Logger::SetLevel(std::string_view level) {
  LogLevel parsed;
  if (level == "trace") parsed = LogLevel::kTrace;
  else if (level == "debug") parsed = LogLevel::kDebug;
  else if (level == "info") parsed = LogLevel::kInfo;
  else if (level == "error") parsed = LogLevel::kError;
  else return false;
  g_level.store(static_cast<int>(parsed));
  return true;
}

bool Logger::SetEncoding(std::string_view encoding) {
  if (encoding == "json") g_console = false;
  else if (encoding == "console") g_console = true;
  else return false;
  return true;
}

LogLevel Logger::level() { return static_cast<LogLevel>(g_level.load()); }

Logger Logger::With(std::initializer_list<LogField> fields) const {
  std::vector<LogField> merged = fields_;
  merged.insert(merged.end(), fields.begin(), fields.end());
  return Logger(std::move(merged), true);
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const {
  if (static_cast<int>(level) < g_level.load()) return;
  std::string line;
  line.reserve(160);
  if (g_console) {
    line += FormatTime(true);
    line += '\t';
    line += LevelName(level);
    line += '\t';
    line += msg;
    for (const auto* list : {&fields_}) {
      for (const LogField& f : *list) line += "\t" + f.key + "=" + f.value;
    }
    for (const LogField& f : fields) line += "\t" + f.key + "=" + f.value;
  } else {
    line += "{\"level\":\"";
    line += LevelName(level);
    line += "\",\"ts\":\"";
    line += FormatTime(true);
    line += "\",\"msg\":\"";
    AppendJsonEscaped(line, msg);
    line += '"';
    auto append = [&line](const LogField& f) {
      line += ",\"";
      AppendJsonEscaped(line, f.key);
      line += "\":\"";
      AppendJsonEscaped(line, f.value);
      line += '"';
    };
    for (const LogField& f : fields_) append(f);
    for (const LogField& f : fields) append(f);
    line += '}';
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string NowRfc3339Millis() { return FormatTime(true); }
std::string NowRfc3339() { return FormatTime(false); }

}  // namespace fluxcpp
