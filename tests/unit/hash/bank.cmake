# Hash banks: importers, bank files, the exact PDQ / digest index.
vigil_add_test(hashbank_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/bank_test_util.cc
            ${CMAKE_CURRENT_LIST_DIR}/bank_signal_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/bank_import_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/bank_file_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/bank_index_test.cc
    LIBS vigil_hashbank)
# The corruption tests rewrite sections and checksums, so they see the format internals.
target_include_directories(hashbank_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../../../plugins/hash/bank/src)
