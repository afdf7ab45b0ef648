# swhub_use_tcmalloc(<target>): link tcmalloc instead of glibc malloc, except with the
# sanitizers (they bring their own allocator). For swhubd and for the benchmark load
# generators that share the machine with it: glibc malloc/free took a fifth of the hub's
# CPU and a quarter of the load generator's (arena lock contention across its partner
# threads), measured in docs/benchmarks.md. The objects call malloc and operator new,
# which tcmalloc defines, so the linker keeps it.
function(swhub_use_tcmalloc target)
  if(SWHUB_SANITIZERS_ON)
    return()
  endif()
  if(NOT TARGET PkgConfig::TCMALLOC)
    pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET GLOBAL libtcmalloc_minimal)
  endif()
  target_link_libraries(${target} PRIVATE PkgConfig::TCMALLOC)
endfunction()
