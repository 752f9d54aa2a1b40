# What `cmake --install` and the Debian package (CPack DEB, `cmake --build build/release
# --target package`) put where. docs/operations.md ("Installing") lists the layout.
#
# The host finds everything at run time relative to its own binary (<bin>/..), never by a
# compiled-in path, so an installed tree can live under any prefix and no path into the
# build tree or the checkout is needed (tests/install checks both with the .deb):
#   bin/vigil, bin/vigil-worker, bin/vigil-review, bin/vigil-plugin-check,
#   bin/vigil-review-launcher (what the desktop entry runs)
#   lib/vigil/host.toml                   host config: the first-party plugins, trust store
#   lib/vigil/plugins/vigil-{exact,pdq,url,classifier}.so
#   lib/vigil/models/<model>/             the demo classifier model and its manifest
#   lib/vigil/onnxruntime/libonnxruntime.so.1   ONNX Runtime (from npm), private to Vigil
#   share/vigil/policy/default.toml, share/vigil/reviewer.toml, share/applications/...
# "lib/vigil" is fixed (not CMAKE_INSTALL_LIBDIR): HostConfig and PluginRegistry look in
# <bin>/../lib/vigil.
set(VIGIL_INSTALL_PKGLIB lib/vigil)

# --- ONNX Runtime: staged in the build tree exactly where an install puts it -------------
# The classifier finds it in <bin>/../lib/vigil/onnxruntime (plugins/classifier/core/src/
# ort_backend.cc), in process and in a vigil-worker, whose Landlock read paths hold that
# folder (HostConfig::onnxruntime_dir). The plugin's RUNPATH names it too, for the soname.
set(_vigil_ort_lib "${VIGIL_ONNXRUNTIME_ROOT}/lib/libonnxruntime.so.1")
if(VIGIL_CLASSIFIER_HAVE_ORT AND EXISTS "${_vigil_ort_lib}")
  configure_file("${_vigil_ort_lib}"
      "${CMAKE_BINARY_DIR}/${VIGIL_INSTALL_PKGLIB}/onnxruntime/libonnxruntime.so.1" COPYONLY)
  install(FILES "${_vigil_ort_lib}" DESTINATION ${VIGIL_INSTALL_PKGLIB}/onnxruntime)
  if(EXISTS "${VIGIL_ONNXRUNTIME_ROOT}/README")
    install(FILES "${VIGIL_ONNXRUNTIME_ROOT}/README" DESTINATION ${VIGIL_INSTALL_PKGLIB}/onnxruntime)
  endif()
endif()

# --- first-party plugins -------------------------------------------------------------------
# Trusted by the installed host config (packaging/host.toml) as plugins beside the binary,
# like the binary itself; not signed (docs/operations.md, "Installing").
file(RELATIVE_PATH _vigil_plugins_to_libdir "/p/${VIGIL_INSTALL_PKGLIB}/plugins"
     "/p/${CMAKE_INSTALL_LIBDIR}")
foreach(plugin vigil-exact vigil-pdq vigil-url vigil-classifier vigil-vpdq)
  if(TARGET ${plugin})
    # libvigil_proto.so.1 from <prefix>/${CMAKE_INSTALL_LIBDIR}; the classifier also
    # ONNX Runtime's folder.
    set(rpath "$ORIGIN/${_vigil_plugins_to_libdir}")
    if(plugin STREQUAL "vigil-classifier")
      list(APPEND rpath "$ORIGIN/../onnxruntime")
      set_property(TARGET ${plugin} APPEND PROPERTY BUILD_RPATH "$ORIGIN/../onnxruntime")
    endif()
    set_target_properties(${plugin} PROPERTIES INSTALL_RPATH "${rpath}")
    install(TARGETS ${plugin} LIBRARY DESTINATION ${VIGIL_INSTALL_PKGLIB}/plugins)
  endif()
endforeach()
install(FILES packaging/host.toml DESTINATION ${VIGIL_INSTALL_PKGLIB})

# --- the demo model (scripts/prepare-models.sh; copied into the build tree by vigil_models)
install(DIRECTORY "${CMAKE_BINARY_DIR}/${VIGIL_INSTALL_PKGLIB}/models/"
    DESTINATION ${VIGIL_INSTALL_PKGLIB}/models OPTIONAL
    PATTERN ".prepared-*" EXCLUDE)

# --- policy, reviewer config, the console's desktop entry ----------------------------------
install(FILES policy/default.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil/policy)
install(FILES config/reviewer.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil)
if(TARGET vigil-review)
  # The desktop entry runs bin/vigil-review-launcher (on PATH, so Exec needs no absolute
  # path): vigil-review on the user's default store with the shipped reviewer config.
  file(RELATIVE_PATH VIGIL_LAUNCHER_TO_PREFIX "/p/${CMAKE_INSTALL_BINDIR}" "/p")
  set(VIGIL_REVIEWER_CONFIG_REL "${CMAKE_INSTALL_DATADIR}/vigil/reviewer.toml")
  configure_file(packaging/vigil-review-launcher.sh.in
      "${CMAKE_BINARY_DIR}/packaging/vigil-review-launcher" @ONLY)
  install(PROGRAMS "${CMAKE_BINARY_DIR}/packaging/vigil-review-launcher"
      DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES packaging/vigil-review.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
endif()

# --- the Debian package ----------------------------------------------------------------------
# One package, vigil_<version>_<arch>.deb, installing under /usr. Depends come from
# dpkg-shlibdeps over every ELF file in it (the private libvigil_proto and ONNX Runtime are
# resolved inside the package), plus what is loaded without being linked.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VENDOR "Vigil")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Child-safety content moderation: detector plugin host, scanner and reviewer console")
set(CPACK_PACKAGE_CONTACT "Vigil maintainers <vigil@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    "${CMAKE_BINARY_DIR}/lib" "${CMAKE_BINARY_DIR}/${VIGIL_INSTALL_PKGLIB}/onnxruntime")
# Software OpenGL for the console
# on machines without a GPU driver is only recommended.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libgl1-mesa-dri")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)  # fast on a 2-core CI machine; dpkg reads it anywhere
set(CPACK_PACKAGE_DESCRIPTION "Vigil runs detector plugins (exact and PDQ hash lists, URL \
lists, an ONNX image classifier) over media, decides with a policy what reaches a person, \
keeps a tamper-evident record in SQLite, and shows the review queue in a console behind \
wellbeing safeguards. The bundled classifier model is an adult-content demo model (nsfwjs \
MobileNetV2), not a CSAM model.")
include(CPack)
