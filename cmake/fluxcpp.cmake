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

# Binaries link third-party code from the static archives Debian ships
# (Abseil, yaml-cpp, RE2, gRPC, libgit2, ...; libstdc++/libgcc too when no
# shared C++ library remains): an idle controller then maps a few MiB fewer
# library pages (issue #4, tools/bench/runtime). A library Debian ships only
# as .so (cpp-httplib) stays shared, and so does everything it needs
# (OpenSSL, zlib, libstdc++): one copy of each in the process. glibc stays
# shared. Off with -DFLUXCPP_STATIC_BINARIES=OFF and under sanitizers.
option(FLUXCPP_STATIC_BINARIES "Link fluxcpp_binary executables against static third-party archives where available" ON)
# The link closure is walked from the top-level directory, which must see the
# imported targets that sub-directories find (e.g. protobuf in proto/).
set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL ON)

function(fluxcpp_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(FLUXCPP_STATIC_BINARIES AND NOT FLUXCPP_SANITIZE)
    # Sources compile with the deps' usage requirements; the executable's link
    # line is assembled once every target is defined (end of configure).
    add_library(${name}_objects OBJECT ${ARG_SOURCES})
    target_link_libraries(${name}_objects PRIVATE ${ARG_DEPS})
    add_executable(${name} $<TARGET_OBJECTS:${name}_objects>)
    add_dependencies(${name} ${name}_objects)
    cmake_language(EVAL CODE
      "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _fluxcpp_link_static [[${name}]] ${ARG_DEPS})")
  else()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  endif()
endfunction()

# glibc's libraries always stay shared.
set(_FLUXCPP_GLIBC_LIBS libc libm libdl libpthread librt libresolv libutil libanl libnsl ld-linux-x86-64 ld-linux)

# out_base: "libfoo" for ".../libfoo.so.1.2" or "libfoo.a" (empty when not a library file).
function(_fluxcpp_lib_base path out_base)
  get_filename_component(_n "${path}" NAME)
  if(_n MATCHES "^(lib.+)\\.(so(\\..*)?|a)$")
    set(${out_base} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  else()
    set(${out_base} "" PARENT_SCOPE)
  endif()
endfunction()

# out: the shared libraries (full paths) a .so names in DT_NEEDED (cached).
function(_fluxcpp_needed so out)
  get_property(_cached GLOBAL PROPERTY "_FLUXCPP_NEEDED_${so}" SET)
  if(_cached)
    get_property(_r GLOBAL PROPERTY "_FLUXCPP_NEEDED_${so}")
    set(${out} "${_r}" PARENT_SCOPE)
    return()
  endif()
  set(_readelf "${CMAKE_READELF}")
  if(NOT _readelf)
    set(_readelf readelf)
  endif()
  execute_process(COMMAND "${_readelf}" -d "${so}" OUTPUT_VARIABLE _dyn ERROR_QUIET)
  string(REGEX MATCHALL "\\(NEEDED\\)[^[]*\\[[^]]+\\]" _lines "${_dyn}")
  get_filename_component(_dir "${so}" DIRECTORY)
  set(_r)
  foreach(_l IN LISTS _lines)
    string(REGEX REPLACE ".*\\[([^]]+)\\]" "\\1" _soname "${_l}")
    foreach(_d IN ITEMS "${_dir}" /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE} /lib/${CMAKE_LIBRARY_ARCHITECTURE} /usr/lib /lib)
      if(EXISTS "${_d}/${_soname}")
        list(APPEND _r "${_d}/${_soname}")
        break()
      endif()
    endforeach()
  endforeach()
  set_property(GLOBAL PROPERTY "_FLUXCPP_NEEDED_${so}" "${_r}")
  set(${out} "${_r}" PARENT_SCOPE)
endfunction()

# out: the static archive beside a shared library, or empty.
function(_fluxcpp_static_twin so out)
  _fluxcpp_lib_base("${so}" _base)
  get_filename_component(_dir "${so}" DIRECTORY)
  set(${out} "" PARENT_SCOPE)
  if(NOT _base OR _base IN_LIST _FLUXCPP_GLIBC_LIBS OR _base STREQUAL "libstdc++" OR _base STREQUAL "libgcc_s")
    return()
  endif()
  foreach(_d IN ITEMS "${_dir}" /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE})
    if(EXISTS "${_d}/${_base}.a")
      set(${out} "${_d}/${_base}.a" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# Walks the deps' link closure: our static libraries go by file, imported
# shared libraries are swapped for their archives (plus, for each, the
# libraries its .so needs, since an archive carries no DT_NEEDED).
function(_fluxcpp_link_static name)
  set(_queue ${ARGN})
  set(_seen)
  set(_own)        # our static archives ($<TARGET_FILE:...>)
  set(_own_targets)
  set(_shared)     # third-party shared libraries (full paths) in the closure
  set(_other)      # flags and anything not understood, passed through
  set(_options)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _cfg)
  while(_queue)
    list(POP_FRONT _queue _item)
    if(_item MATCHES "^\\$<LINK_ONLY:(.+)>$")
      set(_item "${CMAKE_MATCH_1}")
    endif()
    if(_item IN_LIST _seen OR _item STREQUAL "")
      continue()
    endif()
    list(APPEND _seen "${_item}")
    set(_fluxcpp_named_so "")
    string(REGEX REPLACE "^-l" "" _lib_name "${_item}")
    if(NOT TARGET "${_item}" AND _lib_name MATCHES "^[A-Za-z0-9_+.-]+$"
       AND NOT _lib_name MATCHES "^(c|m|dl|rt|pthread|atomic)$"
       AND EXISTS "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/lib${_lib_name}.so")
      set(_fluxcpp_named_so "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/lib${_lib_name}.so")
    endif()
    if(TARGET "${_item}")
      get_target_property(_aliased "${_item}" ALIASED_TARGET)
      if(_aliased)
        list(APPEND _queue "${_aliased}")
        continue()
      endif()
      get_target_property(_type "${_item}" TYPE)
      get_target_property(_imported "${_item}" IMPORTED)
      if(NOT _imported AND _type STREQUAL "STATIC_LIBRARY")
        list(APPEND _own "$<TARGET_FILE:${_item}>")
        list(APPEND _own_targets "${_item}")
      elseif(_imported AND NOT _type STREQUAL "INTERFACE_LIBRARY")
        get_target_property(_loc "${_item}" IMPORTED_LOCATION_${_cfg})
        if(NOT _loc)
          get_target_property(_loc "${_item}" IMPORTED_LOCATION)
        endif()
        if(NOT _loc)
          get_target_property(_cfgs "${_item}" IMPORTED_CONFIGURATIONS)
          if(_cfgs)
            list(GET _cfgs 0 _c0)
            get_target_property(_loc "${_item}" IMPORTED_LOCATION_${_c0})
          endif()
        endif()
        if(_loc)
          list(APPEND _queue "${_loc}")
        endif()
      elseif(NOT _type STREQUAL "INTERFACE_LIBRARY")
        message(FATAL_ERROR "fluxcpp_binary(${name}): cannot link ${_item} (${_type}) statically")
      endif()
      get_target_property(_ill "${_item}" INTERFACE_LINK_LIBRARIES)
      if(_ill)
        list(APPEND _queue ${_ill})
      endif()
      get_target_property(_ilo "${_item}" INTERFACE_LINK_OPTIONS)
      if(_ilo)
        list(APPEND _options ${_ilo})
      endif()
    elseif(IS_ABSOLUTE "${_item}" AND _item MATCHES "\\.so(\\.[0-9.]+)?$")
      list(APPEND _shared "${_item}")
    elseif(_item MATCHES "^(-l)?[A-Za-z0-9_+.-]+$" AND _fluxcpp_named_so)
      # A library by name ("re2", "-lre2"), which the linker would take shared.
      list(APPEND _shared "${_fluxcpp_named_so}")
    elseif(_item MATCHES "::")
      message(FATAL_ERROR "fluxcpp_binary(${name}): ${_item} is not visible from the top-level directory "
                          "(make it global, or configure with -DFLUXCPP_STATIC_BINARIES=OFF)")
    else()
      list(APPEND _other "${_item}")
    endif()
  endwhile()

  # Libraries with no archive, and everything they need, stay shared.
  set(_keep)
  set(_work)
  foreach(_so IN LISTS _shared)
    _fluxcpp_static_twin("${_so}" _a)
    if(NOT _a)
      list(APPEND _work "${_so}")
    endif()
  endforeach()
  while(_work)
    list(POP_FRONT _work _so)
    _fluxcpp_lib_base("${_so}" _base)
    if(_base IN_LIST _keep)
      continue()
    endif()
    list(APPEND _keep "${_base}")
    _fluxcpp_needed("${_so}" _needed)
    list(APPEND _work ${_needed})
  endwhile()

  # The others become archives; each archive's own needs are added the same way.
  set(_archives)
  set(_dynamic)
  set(_work ${_shared})
  set(_done)
  while(_work)
    list(POP_FRONT _work _so)
    _fluxcpp_lib_base("${_so}" _base)
    if(_base IN_LIST _done)
      continue()
    endif()
    list(APPEND _done "${_base}")
    _fluxcpp_static_twin("${_so}" _a)
    if(_a AND NOT _base IN_LIST _keep)
      list(APPEND _archives "${_a}")
      _fluxcpp_needed("${_so}" _needed)
      list(APPEND _work ${_needed})
    elseif(_base AND NOT _base MATCHES "^(libstdc\\+\\+|libgcc_s|libc|libm)$")
      # (the compiler driver adds libc, libm, libstdc++ and libgcc itself)
      list(APPEND _dynamic "${_so}")
    endif()
  endwhile()
  set(_runtime_flags)
  if(NOT "libstdc++" IN_LIST _keep)
    list(APPEND _runtime_flags -static-libstdc++)
  endif()
  if(NOT "libgcc_s" IN_LIST _keep)
    list(APPEND _runtime_flags -static-libgcc)
  endif()
  # --gc-sections drops the archive sections nothing references: denser
  # text, so the kernel's fault-around maps fewer unused pages (about
  # 0.6 MiB less idle RSS for a framework-only controller).
  target_link_libraries(${name} PRIVATE
    -Wl,--start-group ${_own} ${_archives} -Wl,--end-group ${_dynamic} ${_other} ${_runtime_flags}
    -Wl,--gc-sections)
  if(_options)
    list(REMOVE_DUPLICATES _options)
    target_link_options(${name} PRIVATE ${_options})
  endif()
  if(_own_targets)
    add_dependencies(${name} ${_own_targets})
  endif()
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
