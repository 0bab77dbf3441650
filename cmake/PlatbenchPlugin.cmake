# platbench_add_plugin(<name> KIND workload|platform SOURCES <files...> [LIBRARIES <libs...>])
#
# Builds a plugin library "<kind>_<name>.so" against the SDK (platbench::sdk):
# C++20, only the three ABI symbols exported (hidden visibility, so plugins cannot
# clash), into lib/platbench/plugins of platbench's build tree, or plugins/ of an
# out-of-tree project's build tree, and installs it to lib/platbench/plugins under
# the prefix. The same helper serves the in-tree plugins and, installed with
# platbench's CMake package, plugins built out of tree (examples/).
function(platbench_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(workload|platform)$")
    message(FATAL_ERROR "platbench_add_plugin(${name}): KIND must be workload or platform")
  endif()
  set(output_dir "${PLATBENCH_PLUGIN_OUTPUT_DIR}")
  if(NOT output_dir)
    set(output_dir "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set(install_dir "${PLATBENCH_PLUGIN_SUBDIR}")
  if(NOT install_dir)
    set(install_dir "lib/platbench/plugins")
  endif()
  set(target "${ARG_KIND}_${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE platbench::sdk ${ARG_LIBRARIES})
  target_compile_features(${target} PRIVATE cxx_std_20)
  # -Wno-missing-field-initializers: ParamSpec rows leave unused fields out.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-missing-field-initializers)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY "${output_dir}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    INSTALL_RPATH "$ORIGIN/../..")
  if(PLATBENCH_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES BUILD_RPATH "$ORIGIN/../..")  # lib/ of platbench's build tree
  endif()
  install(TARGETS ${target} LIBRARY DESTINATION "${install_dir}")
  set_property(GLOBAL APPEND PROPERTY PLATBENCH_PLUGIN_TARGETS ${target})
endfunction()
