# The CEB signature tests read the official samples beside the repository.
swhub_add_test(xmlsig_tests
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/xml_signature.cpp
  LIBRARIES swhub_xmlsig TIMEOUT 120 LABELS unit)
target_compile_definitions(xmlsig_tests PRIVATE
  SWHUB_CEB_DIR="${PROJECT_SOURCE_DIR}/../shared/domain/ceb")
