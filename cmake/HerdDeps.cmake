# The required dependencies, by the names checked in research/FEASIBILITY.md §1.
#
# Every herd command and herdstepd is a short-lived process whose start-up was dominated by
# loading and relocating shared libraries, so by default (HERD_STATIC_DEPS) what has static
# archives is linked statically: libzmq and its dependencies, libmunge, Boost.Serialization,
# libstdc++ and libgcc. The krb5/GSSAPI chain has no archives; libzmq's calls into it go to
# failing stubs instead (HERD_ZMQ_GSSAPI, below). Whatever archive is missing, or does not
# link, falls back to the shared library, so the build never depends on the archives. Link
# herd::zmq (libzmq with cppzmq's headers) and herd::munge, not cppzmq or PkgConfig::MUNGE.
option(HERD_STATIC_DEPS
       "Link libzmq, libmunge, Boost.Serialization, libstdc++ and libgcc statically if possible"
       ON)

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS C)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
pkg_check_modules(MUNGE REQUIRED IMPORTED_TARGET munge)
pkg_check_modules(PMIX REQUIRED IMPORTED_TARGET pmix)
# libsodium (already under libzmq's CURVE): commands' sealed requests (common/net/sealed.h).
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(cppzmq REQUIRED)
find_package(GTest REQUIRED)

# Boost.Serialization: the static variant if installed, else the shared one.
if(HERD_STATIC_DEPS)
  set(Boost_USE_STATIC_LIBS ON)
  find_package(Boost 1.74 QUIET COMPONENTS serialization)
  if(NOT Boost_FOUND)
    set(Boost_USE_STATIC_LIBS OFF)
  endif()
endif()
if(NOT Boost_FOUND)
  find_package(Boost 1.74 REQUIRED COMPONENTS serialization)
endif()
set(_herd_shared_cxx_deps "")
if(NOT Boost_USE_STATIC_LIBS)
  list(APPEND _herd_shared_cxx_deps libboost_serialization)
endif()

# herd_find_archive(VAR NAME [DIRS...]): VAR = path of libNAME.a, or empty. The result is
# cached as HERD_ARCHIVE_<NAME>; set that to a nonexistent path to refuse an archive.
function(herd_find_archive var name)
  find_library(HERD_ARCHIVE_${name} NAMES lib${name}.a HINTS ${ARGN})
  if(HERD_ARCHIVE_${name} AND EXISTS "${HERD_ARCHIVE_${name}}")
    set(${var} "${HERD_ARCHIVE_${name}}" PARENT_SCOPE)
  else()
    set(${var} "" PARENT_SCOPE)
  endif()
endfunction()

# herd_pc_archives(VAR PREFIX): VAR = the libraries of `pkg-config --static --libs` (found
# by pkg_check_modules(PREFIX ...)) as archives, or empty when one of them has none. The
# C and C++ runtimes (libc, libm, libpthread, librt, libdl, libstdc++) are left out.
function(herd_pc_archives var prefix)
  set(archives "")
  foreach(item IN LISTS ${prefix}_STATIC_LDFLAGS)
    if(item MATCHES "^-l(.+)$")
      set(name "${CMAKE_MATCH_1}")
    elseif(item MATCHES "^lib(.+)\\.a$")  # norm.pc names "libprotokit.a" so
      set(name "${CMAKE_MATCH_1}")
    else()
      continue()  # -L, -pthread
    endif()
    if(name MATCHES "^(c|m|pthread|rt|dl|stdc\\+\\+)$")
      continue()
    endif()
    herd_find_archive(archive "${name}" ${${prefix}_STATIC_LIBRARY_DIRS})
    if(NOT archive)
      set(${var} "" PARENT_SCOPE)
      return()
    endif()
    list(APPEND archives "${archive}")
  endforeach()
  set(${var} "${archives}" PARENT_SCOPE)
endfunction()

# herd_check_link(VAR CODE [SOURCES extra.cc...] [LIBS lib...] [LINK_OPTIONS opt...]):
# VAR = whether the program CODE, with the extra sources, links. Cached, and checked again
# when any argument changes.
function(herd_check_link var code)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS;LINK_OPTIONS" ${ARGN})
  string(MD5 key "${code};${arg_SOURCES};${arg_LIBS};${arg_LINK_OPTIONS}")
  if(DEFINED ${var} AND "${${var}_KEY}" STREQUAL key)
    return()
  endif()
  set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/herd_checks/${var})
  file(WRITE ${dir}/main.cc "${code}\n")
  try_compile(ok ${dir}/build SOURCES ${dir}/main.cc ${arg_SOURCES}
              COMPILE_DEFINITIONS -fvisibility=hidden
              LINK_OPTIONS ${arg_LINK_OPTIONS}
              LINK_LIBRARIES ${arg_LIBS}
              CXX_STANDARD 17)
  message(STATUS "herd: link check ${var}: ${ok}")
  set(${var} ${ok} CACHE INTERNAL "herd link check")
  set(${var}_KEY ${key} CACHE INTERNAL "herd link check inputs")
