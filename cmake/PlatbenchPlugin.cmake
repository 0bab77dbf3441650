# platbench_add_plugin(<name> KIND workload|platform SOURCES <files...> [LIBRARIES <libs...>])
#
# Builds a plugin library "<kind>_<name>.so" into lib/platbench/plugins of the
# build tree and installs it to the same place under the prefix. Only the two
# ABI symbols are exported (hidden visibility), so plugins cannot clash.
function(platbench_add_plugin name)
  cmake_parse_arguments(ARG "" "KIND" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_KIND MATCHES "^(workload|platform)$")
    message(FATAL_ERROR "platbench_add_plugin(${name}): KIND must be workload or platform")
  endif()
  set(target "${ARG_KIND}_${name}")
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE platbench::sdk ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${target}"
    LIBRARY_OUTPUT_DIRECTORY "${PLATBENCH_PLUGIN_OUTPUT_DIR}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN/../.."
    INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS ${target} LIBRARY DESTINATION "${PLATBENCH_PLUGIN_SUBDIR}")
  set_property(GLOBAL APPEND PROPERTY PLATBENCH_PLUGIN_TARGETS ${target})
endfunction()
