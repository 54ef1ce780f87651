#pragma once
// Detects that the client of a long-running response (a watch) went away
// while the server has nothing to write. cpp-httplib does not expose the
// connection's socket to handlers, so the socket is found by matching the
// request's local/remote address pair against this process's sockets.
// Thread-safe.

#include <string>

namespace fluxcpp::devapiserver {

// The socket fd serving the connection local_addr:local_port <->
// remote_addr:remote_port, or -1 when not found.
int FindConnectionFd(const std::string& local_addr, int local_port, const std::string& remote_addr,
                     int remote_port);

// True when the peer has closed (or reset) the connection on `fd`.
bool PeerClosed(int fd);

}  // namespace fluxcpp::devapiserver
