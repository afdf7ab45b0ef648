// The main of every test executable: registers the built-in domain modules (as every
// swhub binary does first, actors/modules.cpp), then runs Catch2.

#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "actors/core/domain_module.hpp"

int main(int argc, char** argv) {
  hub::register_builtin_modules();
  return Catch::Session().run(argc, argv);
}
