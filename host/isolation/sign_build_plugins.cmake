# Signs every non-first-party plugin in PLUGIN_DIR with the build tree's development key
# (made on first use) and trusts that key in TRUST_DIR. Run by the vigil_dev_sign target.
if(NOT EXISTS ${KEY_DIR}/vigil-signing.key)
  execute_process(COMMAND ${VIGIL} plugins keygen --out ${KEY_DIR} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "vigil plugins keygen failed")
  endif()
endif()
execute_process(COMMAND ${VIGIL} plugins trust ${KEY_DIR}/vigil-signing.pub --trust-dir ${TRUST_DIR}
    OUTPUT_QUIET RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "vigil plugins trust failed")
endif()
file(GLOB plugins ${PLUGIN_DIR}/*.so)
foreach(plugin ${plugins})
  get_filename_component(name ${plugin} NAME)
  if(name MATCHES "^vigil-")
    continue()  # first-party: trusted by the host config
  endif()
  execute_process(COMMAND ${VIGIL} plugins sign --key ${KEY_DIR}/vigil-signing.key ${plugin}
      OUTPUT_QUIET RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "vigil plugins sign ${plugin} failed")
  endif()
endforeach()
