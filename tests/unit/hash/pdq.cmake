# PDQ: unit tests (no decoder) and conformance against ../shared/testdata/pdq.
vigil_add_test(pdq_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/pdq_hash256_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/pdq_hasher_test.cc
    LIBS vigil_pdq)
vigil_add_test(pdq_conformance_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/pdq_test_data.cc
            ${CMAKE_CURRENT_LIST_DIR}/pdq_synthetic_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/pdq_end_to_end_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/pdq_dihedral_test.cc
    LIBS vigil_pdq vigil_decode)
