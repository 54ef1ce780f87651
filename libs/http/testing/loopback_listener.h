#pragma once
// A TCP listening socket on 127.0.0.1 with a port the OS chose, for tests
// that play the server by hand (raw bytes, misbehaviour a library server
// never shows). Aborts when the socket cannot be made (tests only).

namespace fluxcpp::http::testing {

class LoopbackListener {
 public:
  LoopbackListener();
  ~LoopbackListener();  // closes the socket
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  // The next connection's descriptor (the caller closes it), or -1 once
  // Shutdown() was called.
  int Accept();
  // Makes a blocked Accept() return -1 (from another thread).
  void Shutdown();

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace fluxcpp::http::testing