endfunction()

# herd_imported_lib(NAME PREFIX [SOURCE]): herd::NAME from the package PREFIX found by
# pkg_check_modules: its archives with HERD_STATIC_DEPS when it has one for every library
# (and a program of SOURCE, if given, links with them), else its shared libraries.
function(herd_imported_lib name prefix)
  set(check "")
  if(ARGC GREATER 2)
    set(check "${ARGV2}")  # not through cmake_parse_arguments: it would split at ';'
  endif()
  add_library(herd::${name} INTERFACE IMPORTED)
  set(archives "")
  if(HERD_STATIC_DEPS)
    herd_pc_archives(archives ${prefix})
  endif()
  if(archives AND NOT check STREQUAL "")
    string(TOUPPER ${name} upper)
    herd_check_link(HERD_${upper}_STATIC_LINKS "${check}" LIBS ${archives} Threads::Threads)
    if(NOT HERD_${upper}_STATIC_LINKS)
      set(archives "")
    endif()
  endif()
  if(archives)
    set_target_properties(herd::${name} PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${${prefix}_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES "${archives};Threads::Threads")
  else()
    set_target_properties(herd::${name} PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::${prefix})
  endif()
  message(STATUS "herd: lib${name} static: ${archives}")
endfunction()

# herd::munge: libmunge.a (it needs nothing but libc) or the shared libmunge.
herd_imported_lib(munge MUNGE
  "#include <munge.h>\nint main() { munge_ctx_destroy(munge_ctx_create()); return 0; }")
# herd::sodium: commands' sealed requests (common/net/sealed.h).
herd_imported_lib(sodium SODIUM)

# herd::zmq: cppzmq's headers and libzmq.a, then each package libzmq.pc requires privately
# (krb5-gssapi libsodium openpgm norm libbsd): as archives when the package has an archive
# for every library, else as its shared libraries (linking a part of a package statically
# and the rest dynamically would load two copies of it). Debian ships no krb5 archives;
# unless HERD_ZMQ_GSSAPI is on, libzmq's GSSAPI calls are then linked to the failing stubs
# of common/auth/zmq_without_gssapi.cc instead (herd never enables ZMQ_GSSAPI), which saves
# loading seven krb5 libraries.
option(HERD_ZMQ_GSSAPI
       "With a static libzmq, link the krb5 libraries for ZeroMQ's (unused) GSSAPI mechanism"
       OFF)
add_library(herd::zmq INTERFACE IMPORTED)
set(_herd_zmq_libs "")
set(_herd_zmq_krb5 "")
set(_herd_zmq_shared "")
if(HERD_STATIC_DEPS)
  herd_find_archive(_herd_zmq_archive zmq)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --print-requires-private libzmq
                  OUTPUT_VARIABLE _herd_zmq_requires RESULT_VARIABLE _herd_rc ERROR_QUIET)
  if(_herd_zmq_archive AND _herd_rc EQUAL 0)
    set(_herd_zmq_libs "${_herd_zmq_archive}")
    string(REPLACE "\n" ";" _herd_zmq_requires "${_herd_zmq_requires}")
    set(_i 0)
    foreach(_line IN LISTS _herd_zmq_requires)
      string(REGEX REPLACE "[ <>=].*$" "" _pkg "${_line}")  # "openpgm-5.3 >= 5.3"
      if(_pkg STREQUAL "")
        continue()
      endif()
      math(EXPR _i "${_i} + 1")
      pkg_check_modules(HERD_ZMQ_DEP${_i} QUIET ${_pkg})
      if(NOT HERD_ZMQ_DEP${_i}_FOUND)
        set(_herd_zmq_libs "")  # cannot tell what libzmq.a needs: use the shared libzmq
        break()
      endif()
      herd_pc_archives(_archives HERD_ZMQ_DEP${_i})
      if(_archives)
        list(APPEND _herd_zmq_libs ${_archives})
      elseif(_pkg STREQUAL "krb5-gssapi")
        # -L/-l rather than full paths: CMake would add krb5's directory as an RPATH.
        set(_herd_zmq_krb5 ${HERD_ZMQ_DEP${_i}_LDFLAGS})
        set(_herd_gssapi_include ${HERD_ZMQ_DEP${_i}_INCLUDE_DIRS})
      else()
        list(APPEND _herd_zmq_libs ${HERD_ZMQ_DEP${_i}_LDFLAGS})
        list(APPEND _herd_zmq_shared ${_pkg})
        list(APPEND _herd_shared_cxx_deps ${_pkg})  # it may be C++ (norm is)
      endif()
    endforeach()
  endif()
  string(CONCAT _herd_zmq_check "#include <zmq.h>\nint main() {\n"
         "  void* c = zmq_ctx_new();\n  zmq_close(zmq_socket(c, ZMQ_DEALER));\n"
         "  return zmq_ctx_term(c);\n}")
  set(_herd_zmq_without_gssapi OFF)
  if(_herd_zmq_libs AND _herd_zmq_krb5 AND NOT HERD_ZMQ_GSSAPI)
    herd_check_link(HERD_ZMQ_WITHOUT_GSSAPI_LINKS "${_herd_zmq_check}"
      SOURCES ${PROJECT_SOURCE_DIR}/common/auth/zmq_without_gssapi.cc
      LIBS ${_herd_zmq_libs} Threads::Threads m)
    set(_herd_zmq_without_gssapi ${HERD_ZMQ_WITHOUT_GSSAPI_LINKS})
  endif()
  if(_herd_zmq_libs AND NOT _herd_zmq_without_gssapi)
    list(APPEND _herd_zmq_libs ${_herd_zmq_krb5})
    herd_check_link(HERD_ZMQ_STATIC_LINKS "${_herd_zmq_check}"
      LIBS ${_herd_zmq_libs} Threads::Threads m)
    if(NOT HERD_ZMQ_STATIC_LINKS)
      set(_herd_zmq_libs "")
    endif()
  endif()
