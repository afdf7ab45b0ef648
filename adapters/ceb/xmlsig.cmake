# swhub_xmlsig: the enveloped XML-DSig signatures of CEB messages (verify; sign for
# tools, tests and benchmarks). libxml2 C14N + OpenSSL 3 EVP; no CAF.
find_package(LibXml2 REQUIRED)
add_library(swhub_xmlsig STATIC
  ${CMAKE_CURRENT_LIST_DIR}/xml_signature.cpp
  ${CMAKE_CURRENT_LIST_DIR}/xml_signer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/xml_dsig_detail.cpp)
target_link_libraries(swhub_xmlsig PUBLIC LibXml2::LibXml2 OpenSSL::Crypto
                      PRIVATE swhub_internal)
target_include_directories(swhub_xmlsig PUBLIC "${PROJECT_SOURCE_DIR}")
