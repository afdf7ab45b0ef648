# FindCAF.cmake: CAF 0.17 as packaged by Debian (no CMake package, no .pc file).
# Components: core (required), io, openssl. Targets: CAF::core, CAF::io, CAF::openssl.
include(FindPackageHandleStandardArgs)
find_path(CAF_INCLUDE_DIR NAMES caf/config.hpp)
find_library(CAF_CORE_LIBRARY NAMES caf_core)
find_library(CAF_IO_LIBRARY NAMES caf_io)
find_library(CAF_OPENSSL_LIBRARY NAMES caf_openssl)
mark_as_advanced(CAF_INCLUDE_DIR CAF_CORE_LIBRARY CAF_IO_LIBRARY CAF_OPENSSL_LIBRARY)

if(CAF_INCLUDE_DIR)
  # caf/config.hpp: #define CAF_VERSION 1706  ->  0.17.6
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_line
       REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX MATCH "[0-9]+$" _caf_num "${_caf_line}")
  math(EXPR _caf_major "${_caf_num} / 10000")
  math(EXPR _caf_minor "(${_caf_num} / 100) % 100")
  math(EXPR _caf_patch "${_caf_num} % 100")
  set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
endif()

foreach(_comp IN ITEMS core io openssl)
  string(TOUPPER "${_comp}" _up)
  if(CAF_${_up}_LIBRARY)
    set(CAF_${_comp}_FOUND TRUE)
  endif()
endforeach()

find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_INCLUDE_DIR CAF_CORE_LIBRARY
  VERSION_VAR CAF_VERSION HANDLE_VERSION_RANGE HANDLE_COMPONENTS)

if(CAF_FOUND)
  find_package(Threads REQUIRED)
  foreach(_comp IN ITEMS core io openssl)
    string(TOUPPER "${_comp}" _up)
    if(CAF_${_comp}_FOUND AND NOT TARGET CAF::${_comp})
      add_library(CAF::${_comp} UNKNOWN IMPORTED)
      set_target_properties(CAF::${_comp} PROPERTIES
        IMPORTED_LOCATION "${CAF_${_up}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}")
    endif()
  endforeach()
  target_link_libraries(CAF::core INTERFACE Threads::Threads)
  if(TARGET CAF::io)
    target_link_libraries(CAF::io INTERFACE CAF::core)
  endif()
  if(TARGET CAF::openssl)
    find_package(OpenSSL 3 REQUIRED)
    target_link_libraries(CAF::openssl INTERFACE CAF::io OpenSSL::SSL)
  endif()
endif()