endif()
if(_herd_zmq_libs)
  if(_herd_zmq_without_gssapi)
    add_library(herd_zmq_without_gssapi STATIC
                ${PROJECT_SOURCE_DIR}/common/auth/zmq_without_gssapi.cc)
    target_include_directories(herd_zmq_without_gssapi PRIVATE ${_herd_gssapi_include})
    target_compile_options(herd_zmq_without_gssapi PRIVATE -fvisibility=hidden)
    list(APPEND _herd_zmq_libs herd_zmq_without_gssapi)
  endif()
  get_target_property(_herd_cppzmq_include cppzmq INTERFACE_INCLUDE_DIRECTORIES)
  set_target_properties(herd::zmq PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_herd_cppzmq_include}"
    INTERFACE_LINK_LIBRARIES "${_herd_zmq_libs};Threads::Threads;m")
  if(NOT _herd_zmq_without_gssapi AND _herd_zmq_krb5)
    list(APPEND _herd_zmq_shared krb5-gssapi)
  endif()
  message(STATUS "herd: libzmq static (GSSAPI stubbed: ${_herd_zmq_without_gssapi}); "
                 "its shared dependencies: ${_herd_zmq_shared}")
else()
  set_target_properties(herd::zmq PROPERTIES INTERFACE_LINK_LIBRARIES cppzmq)
  list(APPEND _herd_shared_cxx_deps libzmq)
  message(STATUS "herd: libzmq shared")
endif()

# libstdc++ and libgcc: statically too, unless a shared C++ library is still linked (two
# copies of the C++ runtime in one process) or the sanitizers are on (libubsan.so itself
# loads the shared libstdc++; sanitizer builds are not for measuring start-up anyway).
set(HERD_STATIC_CXX_RUNTIME OFF)
if(HERD_STATIC_DEPS AND NOT HERD_SANITIZE AND NOT _herd_shared_cxx_deps)
  herd_check_link(HERD_STATIC_LIBSTDCXX_LINKS
    "#include <string>\nint main() { return static_cast<int>(std::string(\"x\").size()) - 1; }"
    LINK_OPTIONS -static-libstdc++ -static-libgcc)
  if(HERD_STATIC_LIBSTDCXX_LINKS)
    set(HERD_STATIC_CXX_RUNTIME ON)
    add_link_options(-static-libstdc++ -static-libgcc)
  endif()
endif()
if(HERD_STATIC_DEPS)
  message(STATUS "herd: static libstdc++/libgcc: ${HERD_STATIC_CXX_RUNTIME} "
                 "(shared libraries that may need libstdc++.so: ${_herd_shared_cxx_deps})")
endif()
