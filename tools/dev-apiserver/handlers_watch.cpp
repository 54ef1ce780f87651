// Watch streams of ApiServer: `?watch=true` on collection paths.
//
// The response is a chunked stream of newline-delimited watch events
// {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}. The
// serving thread drains its Watcher's queue, so writers never wait on it;
// it ends the stream at timeoutSeconds, when the watcher is closed (queue
// overflow, shutdown), or when the client disconnects (detected by polling
// the connection's socket while idle, and by failed writes).

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/connection_monitor.h"
#include "tools/dev-apiserver/http_util.h"
#include "tools/dev-apiserver/table.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

std::string EventLine(const std::string& type, const std::string& object_json) {
  std::string out;
  out.reserve(object_json.size() + 32);
  absl::StrAppend(&out, "{\"type\":\"", type, "\",\"object\":", object_json, "}\n");
  return out;
}

struct WatchState {
  std::shared_ptr<Watcher> watcher;
  ResourcePtr resource;
  ResponseForm form = ResponseForm::kObject;
  IncludeObject include = IncludeObject::kMetadata;
  bool bookmarks = false;
  bool initial_events_end = false;  // sendInitialEvents: bookmark after the initial ADDEDs
  std::string pending_error;        // an ERROR event to send, then end
  absl::Time deadline;
  absl::Time last_bookmark;
  int fd = -1;
  bool fd_looked_up = false;
  std::string local_addr, remote_addr;
  int local_port = 0, remote_port = 0;
};

std::string RenderEventObject(const WatchState& st, const std::shared_ptr<const std::string>& raw) {
  auto json = ObjectService::ForVersion(*st.resource, raw);
  if (st.form == ResponseForm::kObject) return *json;
  auto parsed = object::ParseJson(*json);
  if (!parsed.ok()) return *json;
  if (st.form == ResponseForm::kPartialMetadata) {
    return object::ToJson({{"kind", "PartialObjectMetadata"},
                           {"apiVersion", "meta.k8s.io/v1"},
                           {"metadata", (*parsed)["metadata"]}});
  }
  Value meta = {{"resourceVersion", object::GetString(*parsed, {"metadata", "resourceVersion"})}};
  return object::ToJson(ToTable(*st.resource, {*parsed}, st.include, meta));
}

std::string BookmarkObject(const ResourceInfo& r, int64_t rv, bool initial_events_end) {
  Value meta = {{"resourceVersion", std::to_string(rv)}};
  if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  return object::ToJson({{"kind", r.kind}, {"apiVersion", r.ApiVersion()}, {"metadata", meta}});
}

}  // namespace

