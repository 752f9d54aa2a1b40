# vigil_add_plugin(<name> SOURCES <src>... [LIBS <lib>...] [OUTPUT_DIR <dir>])
#
# Builds a detector plugin the way the ABI expects: a MODULE library named <name>.so
# whose only exported symbol is vigil_entry_v1 (hidden visibility plus a version script).
# C++ sources get the C++ helper (vigil/plugin.hpp) and the shared vigil.v1 message
# library; a plugin in plain C links nothing but the headers.
#
# The same function serves first-party plugins in this tree and vendors' plugins built
# against an installed SDK (find_package(VigilSDK)).
set(_VIGIL_PLUGIN_MAP "${CMAKE_CURRENT_LIST_DIR}/vigil_plugin.map" CACHE INTERNAL "")

function(vigil_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "vigil_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
      PREFIX ""
      C_VISIBILITY_PRESET hidden
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON
      LINK_DEPENDS "${_VIGIL_PLUGIN_MAP}")
  target_link_options(${name} PRIVATE "LINKER:--version-script=${_VIGIL_PLUGIN_MAP}")
  if(ARG_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIR}")
  elseif(DEFINED VIGIL_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VIGIL_PLUGIN_OUTPUT_DIR}")
  endif()

  set(uses_cxx FALSE)
  foreach(src IN LISTS ARG_SOURCES)
    if(src MATCHES "\\.(cc|cpp|cxx)$")
      set(uses_cxx TRUE)
    endif()
  endforeach()
  target_link_libraries(${name} PRIVATE VigilSDK::headers ${ARG_LIBS})
  if(uses_cxx)
    target_link_libraries(${name} PRIVATE VigilSDK::proto)
  endif()
endfunction()
