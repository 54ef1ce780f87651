#include "tools/dev-apiserver/protobuf_decoder.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/core/duration.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

constexpr const char kSchema[] =
#include "tools/dev-apiserver/proto_schema_data.inc"
    ;

struct Field {
  std::string name;
  char label = 'o';  // o optional, r repeated, m map<string, type>
  std::string type;
};
using Message = std::map<int, Field>;
using Schema = std::map<std::string, Message>;

const Schema& GetSchema() {
  static const Schema* schema = [] {
    auto* out = new Schema();
    Message* current = nullptr;
    for (absl::string_view line : absl::StrSplit(kSchema, '\n', absl::SkipEmpty())) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (parts.size() == 2 && parts[0] == "M") {
        current = &(*out)[parts[1]];
      } else if (parts.size() == 5 && parts[0] == "F" && current != nullptr) {
        (*current)[std::stoi(parts[1])] = {parts[2], parts[3][0], parts[4]};
      }
    }
    return out;
  }();
  return *schema;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool AtEnd() const { return pos_ >= data_.size(); }

  absl::StatusOr<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return absl::InvalidArgumentError("truncated varint");
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return absl::InvalidArgumentError("varint too long");
  }
  absl::StatusOr<std::string_view> Bytes() {
    FLUX_ASSIGN_OR_RETURN(uint64_t len, Varint());
    if (len > data_.size() - pos_) return absl::InvalidArgumentError("truncated length-delimited field");
    std::string_view out = data_.substr(pos_, len);
    pos_ += len;
    return out;
  }
  absl::Status Skip(int wire_type) {
    switch (wire_type) {
      case 0:
        return Varint().status();
      case 1:
        if (data_.size() - pos_ < 8) return absl::InvalidArgumentError("truncated fixed64");
        pos_ += 8;
        return absl::OkStatus();
      case 2:
        return Bytes().status();
      case 5:
        if (data_.size() - pos_ < 4) return absl::InvalidArgumentError("truncated fixed32");
        pos_ += 4;
        return absl::OkStatus();
      default:
        return absl::InvalidArgumentError(absl::StrCat("unsupported wire type ", wire_type));
    }
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

bool IsEmpty(const Value& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() == 0;
  if (v.is_object() || v.is_array()) return v.empty();
  return false;
}

std::string FormatTime(int64_t seconds, int32_t nanos, bool micro) {
  absl::Time t = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  return absl::FormatTime(micro ? "%Y-%m-%dT%H:%M:%E6SZ" : "%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<Value> DecodeMessage(std::string_view data, const std::string& type, int depth);

absl::StatusOr<Value> DecodeScalar(Reader& r, int wire_type, const std::string& type) {
  if (type == "string" || type == "bytes") {
    if (wire_type != 2) return absl::InvalidArgumentError("expected a length-delimited field");
    FLUX_ASSIGN_OR_RETURN(std::string_view bytes, r.Bytes());
    if (type == "string") return Value(std::string(bytes));
    return Value(absl::Base64Escape(absl::string_view(bytes.data(), bytes.size())));
  }
  if (wire_type != 0) return absl::InvalidArgumentError("expected a varint field");
  FLUX_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
  if (type == "bool") return Value(v != 0);
  if (type == "int32") return Value(static_cast<int64_t>(static_cast<int32_t>(v)));
  return Value(static_cast<int64_t>(v));
}

bool IsScalar(const std::string& type) {
  return type == "string" || type == "bytes" || type == "bool" || type == "int32" || type == "int64";
}

absl::StatusOr<Value> DecodeValue(Reader& r, int wire_type, const std::string& type, int depth) {
  if (IsScalar(type)) return DecodeScalar(r, wire_type, type);
  if (wire_type != 2) return absl::InvalidArgumentError(absl::StrCat("expected a message for ", type));
  FLUX_ASSIGN_OR_RETURN(std::string_view bytes, r.Bytes());
  return DecodeMessage(bytes, type, depth + 1);
}

// Well-known types with special JSON forms; a discarded Value for ordinary
// messages.
absl::StatusOr<Value> DecodeWellKnown(std::string_view data, const std::string& type) {
  auto read_fields = [&](std::map<int, Value>& out) -> absl::Status {
    Reader r(data);
    while (!r.AtEnd()) {
      FLUX_ASSIGN_OR_RETURN(uint64_t tag, r.Varint());
      int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
      if (wire == 0) {
        FLUX_ASSIGN_OR_RETURN(uint64_t v, r.Varint());
        out[number] = static_cast<int64_t>(v);
      } else if (wire == 2) {
        FLUX_ASSIGN_OR_RETURN(std::string_view b, r.Bytes());
        out[number] = std::string(b);
      } else {
        FLUX_RETURN_IF_ERROR(r.Skip(wire));
      }
    }
    return absl::OkStatus();
  };
  const std::string meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  if (type == meta + "Time" || type == meta + "MicroTime") {
    std::map<int, Value> f;
    FLUX_RETURN_IF_ERROR(read_fields(f));
    int64_t seconds = f.count(1) ? f[1].get<int64_t>() : 0;
    int32_t nanos = f.count(2) ? static_cast<int32_t>(f[2].get<int64_t>()) : 0;
    if (seconds == 0 && nanos == 0) return Value();
    return Value(FormatTime(seconds, nanos, type == meta + "MicroTime"));
  }
  if (type == meta + "Duration") {
    std::map<int, Value> f;
    FLUX_RETURN_IF_ERROR(read_fields(f));
    return Value(FormatGoDuration(Duration(f.count(1) ? f[1].get<int64_t>() : 0)));
  }
  if (type == "k8s.io.apimachinery.pkg.api.resource.Quantity") {
    std::map<int, Value> f;
    FLUX_RETURN_IF_ERROR(read_fields(f));
    return Value(f.count(1) ? f[1] : Value("0"));
  }
  if (type == "k8s.io.apimachinery.pkg.util.intstr.IntOrString") {
    std::map<int, Value> f;
    FLUX_RETURN_IF_ERROR(read_fields(f));
    int64_t kind = f.count(1) ? f[1].get<int64_t>() : 0;
    if (kind == 1) return Value(f.count(3) ? f[3] : Value(""));
    return Value(f.count(2) ? static_cast<int64_t>(static_cast<int32_t>(f[2].get<int64_t>())) : 0);
  }
  if (type == "k8s.io.apimachinery.pkg.runtime.RawExtension" || type == meta + "FieldsV1") {
    std::map<int, Value> f;
    FLUX_RETURN_IF_ERROR(read_fields(f));
    if (!f.count(1)) return Value();
    Value parsed = Value::parse(f[1].get<std::string>(), nullptr, false);
    return Value(parsed.is_discarded() ? Value() : parsed);
  }
  return Value(Value::value_t::discarded);
}

absl::StatusOr<Value> DecodeMessage(std::string_view data, const std::string& type, int depth) {
  if (depth > 64) return absl::InvalidArgumentError("message nesting too deep");
  FLUX_ASSIGN_OR_RETURN(Value special, DecodeWellKnown(data, type));
  if (!special.is_discarded()) return special;
  const Schema& schema = GetSchema();
  auto msg = schema.find(type);
  if (msg == schema.end()) return absl::UnimplementedError(absl::StrCat("no protobuf schema for ", type));
  Value out = Value::object();
  Reader r(data);
  while (!r.AtEnd()) {
    FLUX_ASSIGN_OR_RETURN(uint64_t tag, r.Varint());
    int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    auto field_it = msg->second.find(number);
    if (field_it == msg->second.end()) {
      FLUX_RETURN_IF_ERROR(r.Skip(wire));
      continue;
    }
    const Field& field = field_it->second;
    if (field.label == 'm') {
      FLUX_ASSIGN_OR_RETURN(std::string_view entry, r.Bytes());
      Reader er(entry);
      std::string key;
      Value value = IsScalar(field.type) ? (field.type == "bool" ? Value(false) : field.type == "int32" ||
                                                                                      field.type == "int64"
                                                                                  ? Value(0)
                                                                                  : Value(""))
                                         : Value::object();
      while (!er.AtEnd()) {
        FLUX_ASSIGN_OR_RETURN(uint64_t etag, er.Varint());
        int enumber = static_cast<int>(etag >> 3), ewire = static_cast<int>(etag & 7);
        if (enumber == 1) {
          FLUX_ASSIGN_OR_RETURN(Value k, DecodeScalar(er, ewire, "string"));
          key = k.get<std::string>();
        } else if (enumber == 2) {
          FLUX_ASSIGN_OR_RETURN(value, DecodeValue(er, ewire, field.type, depth));
        } else {
          FLUX_RETURN_IF_ERROR(er.Skip(ewire));
        }
      }
      Value& map = out[field.name];
      if (!map.is_object()) map = Value::object();
      map[key] = std::move(value);
      continue;
    }
    if (field.label == 'r') {
      Value& list = out[field.name];
      if (!list.is_array()) list = Value::array();
      if (wire == 2 && IsScalar(field.type) && field.type != "string" && field.type != "bytes") {
        FLUX_ASSIGN_OR_RETURN(std::string_view packed, r.Bytes());
        Reader pr(packed);
        while (!pr.AtEnd()) {
          FLUX_ASSIGN_OR_RETURN(Value v, DecodeScalar(pr, 0, field.type));
          list.push_back(std::move(v));
        }
        continue;
      }
      FLUX_ASSIGN_OR_RETURN(Value v, DecodeValue(r, wire, field.type, depth));
      list.push_back(std::move(v));
      continue;
    }
    FLUX_ASSIGN_OR_RETURN(Value v, DecodeValue(r, wire, field.type, depth));
    bool keep_when_empty = field.type == "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    if (IsEmpty(v) && !keep_when_empty) {
      out.erase(field.name);
    } else {
      out[field.name] = std::move(v);
    }
  }
  // Empty lists and maps are omitted like Go's omitempty.
  for (auto it = out.begin(); it != out.end();) {
    if ((it.value().is_array() || it.value().is_object()) && it.value().empty()) {
      it = out.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::string ProtoPackage(const std::string& group, const std::string& version) {
  std::string short_group = group.empty() ? "core" : group.substr(0, group.find('.'));
  return absl::StrCat("k8s.io.api.", short_group, ".", version);
}

}  // namespace

absl::StatusOr<Value> DecodeKubernetesProtobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return absl::InvalidArgumentError("missing the k8s protobuf magic prefix");
  Reader envelope(body.substr(4));
  std::string api_version, kind;
  std::string_view raw;
  while (!envelope.AtEnd()) {
    FLUX_ASSIGN_OR_RETURN(uint64_t tag, envelope.Varint());
    int number = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (number == 1 && wire == 2) {
      FLUX_ASSIGN_OR_RETURN(std::string_view type_meta, envelope.Bytes());
      Reader tr(type_meta);
      while (!tr.AtEnd()) {
        FLUX_ASSIGN_OR_RETURN(uint64_t ttag, tr.Varint());
        int tnumber = static_cast<int>(ttag >> 3), twire = static_cast<int>(ttag & 7);
        if ((tnumber == 1 || tnumber == 2) && twire == 2) {
          FLUX_ASSIGN_OR_RETURN(std::string_view s, tr.Bytes());
          (tnumber == 1 ? api_version : kind) = std::string(s);
        } else {
          FLUX_RETURN_IF_ERROR(tr.Skip(twire));
        }
      }
    } else if (number == 2 && wire == 2) {
      FLUX_ASSIGN_OR_RETURN(raw, envelope.Bytes());
    } else {
      FLUX_RETURN_IF_ERROR(envelope.Skip(wire));
    }
  }
  if (kind.empty() || api_version.empty()) return absl::InvalidArgumentError("protobuf envelope without type");
  size_t slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  FLUX_ASSIGN_OR_RETURN(Value obj, DecodeMessage(raw, absl::StrCat(ProtoPackage(group, version), ".", kind), 0));
  Value out = {{"apiVersion", api_version}, {"kind", kind}};
  for (auto it = obj.begin(); it != obj.end(); ++it) out[it.key()] = it.value();
  return out;
}

}  // namespace fluxcpp::devapiserver
