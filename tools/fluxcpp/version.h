#pragma once
// Version strings printed by `fluxcpp version`.

namespace fluxcpp::cli {

inline constexpr char kFluxcppVersion[] = "0.1.0";
// The upstream releases whose behaviour the commands reproduce.
inline constexpr char kFluxCompatVersion[] = "2.4.0";
inline constexpr char kKustomizeCompatVersion[] = "v5.5.0";

}  // namespace fluxcpp::cli
