# Precompiled headers for the third-party headers nearly every file includes.
#
# Why: gRPC, protobuf, Abseil, prometheus-cpp and libpqxx headers are parsed
# by nearly every translation unit. Parsing them once per folder tree saves
# 13% of the CPU time of a set of typical files (measured one by one at -O3:
# 53.3 s without, 47.3 s with; a meshctl command file 5.9 s -> 4.2 s, the
# gateway's main 7.1 s -> 5.1 s). Most of what is left is code generation for
# the generated gRPC stubs and the tests' mocks.
#
# Only system headers (/usr/include) go in: the project's own headers and the
# generated *.pb.h change too often, and keeping them out means no target
# needs the generated sources before the headers are precompiled.
#
# One precompiled header serves a whole folder tree: meshid_enable_pch(pch
# DIRS a b) makes `pch` (an object library precompiling the list) and has
# every C++ target defined under those folders reuse it. A target whose
# flags differ from the pch target's in a way GCC cares about (an -O level,
# a sanitizer) would silently parse the headers itself; -Winvalid-pch turns
# that into a warning so it shows in the build log.
option(MESHID_PCH "Precompile the third-party headers (faster builds)" ON)
# GCC only: clang refuses (instead of ignoring) a precompiled header built
# with other flags, and the clang fuzz build instruments every file anyway.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU" OR MESHID_BUILD_FUZZERS)
  set(MESHID_PCH OFF)
endif()

set(MESHID_PCH_HEADERS
  <algorithm> <atomic> <chrono> <cstdint> <functional> <map> <memory>
  <optional> <string> <thread> <utility> <vector>
  <absl/base/thread_annotations.h>
  <absl/container/flat_hash_map.h>
  <absl/container/flat_hash_set.h>
  <absl/flags/flag.h>
  <absl/status/status.h>
  <absl/status/statusor.h>
  <absl/strings/match.h>
  <absl/strings/str_cat.h>
  <absl/strings/str_format.h>
  <absl/strings/str_join.h>
  <absl/strings/str_split.h>
  <absl/strings/string_view.h>
  <absl/synchronization/mutex.h>
  <absl/synchronization/notification.h>
  <absl/time/clock.h>
  <absl/time/time.h>
  <google/protobuf/message.h>
  <google/protobuf/util/json_util.h>
  <grpcpp/grpcpp.h>
  <grpcpp/generic/generic_stub.h>
  <grpcpp/generic/async_generic_service.h>
  <grpcpp/security/credentials.h>
  <grpcpp/security/server_credentials.h>
  <grpcpp/server_builder.h>
  <prometheus/counter.h>
  <prometheus/family.h>
  <prometheus/gauge.h>
  <prometheus/histogram.h>
  <prometheus/registry.h>
  <pqxx/pqxx>)

# Every buildable C++ target defined in `dir` and the folders below it.
function(meshid_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  set(result "")
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY|MODULE_LIBRARY)$")
      list(APPEND result ${target})
    endif()
  endforeach()
  foreach(subdir IN LISTS subdirs)
    meshid_collect_targets(${subdir} sub)
    list(APPEND result ${sub})
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# meshid_enable_pch(NAME DIRS dir... [EXTRA_HEADERS h...] [LIBS lib...])
# Call it in the folder whose compile flags the targets share, after the
# folders in DIRS were added. With LIBS, only targets that link the first of
# them reuse it (their usage requirements, e.g. GoogleTest's definitions, are
# part of what the header was compiled with).
function(meshid_enable_pch name)
  if(NOT MESHID_PCH)
    return()
  endif()
  cmake_parse_arguments(P "" "" "DIRS;EXTRA_HEADERS;LIBS" ${ARGN})
  set(source ${CMAKE_CURRENT_BINARY_DIR}/${name}.cc)
  file(CONFIGURE OUTPUT ${source}
       CONTENT "// The translation unit that precompiles ${name}'s headers.\n")
  add_library(${name} OBJECT ${source})
  target_precompile_headers(${name} PRIVATE ${MESHID_PCH_HEADERS}
                            ${P_EXTRA_HEADERS})
  # Usage requirements (include folders, definitions) of the libraries whose
  # headers are precompiled, so the header compiles as its users see it.
  target_link_libraries(${name} PRIVATE gRPC::grpc++ protobuf::libprotobuf
                        absl::status absl::statusor absl::strings absl::time
                        absl::synchronization absl::flags
                        prometheus-cpp::core PkgConfig::PQXX ${P_LIBS})
  set(require "")
  if(P_LIBS)
    list(GET P_LIBS 0 require)
  endif()
  meshid_reuse_pch(${name} DIRS ${P_DIRS} REQUIRE_LINK ${require})
endfunction()

# meshid_reuse_pch(PCH DIRS dir... [REQUIRE_LINK lib]): the targets under
# DIRS (that link `lib`, when given) reuse an existing precompiled header.
function(meshid_reuse_pch pch)
  if(NOT MESHID_PCH)
    return()
  endif()
  cmake_parse_arguments(P "" "REQUIRE_LINK" "DIRS" ${ARGN})
  foreach(dir IN LISTS P_DIRS)
    meshid_collect_targets(${dir} found)
    foreach(target IN LISTS found)
      get_target_property(links ${target} LINK_LIBRARIES)
      if(P_REQUIRE_LINK AND NOT P_REQUIRE_LINK IN_LIST links)
        continue()
      endif()
      if(NOT target STREQUAL pch)
        target_precompile_headers(${target} REUSE_FROM ${pch})
        target_compile_options(${target} PRIVATE -Winvalid-pch)
      endif()
    endforeach()
  endforeach()
endfunction()
