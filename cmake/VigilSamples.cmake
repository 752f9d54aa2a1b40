# Builds samples/plugins out of tree against a staged install of the SDK, the way a
# vendor would: `cmake --install` of the vigil_sdk component into build/sdk-stage, then
# an ExternalProject that does find_package(VigilSDK). The sample plugins land in the
# host's plugin directory so `vigil plugins list` shows them.
include(ExternalProject)

set(VIGIL_SDK_STAGE ${CMAKE_BINARY_DIR}/sdk-stage)
add_custom_command(
  OUTPUT ${VIGIL_SDK_STAGE}/.staged
  COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${VIGIL_SDK_STAGE}
          --component vigil_sdk
  COMMAND ${CMAKE_COMMAND} -E touch ${VIGIL_SDK_STAGE}/.staged
  DEPENDS vigil_proto vigil-plugin-check
          ${CMAKE_SOURCE_DIR}/sdk/include/vigil/plugin.h
          ${CMAKE_SOURCE_DIR}/sdk/include/vigil/plugin.hpp
          ${CMAKE_SOURCE_DIR}/sdk/include/vigil/wire.h
          ${CMAKE_SOURCE_DIR}/sdk/cmake/VigilPlugin.cmake
  COMMENT "Staging the SDK install for the out-of-tree sample plugins"
  VERBATIM)
add_custom_target(vigil_sdk_stage ALL DEPENDS ${VIGIL_SDK_STAGE}/.staged)

set(_sample_flags "")
if(VIGIL_SANITIZE)
  set(_sample_flags "-fsanitize=address,undefined -fno-omit-frame-pointer")
endif()
ExternalProject_Add(vigil_samples
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/samples/plugins
  BINARY_DIR ${CMAKE_BINARY_DIR}/samples-build
  CMAKE_ARGS
    -G Ninja
    -DCMAKE_PREFIX_PATH=${VIGIL_SDK_STAGE}
    -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
    -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER}
    -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
    "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror ${_sample_flags}"
    "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror ${_sample_flags}"
    "-DCMAKE_MODULE_LINKER_FLAGS=${_sample_flags}"
    -DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${VIGIL_PLUGIN_OUTPUT_DIR}
    -DCMAKE_INSTALL_RPATH=${VIGIL_SDK_STAGE}/lib
    -DCMAKE_BUILD_RPATH=${VIGIL_SDK_STAGE}/lib
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  DEPENDS vigil_sdk_stage)
