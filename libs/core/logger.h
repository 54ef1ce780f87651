#pragma once
// Structured logging in Flux's shape: one JSON object per line on stderr,
// {"level":"info","ts":"2024-05-01T10:00:00.000Z","msg":"...", <fields>}.
// Thread-safe. Values are strings; never pass a secret in a field or message.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxcpp {

enum class LogLevel { kTrace = 0, kDebug = 1, kInfo = 2, kError = 3 };

struct LogField {
  std::string key;
  std::string value;
};

class Logger {
 public:
  Logger() = default;
  explicit Logger(std::initializer_list<LogField> fields) : fields_(fields) {}
  explicit Logger(std::vector<LogField> fields, bool /*tag*/) : fields_(std::move(fields)) {}

  // Process-wide settings, set once from flags at start-up.
  static bool SetLevel(std::string_view level);  // trace|debug|info|error; false if unknown
  static bool SetEncoding(std::string_view encoding);  // json|console
  static LogLevel level();

  // A child logger carrying extra fields on every line.
  Logger With(std::initializer_list<LogField> fields) const;
  const std::vector<LogField>& fields() const { return fields_; }

  void Trace(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kTrace, msg, fields);
  }
  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kError, msg, fields);
  }
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const;

 private:
  std::vector<LogField> fields_;
};

// Appends `s` JSON-escaped (without quotes) to `out`.
void AppendJsonEscaped(std::string& out, std::string_view s);

// RFC 3339 UTC timestamp with millisecond precision, e.g. 2024-05-01T10:00:00.000Z.
std::string NowRfc3339Millis();
// RFC 3339 UTC timestamp with second precision, as Kubernetes metav1.Time.
std::string NowRfc3339();

}  // namespace fluxcpp
