# Shared compile settings and the helpers every module uses.

add_library(gridgate_options INTERFACE)
target_compile_options(gridgate_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(GRIDGATE_WERROR)
  target_compile_options(gridgate_options INTERFACE -Werror)
endif()
if(GRIDGATE_SANITIZE)
  target_compile_options(gridgate_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(gridgate_options INTERFACE -fsanitize=address,undefined)
endif()
if(GRIDGATE_HARDEN)
  target_compile_options(gridgate_options INTERFACE -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
                         -fstack-protector-strong -fstack-clash-protection -fPIE)
  target_link_options(gridgate_options INTERFACE -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Boost 1.74 Asio only detects coroutines on clang 14 when told (STYLE.md).
  target_compile_definitions(gridgate_options INTERFACE BOOST_ASIO_HAS_CO_AWAIT=1
                             BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()
if(GRIDGATE_LIBFUZZER)
  target_compile_options(gridgate_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(gridgate_options INTERFACE -fsanitize=address,undefined)
endif()

# gridgate_add_library(<module> SOURCES ... DEPS ... [CORE])
# Creates target gridgate_<module>, alias gridgate::<module>, includes rooted at src/.
# CORE modules (no Asio/Beast) build with OPENSSL_NO_DEPRECATED.
function(gridgate_add_library module)
  cmake_parse_arguments(ARG "CORE" "" "SOURCES;DEPS" ${ARGN})
  set(target gridgate_${module})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(gridgate::${module} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE gridgate_options)
  if(ARG_CORE)
    target_compile_definitions(${target} PRIVATE OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED)
  endif()
endfunction()

# gridgate_add_test(<name> SOURCES ... DEPS ... LABELS ...)
function(gridgate_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                        gridgate_options)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    GRIDGATE_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/tests/testdata"
    GRIDGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GRIDGATE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# gridgate_add_fuzzer(<name> SOURCE <file> DEPS ... CORPUS <dir>)
# With GRIDGATE_LIBFUZZER: a libFuzzer binary (make fuzz). Otherwise: the same entry point linked
# with fuzz/standalone_main.cc, which replays the corpus and mutates it for a few seconds; ctest runs
# it under the `fuzz-smoke` label (in the asan preset, with ASan+UBSan).
function(gridgate_add_fuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  set(target fuzz_${name})
  if(GRIDGATE_LIBFUZZER)
    add_executable(${target} ${ARG_SOURCE})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${target} ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/fuzz/standalone_main.cc)
    add_test(NAME fuzz_smoke.${name}
             COMMAND ${target} --seconds=3 ${ARG_CORPUS})
    set_tests_properties(fuzz_smoke.${name} PROPERTIES LABELS fuzz-smoke TIMEOUT 120)
  endif()
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} gridgate_options)
endfunction()
