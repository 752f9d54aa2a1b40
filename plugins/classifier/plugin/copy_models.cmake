# Copies SRC to DST when SRC exists (models are optional at build time).
if(EXISTS "${SRC}")
  file(COPY "${SRC}/" DESTINATION "${DST}")
endif()
