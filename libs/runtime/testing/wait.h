#pragma once
// Polling helper for asynchronous tests.

#include <chrono>
#include <functional>
#include <thread>

namespace fluxcpp::runtime::testing {

// Polls `cond` every millisecond until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& cond,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

}  // namespace fluxcpp::runtime::testing