void ApiServer::ServeWatch(const httplib::Request& req, httplib::Response& res, const RequestScope& scope,
                           const RequestInfo& info) {
  const ResourceInfo& r = *scope.resource;
  WatchFilter filter;
  filter.resource = r.GroupResource();
  filter.ns = scope.ns;
  auto labels = apimachinery::LabelSelector::Parse(Param(req, "labelSelector"));
  if (!labels.ok()) return WriteError(res, BadRequestError(labels.status().message()));
  filter.labels = std::move(*labels);
  std::string field_text = Param(req, "fieldSelector");
  if (!info.name.empty()) {
    field_text = field_text.empty() ? "metadata.name=" + info.name : field_text + ",metadata.name=" + info.name;
  }
  auto fields = apimachinery::FieldSelector::Parse(field_text);
  if (!fields.ok()) return WriteError(res, BadRequestError(fields.status().message()));
  filter.fields = std::move(*fields);

  auto st = std::make_shared<WatchState>();
  st->resource = scope.resource;
  st->form = FormFromAccept(req.get_header_value("Accept"));
  st->include = ParseIncludeObject(Param(req, "includeObject"));
  std::string allow = Param(req, "allowWatchBookmarks");
  st->bookmarks = allow == "true" || allow == "1" || allow == "True";

  absl::Duration timeout = options_.max_watch_timeout;
  std::string timeout_text = Param(req, "timeoutSeconds");
  if (!timeout_text.empty()) {
    int64_t secs = 0;
    if (!absl::SimpleAtoi(timeout_text, &secs) || secs < 0) {
      return WriteError(res, BadRequestError(absl::StrCat("invalid timeoutSeconds: ", timeout_text)));
    }
    if (secs > 0) timeout = std::min(timeout, absl::Seconds(secs));
  }
  st->deadline = absl::Now() + timeout;
  st->last_bookmark = absl::Now();

  std::string rv_text = Param(req, "resourceVersion");
  std::string send_initial = Param(req, "sendInitialEvents");
  Store::WatchFrom from = Store::WatchFrom::kSnapshot;
  int64_t rv = 0;
  if (send_initial == "true" || send_initial == "True") {
    from = Store::WatchFrom::kSnapshot;
    st->initial_events_end = st->bookmarks;
  } else if (!rv_text.empty() && rv_text != "0") {
    if (!absl::SimpleAtoi(rv_text, &rv)) {
      return WriteError(res, BadRequestError(absl::StrCat("invalid resource version: ", rv_text)));
    }
    from = Store::WatchFrom::kRevision;
  }
  auto watcher = service_.store().Watch(std::move(filter), from, rv);
  if (!watcher.ok()) {
    if (HttpCodeOf(watcher.status()) != 410) return WriteError(res, watcher.status());
    // Like kube-apiserver: a 200 stream carrying one ERROR event.
    st->pending_error = object::ToJson(ToStatusObject(watcher.status()));
  } else {
    st->watcher = *watcher;
  }
  st->local_addr = req.local_addr;
  st->local_port = req.local_port;
  st->remote_addr = req.remote_addr;
  st->remote_port = req.remote_port;

  // Compressing would buffer events inside the deflate stream.
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  active_watches_.fetch_add(1);
  Store* store = &service_.store();
  std::atomic<int>* active = &active_watches_;
  const absl::Duration bookmark_interval = options_.bookmark_interval;
  const std::atomic<bool>* stopping = &stopping_;
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json",
      [st, store, bookmark_interval, stopping](size_t, httplib::DataSink& sink) -> bool {
        if (!st->pending_error.empty()) {
          std::string line = EventLine("ERROR", st->pending_error);
          sink.write(line.data(), line.size());
          sink.done();
          return true;
        }
        if (!st->fd_looked_up) {
          st->fd_looked_up = true;
          st->fd = FindConnectionFd(st->local_addr, st->local_port, st->remote_addr, st->remote_port);
        }
        auto deliveries = st->watcher->Next(absl::Milliseconds(500));
        std::string chunk;
        for (const auto& d : deliveries) absl::StrAppend(&chunk, EventLine(d.type, RenderEventObject(*st, d.json)));
        if (st->initial_events_end) {
          // The snapshot was queued at registration; once drained, mark its end.
          int64_t brv = store->BookmarkRv(*st->watcher);
          if (brv > 0) {
            absl::StrAppend(&chunk, EventLine("BOOKMARK", BookmarkObject(*st->resource, brv, true)));
            st->initial_events_end = false;
            st->last_bookmark = absl::Now();
          }
        }
        if (!chunk.empty()) {
          if (!sink.write(chunk.data(), chunk.size())) return false;
        }
        absl::Time now = absl::Now();
        if (st->bookmarks && now - st->last_bookmark >= bookmark_interval) {
          int64_t brv = store->BookmarkRv(*st->watcher);
          if (brv > 0) {
            std::string line = EventLine("BOOKMARK", BookmarkObject(*st->resource, brv, false));
            if (!sink.write(line.data(), line.size())) return false;
          }
          st->last_bookmark = now;
        }
        if (st->watcher->closed() || stopping->load() || now >= st->deadline) {
          sink.done();
          return true;
        }
        if (deliveries.empty() && PeerClosed(st->fd)) return false;
        return true;
      },
      [st, store, active](bool) {
        if (st->watcher != nullptr) store->Unwatch(st->watcher);
        active->fetch_sub(1);
      });
}

}  // namespace fluxcpp::devapiserver
