# swhub_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>] [TIMEOUT <s>] [LABELS <l...>])
# One executable per test area; every Catch2 TEST_CASE becomes its own CTest entry
# with a timeout, so a hang fails the run instead of stalling it. Test names must not
# contain ';' (CMake's list separator).
include(Catch)
function(swhub_add_test name)
  cmake_parse_arguments(arg "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE swhub_test_main swhub_test_support ${arg_LIBRARIES}
                        swhub_internal)
  # A name CTest cannot pass back to Catch2 whole (a ';' splits it into two CTest
  # entries) would run no test case and still pass: such a run fails instead.
  catch_discover_tests(${name} TEST_PREFIX "${name}."
                       PROPERTIES TIMEOUT ${arg_TIMEOUT} LABELS "${name};${arg_LABELS}"
                                  FAIL_REGULAR_EXPRESSION "No tests ran|No test cases matched"
                       DISCOVERY_TIMEOUT 30)
endfunction()
