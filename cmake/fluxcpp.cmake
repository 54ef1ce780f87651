# Helpers shared by every CMakeLists.txt in the tree.
#
#   fluxcpp_library(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...]) -> static library target flux_<name>
#   fluxcpp_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
#       -> Catch2 executable build/tests/<name>, registered with CTest
#   fluxcpp_binary(<name> SOURCES ... [DEPS ...])    -> executable build/bin/<name>

function(fluxcpp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(flux_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(flux_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_include_directories(flux_${name} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()

# One shared Catch2 main, compiled once.
if(NOT TARGET fluxcpp_catch_main)
  file(WRITE ${CMAKE_BINARY_DIR}/catch_main.cpp "#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n")
  add_library(fluxcpp_catch_main STATIC ${CMAKE_BINARY_DIR}/catch_main.cpp)
  target_link_libraries(fluxcpp_catch_main PUBLIC Catch2::Catch2)
endif()

function(fluxcpp_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE fluxcpp_catch_main ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${FLUXCPP_TEST_OUTPUT_DIRECTORY})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "FLUXCPP_BIN_DIR=${CMAKE_BINARY_DIR}/bin;FLUXCPP_SOURCE_DIR=${CMAKE_SOURCE_DIR};FLUXCPP_SHARED_DIR=${FLUXCPP_SHARED_DIR}"
    LABELS "unit;${ARG_LABELS}")
endfunction()

function(fluxcpp_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# Adds every sub-folder of the current folder that has a CMakeLists.txt:
# first those named in ORDER (dependency order), then the rest alphabetically.
# -DFLUXCPP_SKIP_DIRS="a;b" leaves folders out (local iteration only).
function(fluxcpp_add_subdirectories)
  cmake_parse_arguments(ARG "" "" "ORDER" ${ARGN})
  file(GLOB _children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*/CMakeLists.txt)
  list(TRANSFORM _children REPLACE "/CMakeLists.txt$" "")
  list(SORT _children)
  if(FLUXCPP_SKIP_DIRS)
    list(REMOVE_ITEM _children ${FLUXCPP_SKIP_DIRS})
  endif()
  foreach(_child IN LISTS ARG_ORDER)
    if(_child IN_LIST _children)
      add_subdirectory(${_child})
      list(REMOVE_ITEM _children ${_child})
    endif()
  endforeach()
  foreach(_child IN LISTS _children)
    add_subdirectory(${_child})
  endforeach()
endfunction()
