# The checked builds: PLATBENCH_SANITIZE (AddressSanitizer + UndefinedBehaviorSanitizer
# on everything) and PLATBENCH_FUZZ (the libFuzzer harnesses of tests/fuzz). Both are
# made in a build tree of their own with clang, e.g.
#   cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
#         -DPLATBENCH_SANITIZE=ON -DPLATBENCH_FUZZ=ON
# The product build (g++) is unchanged by this file.
option(PLATBENCH_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(PLATBENCH_FUZZ "Build the libFuzzer harnesses of tests/fuzz (clang, with PLATBENCH_SANITIZE)" OFF)

if(PLATBENCH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PLATBENCH_FUZZ needs clang (libFuzzer is part of clang): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT PLATBENCH_SANITIZE)
    message(FATAL_ERROR "PLATBENCH_FUZZ needs PLATBENCH_SANITIZE=ON: a fuzzer without sanitizers only finds crashes")
  endif()
endif()

set(PLATBENCH_SANITIZER_FLAGS)
if(PLATBENCH_SANITIZE)
  # One mistake stops the program (-fno-sanitize-recover=all): a test that goes on
  # after a report would pass with the report buried in its output.
  set(PLATBENCH_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${PLATBENCH_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
  # -O0: clang takes twice as long to build the checked code at -O1, and the
  # tests, which mostly wait for processes and files, barely run faster. Line
  # tables give every frame of a report its file:line, and at -O0 cost no build
  # time. They come after the build type's flags, so they win.
  add_compile_options(-O0 $<IF:$<CXX_COMPILER_ID:Clang>,-gline-tables-only,-g1>)
endif()

if(PLATBENCH_FUZZ)
  # Coverage for libFuzzer in every library a harness reaches (the core and the
  # plugins it loads): without it the fuzzer sees only the harness's own branches.
  # Executables that are not harnesses still link: the sanitizer runtime has
  # do-nothing versions of the coverage callbacks.
  add_compile_options(-fsanitize=fuzzer-no-link)
  list(APPEND PLATBENCH_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()

# platbench_without_sanitizers(<target>): builds <target> without the sanitizers
# and the fuzzer's coverage, for a program that cannot carry their runtime (one
# linked -static: AddressSanitizer needs the dynamic loader).
function(platbench_without_sanitizers target)
  foreach(property COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(options ${target} ${property})
    if(options)
      list(REMOVE_ITEM options ${PLATBENCH_SANITIZER_FLAGS} -fsanitize=address,undefined)
      set_target_properties(${target} PROPERTIES ${property} "${options}")
    endif()
  endforeach()
endfunction()

if(PLATBENCH_SANITIZE)
  # The tests' sanitizer options and the tests left out: tests/sanitizers/.
  configure_file("${PROJECT_SOURCE_DIR}/tests/sanitizers/CTestCustom.cmake.in"
    "${PROJECT_BINARY_DIR}/CTestCustom.cmake" @ONLY)
endif()
