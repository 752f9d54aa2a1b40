# Streamed list imports and the compact merge (issue 12, item 10).
target_sources(hashbank_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/bank_stream_test.cc)
