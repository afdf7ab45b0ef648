# swhub_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>] [TIMEOUT <s>] [LABELS <l...>])
# One executable per test area; every Catch2 TEST_CASE becomes its own CTest entry
# with a timeout, so a hang fails the run instead of stalling it.
include(Catch)
function(swhub_add_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE swhub_test_main swhub_test_support ${arg_LIBRARIES}
                        swhub_internal)
  catch_discover_tests(${name} TEST_PREFIX "${name}."
                       PROPERTIES TIMEOUT ${arg_TIMEOUT} LABELS "${name};${arg_LABELS}"
                       DISCOVERY_TIMEOUT 30)
endfunction()
