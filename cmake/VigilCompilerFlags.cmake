# Warning and sanitizer flags shared by every first-party target.
add_compile_options(-Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(VIGIL_WARNINGS_AS_ERRORS)
  add_compile_options(-Werror)
endif()
if(VIGIL_SANITIZE)
  set(VIGIL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${VIGIL_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()
if(VIGIL_BUILD_FUZZ)
  # Instrument every library for coverage, so libFuzzer sees into the parsers it drives.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# vigil_add_test(NAME SOURCES ... LIBS ...): one GoogleTest binary, registered with CTest.
# Tests find the shared conformance data through VIGIL_TESTDATA and fail (not skip)
# when it is missing.
# HEAVY marks a process-level or at-scale suite (servers started and killed, bursts of
# thousands of requests or items, restarts, every frame of the reference clips): labelled
# `heavy`, it runs in the release stage of scripts/test.sh only, which keeps the ASan+UBSan
# stage to the unit and CLI tests (and CI inside its time).
function(vigil_add_test name)
  cmake_parse_arguments(ARG "HEAVY" "" "SOURCES;LIBS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
      VIGIL_TESTDATA="${VIGIL_SHARED_TESTDATA}"
      VIGIL_TEST_PLUGIN_DIR="${VIGIL_TEST_PLUGIN_DIR}"
      VIGIL_PLUGIN_DIR="${VIGIL_PLUGIN_OUTPUT_DIR}"
      VIGIL_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      VIGIL_BINARY_DIR="${CMAKE_BINARY_DIR}")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  set(labels)
  if(ARG_HEAVY)
    set(labels LABELS heavy)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${ARG_PROPERTIES} ${labels})
endfunction()

# vigil_add_optional_subdirs(<dir>...): adds each sub-directory that has a CMakeLists.txt,
# except those named (relative to the source root) in VIGIL_SKIP_DIRS, a developer
# option for building one area while another is being rewritten.
set(VIGIL_SKIP_DIRS "" CACHE STRING "Source sub-directories to leave out of the build")
function(vigil_add_optional_subdirs)
  foreach(dir ${ARGN})
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${dir})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt AND NOT rel IN_LIST VIGIL_SKIP_DIRS)
      add_subdirectory(${dir})
    endif()
  endforeach()
endfunction()
