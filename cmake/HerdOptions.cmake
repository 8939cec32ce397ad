# Warnings, sanitizers and start-up flags for every herd target.
if(HERD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HERD_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(HERD_SANITIZE ON)
  # Coverage feedback for libFuzzer in every library; the fuzz targets themselves link
  # with -fsanitize=fuzzer (testsuite/fuzz/CMakeLists.txt). -O1 and line tables only (after
  # the build type's flags, so they win): the Boost.Serialization code of the messages
  # takes minutes to build at -O2 -g with the sanitizers, and stack traces need no more.
  add_compile_options(-fsanitize=fuzzer-no-link -O1 -gline-tables-only)
endif()
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
if(HERD_WERROR)
  add_compile_options(-Werror)
endif()
if(HERD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Start-up: the commands and herdstepd are short-lived, so what they map and touch at start
# counts. Unreferenced functions and data are left out of every executable (hbatch: 7% fewer
# page faults, about 0.02 ms less per start); cmake/HerdDeps.cmake links the dependencies
# statically for the same reason.
add_compile_options(-ffunction-sections -fdata-sections)
add_link_options(-Wl,--gc-sections)

# herd_add_test(NAME name SOURCES a.cc b.cc LIBS lib1 lib2 [LABELS unit])
# One GoogleTest executable, its tests discovered into ctest with the given labels.
function(herd_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest_main GTest::gmock)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  gtest_discover_tests(${T_NAME} PROPERTIES LABELS "${T_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
